"""Credentials from other issuers on a person's profile: import (verified first), the daily re-check
that keeps their verdicts current (`talentbank refresh-credentials`), and removal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

import badges
import badges.ob2
from badges import clr
from talentbank import audit
from talentbank.credentials import ob2
from talentbank.credentials.alignments import dss_skills, text_of
from talentbank.credentials.claims import refresh_badge_skills
from talentbank.credentials.issuers import IssuerContext
from talentbank.credentials.verification import verify_credential, verify_learner_record
from talentbank.db import utcnow
from talentbank.errors import Invalid, NotFound
from talentbank.lookup import by_public_id
from talentbank.models import ImportedCredential, Profile, ProfileSkill, SkillSource, User
from talentbank.profiles.search import reindex_profile


def _aligned_skills(session: Session, credential: dict[str, Any]) -> list[dict[str, Any]]:
    """DSS skills a credential's achievement aligns to, with the levels the credential gives them."""
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    alignments = achievement.get("alignment") if isinstance(achievement, dict) else None
    return dss_skills(session, alignments, badges.skill_levels(credential))


def _valid_until_of(document: dict[str, Any]) -> datetime | None:
    """A credential document's validUntil (VC 2.0) or expirationDate (VC 1.1), if readable."""
    value = document.get("validUntil") or document.get("expirationDate")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def import_credential(
    session: Session,
    actor: User,
    profile: Profile,
    submitted: dict[str, Any] | str,
    ctx: IssuerContext,
    *,
    field: str = "credential",
    now: datetime | None = None,
) -> tuple[ImportedCredential, badges.VerificationResult]:
    """`import_credentials` for a caller that submits one badge: the first row it added (a CLR learner
    record adds one per badge it holds) and the checks."""
    rows, result = import_credentials(session, actor, profile, submitted, ctx, field=field, now=now)
    return rows[0], result


def import_credentials(
    session: Session,
    actor: User,
    profile: Profile,
    submitted: dict[str, Any] | str,
    ctx: IssuerContext,
    *,
    field: str = "credential",
    now: datetime | None = None,
) -> tuple[list[ImportedCredential], badges.VerificationResult]:
    """Add another issuer's credential to the actor's profile: the rows added (one, or one per badge of a
    CLR learner record) and the checks. It is verified first (including that it names the account's
    e-mail); only then do its aligned skills become badge-verified.

    An Open Badges 2.0 badge (hosted URL, assertion JSON or signed JWS) goes to `ob2.import_ob2`, which
    refuses one that fails a check (Invalid on `field`) instead of keeping it unverified."""
    if profile.user_id != actor.id:
        raise NotFound()
    if ob2.is_ob2(submitted):
        imported, result = ob2.import_ob2(session, actor, profile, submitted, ctx, field=field, now=now)
        return [imported], result
    if clr.is_clr_submission(submitted):
        return _import_learner_record(session, actor, profile, submitted, ctx, now=now or utcnow())
    now = now or utcnow()
    result = verify_credential(session, submitted, ctx, expected_email=actor.email, now=now)
    if result.credential is None:
        raise Invalid(str(_l("証明書として読み取れませんでした。")), {"credential": "unreadable"})
    return keep_imports(session, actor, profile, [(submitted, result)], now=now), result


def keep_imports(
    session: Session,
    actor: User,
    profile: Profile,
    verified: list[tuple[dict[str, Any] | str, badges.VerificationResult]],
    *,
    now: datetime,
) -> list[ImportedCredential]:
    """Store credentials already verified (each as submitted, with its result) as imports on the actor's
    profile, then recount its badge-verified skills once: a single import, or each of a presentation."""
    if profile.user_id != actor.id:
        raise NotFound()
    rows = []
    for submitted, result in verified:
        raw = submitted if isinstance(submitted, str) else json.dumps(submitted, ensure_ascii=False)
        rows.append(_imported(session, profile, raw, result, now))
    session.add_all(rows)
    session.flush()
    refresh_badge_skills(session, profile, now=now)
    reindex_profile(session, profile)
    for imported in rows:
        audit.record(session, actor, "credential.import", object_type="imported_credential",
                     object_id=imported.public_id, verified=imported.counts)  # fmt: skip
    return rows


def _imported(
    session: Session, profile: Profile, raw: str, result: badges.VerificationResult, now: datetime
) -> ImportedCredential:
    """The row for one verified credential document (`result.credential`), as submitted (`raw`): its
    checks, whether it names the account, and the DSS skills its alignments certify."""
    document = result.credential
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    return ImportedCredential(
        profile=profile,
        raw=raw[: 512 * 1024],
        achievement_name=text_of(achievement),
        issuer_name=text_of(document.get("issuer")),
        is_verified=all(c.ok for c in result.checks if c.check != "recipient"),
        recipient_matches=result.code_of("recipient") == "recipient_matches",
        check_codes=[c.code for c in result.checks if not c.ok],
        skills=_aligned_skills(session, document),
        valid_until=_valid_until_of(document),
        checked_at=now,
    )


def _import_learner_record(
    session: Session, actor: User, profile: Profile, submitted: dict[str, Any] | str, ctx: IssuerContext, *,
    now: datetime,
) -> tuple[list[ImportedCredential], badges.VerificationResult]:  # fmt: skip
    """A Comprehensive Learner Record (CLR 2.0): the record must verify and name the account's e-mail; then
    each credential it holds is imported on its own, with its own checks (and re-checked daily like any
    import), so its aligned skills count as an imported badge's do. Refused (Invalid) otherwise."""
    result = verify_learner_record(session, submitted, ctx, expected_email=actor.email, now=now)
    failed = [c.code for c in (*result.record.checks, *result.problems) if not c.ok]
    if failed:
        raise Invalid(str(_l("学修記録（CLR）を確認できませんでした（%(codes)s）。", codes=", ".join(failed))),
                      {"credential": ", ".join(failed)})  # fmt: skip
    rows = []
    for nested in result.nested:
        document = nested.credential
        if document is None:
            continue
        rows.append(_imported(session, profile, json.dumps(document, ensure_ascii=False), nested, now))
    if not rows:
        raise Invalid(str(_l("学修記録（CLR）にバッジの証明書が含まれていません。")), {"credential": "clr_size"})
    session.add_all(rows)
    session.flush()
    refresh_badge_skills(session, profile, now=now)
    reindex_profile(session, profile)
    audit.record(session, actor, "learner_record.import", object_type="imported_credential",
                 object_id=rows[0].public_id, credentials=len(rows))  # fmt: skip
    return rows, result.record


# Failed checks that say the issuer's site could not be reached rather than that the credential is
# bad: a refresh keeps the last verdict (the document's own validUntil still applies) and tries again,
# for UNREACHABLE_GRACE after the last check that reached a verdict. Past that, the key or status is
# unknown, and an unknown status never counts as valid: the import stops counting until a check succeeds.
UNREACHABLE_CODES = frozenset(
    {"key_unresolved", "key_unreachable", "status_unknown"}
    # OB 2.0: the hosted assertion, its BadgeClass or its issuer Profile could not be fetched
    | {"hosted_unreachable", "badge_class_unreachable", "issuer_unreachable"}
)
UNREACHABLE_GRACE = timedelta(days=30)


@dataclass(frozen=True)
class RefreshSummary:
    """What `refresh_credentials` did: imported credentials checked, how their verdicts moved, and
    the profiles whose badge-verified skills were recomputed (and how many of those changed)."""

    checked: int = 0
    still_counting: int = 0
    stopped_counting: int = 0
    started_counting: int = 0
    unreachable: int = 0
    profiles_refreshed: int = 0
    profiles_changed: int = 0


def _recheck(session: Session, imported: ImportedCredential, ctx: IssuerContext, now: datetime) -> bool:
    """Verify a stored import again as at import (OB 2.0 ones by OB 2.0's rules); False (and the old verdict
    kept) if the issuer's site could not be reached, within `UNREACHABLE_GRACE` of its last verdict."""
    is_ob2 = imported.badge_format == ob2.FORMAT
    if is_ob2:
        result = ob2.recheck_ob2(imported, ctx, now)
    else:
        result = verify_credential(session, imported.raw, ctx, expected_email=imported.profile.user.email, now=now)
    failed = [c.code for c in result.checks if not c.ok]
    if (
        failed
        and set(failed) <= UNREACHABLE_CODES
        and now - (imported.checked_at or imported.imported_at) < UNREACHABLE_GRACE
    ):
        return False
    imported.is_verified = all(c.ok for c in result.checks if c.check != "recipient")
    recipient = result.code_of("recipient")
    if recipient is not None or not is_ob2:  # OB 2.0 stops at the first failed check: the recipient may not have run
        imported.recipient_matches = recipient == "recipient_matches"
    imported.check_codes = failed
    if result.credential is not None:
        read_until = badges.ob2.expires_of if is_ob2 else _valid_until_of
        imported.valid_until = read_until(result.credential)
    imported.checked_at = now
    return True


def refresh_credentials(session: Session, ctx: IssuerContext, *, now: datetime | None = None) -> RefreshSummary:
    """Re-verify every imported credential (expiry, revocation, keys: the import's checks) and recompute
    the badge-verified skills of each profile whose imports changed verdict or that still holds a
    badge skill past its validUntil, so stored rows match what readers already count.

    A system task (the `refresh-credentials` command), not done for a user: no actor.
    """
    now = now or utcnow()
    counts = dict.fromkeys(("checked", "still_counting", "stopped_counting", "started_counting", "unreachable"), 0)
    touched: set[int] = set()
    last_id = 0
    while True:  # in pages, so a large table is not held in memory at once
        page = session.scalars(
            sa.select(ImportedCredential)
            .where(ImportedCredential.id > last_id)
            .options(selectinload(ImportedCredential.profile).selectinload(Profile.user))
            .order_by(ImportedCredential.id)
            .limit(200)
        ).all()
        if not page:
            break
        for imported in page:
            last_id = imported.id
            counted, until = imported.counts, imported.valid_until
            if not _recheck(session, imported, ctx, now):
                counts["unreachable"] += 1
                continue
            counts["checked"] += 1
            if imported.counts and counted:
                counts["still_counting"] += 1
            elif counted:
                counts["stopped_counting"] += 1
            elif imported.counts:
                counts["started_counting"] += 1
            if (imported.counts, imported.valid_until) != (counted, until):
                touched.add(imported.profile_id)
        session.flush()
    touched.update(
        session.scalars(
            sa.select(ProfileSkill.profile_id)
            .where(ProfileSkill.source == SkillSource.BADGE, ProfileSkill.valid_until <= now)
            .distinct()
        )
    )
    changed = 0
    for profile_id in sorted(touched):
        profile = session.get(Profile, profile_id)
        if profile is not None and refresh_badge_skills(session, profile, now=now):
            reindex_profile(session, profile)
            changed += 1
    return RefreshSummary(**counts, profiles_refreshed=len(touched), profiles_changed=changed)


def remove_imported(session: Session, actor: User, profile: Profile, public_id: str) -> None:
    imported = by_public_id(session, ImportedCredential, public_id)
    if imported.profile_id != profile.id or profile.user_id != actor.id:
        raise NotFound()
    session.delete(imported)
    session.flush()
    refresh_badge_skills(session, profile)


def imported_of(session: Session, profile: Profile) -> list[ImportedCredential]:
    return list(
        session.scalars(
            sa.select(ImportedCredential)
            .where(ImportedCredential.profile_id == profile.id)
            .order_by(ImportedCredential.id.desc())
        )
    )
