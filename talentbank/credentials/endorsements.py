"""Endorsements: a verified issuer signs an EndorsementCredential about another organisation's
achievement (the prefecture's way of vouching for a badge), and every page shows whether it verifies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

import badges
from talentbank import audit
from talentbank.credentials.issuers import (
    IssuerContext,
    achievement_url,
    active_key,
    is_issuer,
    issuer_did,
    private_key,
)
from talentbank.credentials.verification import verify_credential
from talentbank.db import utcnow
from talentbank.errors import Conflict, Invalid
from talentbank.models import Achievement, Endorsement, Membership, MembershipRole, Organisation, User
from talentbank.security import require


def endorse(
    session: Session, actor: User, achievement: Achievement, endorser: Organisation, comment: str, ctx: IssuerContext
) -> Endorsement:
    """Sign an EndorsementCredential (Data Integrity) by `endorser` about the achievement."""
    require(actor, "manage_issuer", endorser)
    key = active_key(session, endorser)
    if key is None:
        raise Conflict(str(_l("推薦するには、推薦する組織を発行者として設定してください。")))
    if endorser.id == achievement.organisation_id:
        raise Conflict(str(_l("自分の組織のバッジは推薦できません。")))
    existing = session.scalar(
        sa.select(Endorsement).where(
            Endorsement.achievement_id == achievement.id, Endorsement.endorser_id == endorser.id
        )
    )
    if existing is not None:
        raise Conflict(str(_l("この組織はすでに推薦しています。")))
    comment = comment.strip()
    if not comment or len(comment) > 2000:
        raise Invalid.on("comment", _l("推薦のコメントを2000文字以内で入力してください。"))
    now = utcnow().replace(microsecond=0)
    did = issuer_did(ctx.base_url, endorser)
    endorsement = Endorsement(public_id=uuid.uuid4(), achievement=achievement, endorser=endorser, comment=comment,
                              created_at=now)  # fmt: skip
    unsigned = badges.build_endorsement(
        endorser=badges.IssuerProfile(id=did, name=endorser.name, url=f"{ctx.base_url}/orgs/{endorser.public_id}"),
        achievement_id=achievement_url(ctx.base_url, achievement),
        comment=comment,
        valid_from=now,
        credential_id=f"{ctx.base_url}/endorsements/{endorsement.public_id}",
        name=f"{endorser.name} による推薦",
    )
    endorsement.document = badges.sign_data_integrity(
        unsigned, private_key(key, ctx.fernet), verification_method=f"{did}#{key.public_key_multibase}", created=now
    )
    session.add(endorsement)
    session.flush()
    audit.record(session, actor, "achievement.endorse", object_type="achievement", object_id=achievement.public_id,
                 endorser=str(endorser.public_id))  # fmt: skip
    return endorsement


def endorsements_of(session: Session, achievement: Achievement) -> list[Endorsement]:
    return list(
        session.scalars(
            sa.select(Endorsement)
            .where(Endorsement.achievement_id == achievement.id)
            .options(selectinload(Endorsement.endorser))
            .order_by(Endorsement.id)
        )
    )


@dataclass(frozen=True)
class CheckedEndorsement:
    """An endorsement and whether its signed EndorsementCredential verifies now."""

    endorsement: Endorsement
    verified: bool


def checked_endorsements(
    session: Session, achievement: Achievement, ctx: IssuerContext, *, now: datetime | None = None
) -> list[CheckedEndorsement]:
    """The achievement's endorsements, oldest first, each verified (signature, endorser key, validity) as
    every page and the API show them."""
    now = now or utcnow()
    return [check_endorsement(session, e, ctx, now=now) for e in endorsements_of(session, achievement)]


def check_endorsement(
    session: Session, endorsement: Endorsement, ctx: IssuerContext, *, now: datetime | None = None
) -> CheckedEndorsement:
    """One endorsement with whether its EndorsementCredential verifies at `now`."""
    return CheckedEndorsement(endorsement, verify_credential(session, endorsement.document, ctx, now=now).verified)


def organisations_that_may_endorse(session: Session, actor: User, achievement: Achievement) -> list[Organisation]:
    """The actor's organisations that could endorse this achievement now (owners of other issuers)."""
    organisations = session.scalars(
        sa.select(Organisation)
        .join(Membership)
        .where(
            Membership.user_id == actor.id,
            Membership.role == MembershipRole.OWNER,
            Organisation.verified_at.is_not(None),
            Organisation.id != achievement.organisation_id,
        )
    ).all()
    done = {e.endorser_id for e in endorsements_of(session, achievement)}
    return [o for o in organisations if o.id not in done and is_issuer(session, o)]
