"""Revocation: an issuer withdraws credentials; the status list bit tells every verifier, and the
badge-verified skills they gave are recomputed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

import badges
from talentbank import audit
from talentbank.credentials.claims import refresh_badge_skills
from talentbank.credentials.issuers import forget_cached
from talentbank.credentials.records import get_credential
from talentbank.db import utcnow
from talentbank.errors import Conflict, NotFound
from talentbank.models import Achievement, Credential, User
from talentbank.security import require


def revoke_credential(session: Session, actor: User, credential: Credential, reason: str) -> None:
    """Revoke: set the status bit (so every verifier sees it) and withdraw the badge-verified skills."""
    require(actor, "issue", credential.achievement.organisation)
    if credential.revoked_at is not None:
        raise Conflict(str(_l("このバッジはすでに取り消されています。")))
    now = utcnow()
    credential.revoked_at = now
    credential.revocation_reason = reason.strip()[:300]
    status_list = credential.status_list
    status_list.encoded_list = badges.set_status(status_list.encoded_list, credential.status_index, is_set=True)
    status_list.updated_at = now.replace(microsecond=0)
    session.flush()
    forget_cached()
    if credential.profile is not None:
        refresh_badge_skills(session, credential.profile, now=now)
    audit.record(session, actor, "credential.revoke", object_type="credential", object_id=credential.public_id,
                 reason=credential.revocation_reason)  # fmt: skip


def revoke_many(session: Session, actor: User, achievement: Achievement, public_ids: list[str], reason: str) -> int:
    """Revoke several credentials of one achievement; returns how many were revoked now."""
    require(actor, "issue", achievement.organisation)
    count = 0
    for public_id in public_ids:
        credential = get_credential(session, public_id)
        if credential.achievement_id != achievement.id:
            raise NotFound()
        if credential.revoked_at is None:
            revoke_credential(session, actor, credential, reason)
            count += 1
    return count
