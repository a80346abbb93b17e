"""Claims: a recipient puts a credential on their profile, and the badge-verified skills that the
profile's current credentials (claimed, and imported ones that verified) give it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from talentbank import audit
from talentbank.db import utcnow
from talentbank.errors import Conflict, Invalid, NotFound
from talentbank.models import Achievement, Credential, ImportedCredential, Profile, ProfileSkill, SkillSource, User
from talentbank.profiles.search import reindex_profile


def is_current(credential: Credential, now: datetime) -> bool:
    return credential.revoked_at is None and (credential.valid_until is None or credential.valid_until > now)


def refresh_badge_skills(session: Session, profile: Profile, *, now: datetime | None = None) -> bool:
    """Recompute the profile's badge-verified skills from its claimed credentials (unrevoked, unexpired)
    and its imported credentials that verified and named the person; True if any changed.

    Each entry keeps its credential's validUntil, so readers stop counting it once that passes. A
    change stamps the profile's updated_at (wall clock), which is how rankings notice it (#5).
    """
    now = now or utcnow()
    claimed = session.scalars(
        sa.select(Credential)
        .where(Credential.profile_id == profile.id)
        .options(selectinload(Credential.achievement).selectinload(Achievement.skills))
        .order_by(Credential.issued_at)
    ).all()
    backing: list[tuple[str, int, str, datetime | None]] = []
    for credential in claimed:
        if is_current(credential, now):
            evidence = f"/credentials/{credential.public_id}"
            backing += [
                (a.skill_code, a.level, evidence, credential.valid_until) for a in credential.achievement.skills
            ]
    for imported in session.scalars(sa.select(ImportedCredential).where(ImportedCredential.profile_id == profile.id)):
        if imported.counts_at(now):
            anchor = f"/people/{profile.public_id}#imported-{imported.public_id}"
            backing += [(item["code"], int(item["level"]), anchor, imported.valid_until) for item in imported.skills]
    forever = datetime.max.replace(tzinfo=now.tzinfo)
    best: dict[str, tuple[int, str, datetime | None]] = {}
    for code, level, evidence, until in backing:
        # The highest level; on a tie the one valid longest.
        if code not in best or (level, until or forever) >= (best[code][0], best[code][2] or forever):
            best[code] = (level, evidence, until)
    changed = False
    for entry in [s for s in profile.skills if s.source is SkillSource.BADGE]:
        wanted = best.pop(entry.skill_code, None)
        if wanted is None:
            profile.skills.remove(entry)
            changed = True
        elif (entry.level, entry.evidence_url, entry.valid_until) != wanted:
            entry.level, entry.evidence_url, entry.valid_until = wanted
            changed = True
    for code, (level, evidence, until) in best.items():
        profile.skills.append(ProfileSkill(skill_code=code, level=level, source=SkillSource.BADGE,
                                           evidence_url=evidence, valid_until=until))  # fmt: skip
        changed = True
    if changed:  # the rankings' index notices edits by the profile's stamp, not by its skill rows
        profile.updated_at = utcnow()
    session.flush()
    return changed


def can_claim(actor: Any, credential: Credential) -> bool:
    return (
        isinstance(actor, User)
        and actor.email_verified_at is not None
        and actor.email == credential.recipient_email
        and credential.profile_id is None
    )


def claim_credential(
    session: Session, actor: User, credential: Credential, profile: Profile, *, now: datetime | None = None
) -> None:
    """Put a credential on the recipient's profile; its aligned skills become badge-verified."""
    if actor.email != credential.recipient_email or actor.email_verified_at is None:
        raise Invalid(str(_l("このバッジは別のメールアドレス宛てです。")))
    if credential.profile_id is not None:
        raise Conflict(str(_l("このバッジはすでに受け取られています。")))
    if profile.user_id != actor.id:
        raise NotFound()
    attach(session, credential, profile, now=now)
    audit.record(session, actor, "credential.claim", object_type="credential", object_id=credential.public_id)


def attach(session: Session, credential: Credential, profile: Profile, *, now: datetime | None = None) -> None:
    """Place the credential on the profile (no checks: the caller knows it is theirs) and recount its skills."""
    credential.profile_id = profile.id
    credential.claimed_at = now or utcnow()
    session.flush()
    refresh_badge_skills(session, profile, now=now)
    reindex_profile(session, profile)
