"""Reissuing: one click for the issuer gives the recipient a new credential of the same achievement
(today's contexts and key) and revokes the old one, e.g. for holders of badges that named the retired
talentbank context (issue 21).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from talentbank import audit
from talentbank.credentials.claims import attach
from talentbank.credentials.inputs import AwardInput
from talentbank.credentials.issuers import IssuerContext
from talentbank.credentials.issuing import issue_credential
from talentbank.credentials.revocation import revoke_credential
from talentbank.errors import Conflict
from talentbank.models import Credential, User
from talentbank.security import require


def reissue_credential(
    session: Session, actor: User, credential: Credential, ctx: IssuerContext, *, now: datetime | None = None
) -> Credential:
    """Issue the same achievement to the same recipient (name, e-mail, evidence) and revoke the old one.

    A credential already on the recipient's profile puts the new one there too; otherwise the
    recipient is mailed a claim link as for any award. A revoked credential is not reissued (so a
    second click does not issue twice).
    """
    require(actor, "issue", credential.achievement.organisation)
    if credential.revoked_at is not None:
        raise Conflict(str(_l("取り消されたバッジは再発行できません。")))
    evidence_url, narrative = _first_evidence(credential.document)
    award = AwardInput(email=credential.recipient_email, name=credential.recipient_name,
                       evidence_url=evidence_url, narrative=narrative)  # fmt: skip
    new = issue_credential(session, actor, credential.achievement, award, ctx, now=now)
    # Data in the issuer's language (shown beside the old badge), like other revocation reasons.
    revoke_credential(
        session, actor, credential, f"再発行のため（新しいバッジ: {ctx.base_url}/credentials/{new.public_id}）"
    )
    if credential.profile is not None:
        attach(session, new, credential.profile, now=now)
    audit.record(session, actor, "credential.reissue", object_type="credential", object_id=new.public_id,
                 replaces=str(credential.public_id))  # fmt: skip
    return new


def _first_evidence(document: dict[str, Any]) -> tuple[str, str]:
    """The evidence URL and narrative the award was made with (the first Evidence, as issuing writes one)."""
    evidence = document.get("evidence")
    first = evidence[0] if isinstance(evidence, list) and evidence else {}
    first = first if isinstance(first, dict) else {}
    url, narrative = first.get("id"), first.get("narrative")
    return (url if isinstance(url, str) else "")[:500], (narrative if isinstance(narrative, str) else "")[:2000]
