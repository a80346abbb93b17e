"""Open Badges 2.0 badges people already hold, added to their profile: by the hosted assertion's URL, a
baked PNG/SVG or a signed assertion (JWS), verified by `badges.ob2` with the safe fetcher (`fetch.py`'s
limits). Only a badge that passes every check is added; `imports.refresh_credentials` re-checks it daily."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badges import ob2
from badges.checks import VerificationResult
from talentbank import audit
from talentbank.credentials.alignments import dss_skills, other_alignments, text_of
from talentbank.credentials.claims import refresh_badge_skills
from talentbank.credentials.issuers import IssuerContext
from talentbank.credentials.messages import explain
from talentbank.db import utcnow
from talentbank.errors import Invalid, NotFound
from talentbank.models import ImportedCredential, Profile, User
from talentbank.profiles.search import reindex_profile

FORMAT = "ob2"


def is_ob2(submitted: dict[str, Any] | str) -> bool:
    """Whether a submission (URL, JSON or JWS) is an Open Badges 2.0 badge rather than an OB 3.0 credential."""
    return ob2.is_ob2(submitted)


def confirmed_emails(user: User) -> list[str]:
    """The e-mail addresses of the account that are confirmed (one today: the login address, once confirmed)."""
    return [user.email] if user.email_verified_at is not None else []


def verify_ob2(ctx: IssuerContext, submitted: dict[str, Any] | str, user: User, now: datetime) -> VerificationResult:
    """Every OB 2.0 check of a submission, for `user`'s confirmed addresses, fetching with the app's fetcher."""
    return ob2.verify_ob2(submitted, fetch=ctx.fetch, now=now, recipient_emails=confirmed_emails(user))


def verify_ob2_for_anyone(ctx: IssuerContext, submitted: dict[str, Any] | str, now: datetime) -> VerificationResult:
    """Every OB 2.0 check but the recipient's (the public verify page knows no one to expect)."""
    return ob2.verify_ob2(submitted, fetch=ctx.fetch, now=now, recipient_emails=None)


def refusal(result: VerificationResult) -> str | None:
    """The sentence for the first failed check of an OB 2.0 verification, None if every check passed."""
    failed = next((check for check in result.checks if not check.ok), None)
    if failed is None:
        return None
    return str(_l("このバッジは取り込めません：%(reason)s", reason=explain(failed.code)))


def import_ob2(
    session: Session,
    actor: User,
    profile: Profile,
    submitted: dict[str, Any] | str,
    ctx: IssuerContext,
    *,
    field: str = "credential",
    now: datetime | None = None,
) -> tuple[ImportedCredential, VerificationResult]:
    """Add an OB 2.0 badge to the actor's profile once it passes every check (Invalid on `field` with the
    reason otherwise, and nothing is saved); its alignments that name DSS items become badge-verified."""
    if profile.user_id != actor.id:
        raise NotFound()
    now = now or utcnow()
    if not confirmed_emails(actor):
        raise Invalid.on(field, _l("メールアドレスの確認を済ませてから取り込んでください。"))
    result = verify_ob2(ctx, submitted, actor, now)
    reason = refusal(result)
    if reason is not None:
        raise Invalid.on(field, reason)
    assertion = result.credential or {}
    # A hosted badge is kept as its URL (the hosted copy is the truth, re-read at each check); a signed one as its JWS.
    raw = str(assertion.get("id")) if result.code_of("hosted") else str(submitted).strip()
    same = sa.select(ImportedCredential.id).where(ImportedCredential.profile_id == profile.id)
    if session.scalar(same.where(ImportedCredential.raw == raw)):
        raise Invalid.on(field, _l("このバッジはすでに取り込んでいます。"))
    badge = assertion.get("badge") if isinstance(assertion.get("badge"), dict) else {}
    skills = dss_skills(session, badge.get("alignment"))
    imported = ImportedCredential(
        profile=profile,
        raw=raw,
        badge_format=FORMAT,
        achievement_name=text_of(badge),
        issuer_name=text_of(badge.get("issuer")),
        is_verified=True,
        recipient_matches=True,
        check_codes=[],
        skills=skills,
        other_alignments=other_alignments(session, badge.get("alignment")),
        valid_until=ob2.expires_of(assertion),
        checked_at=now,
    )
    session.add(imported)
    session.flush()
    refresh_badge_skills(session, profile, now=now)
    reindex_profile(session, profile)
    audit.record(session, actor, "credential.import", object_type="imported_credential", object_id=imported.public_id,
                 verified=True, format=FORMAT)  # fmt: skip
    return imported, result


def recheck_ob2(imported: ImportedCredential, ctx: IssuerContext, now: datetime) -> VerificationResult:
    """The OB 2.0 checks of a stored import, again (the daily refresh)."""
    return verify_ob2(ctx, imported.raw, imported.profile.user, now)
