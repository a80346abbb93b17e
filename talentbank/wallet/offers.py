"""Making a wallet offer for one's own claimed credential or learner record, and listing what went to wallets."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from talentbank import audit
from talentbank.credentials.claims import can_claim, is_current
from talentbank.db import utcnow
from talentbank.errors import Conflict, PermissionDenied
from talentbank.models import Credential, LearnerRecord, User, WalletDelivery, WalletOffer
from talentbank.wallet.metadata import CLR_CONFIGURATIONS, CONFIGURATIONS, credential_offer, offer_uri

OFFER_LIFETIME = timedelta(minutes=10)
TX_CODE_LENGTH = 6


def secret_hash(secret: str) -> str:
    """What is stored of a code or token: its SHA-256 (they are random, 256-bit or short-lived)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedOffer:
    """An offer just made, with the secrets shown once: the URI (holding the code) and the transaction code."""

    offer: WalletOffer
    uri: str
    tx_code: str | None


def is_holder(actor: object, credential: Credential) -> bool:
    """The signed-in person who claimed the credential onto their profile."""
    return (
        isinstance(actor, User)
        and actor.is_active
        and credential.profile is not None
        and credential.profile.user_id == actor.id
    )


def create_offer(
    session: Session,
    actor: User,
    credential: Credential,
    issuer: str,
    *,
    with_tx_code: bool = True,
    now: datetime | None = None,
) -> CreatedOffer:
    """A credential offer for the holder's own current credential, valid for OFFER_LIFETIME. The recipient
    who has not claimed it yet is told to claim it first (Conflict); anyone else is refused."""
    if can_claim(actor, credential):
        raise Conflict(str(_l("先にバッジを受け取ってください。受け取ったバッジをウォレットに追加できます。")))
    if not is_holder(actor, credential):
        raise PermissionDenied()
    now = now or utcnow()
    if credential.is_revoked:
        raise Conflict(str(_l("取り消されたバッジはウォレットに追加できません。")))
    if not is_current(credential, now):
        raise Conflict(str(_l("有効期限が切れたバッジはウォレットに追加できません。")))
    return _offer(session, actor, issuer, CONFIGURATIONS, with_tx_code=with_tx_code, now=now, credential=credential)


def is_record_holder(actor: object, record: LearnerRecord) -> bool:
    """The signed-in learner a record was issued to (their confirmed e-mail address is the record's)."""
    return (
        isinstance(actor, User)
        and actor.is_active
        and actor.email_verified_at is not None
        and actor.email == record.recipient_email
    )


def create_record_offer(
    session: Session,
    actor: User,
    record: LearnerRecord,
    issuer: str,
    *,
    with_tx_code: bool = True,
    now: datetime | None = None,
) -> CreatedOffer:
    """A credential offer for the learner's own CLR 2.0 learner record (unless revoked), valid for OFFER_LIFETIME."""
    if not is_record_holder(actor, record):
        raise PermissionDenied()
    if record.is_revoked:
        raise Conflict(str(_l("取り消された学修記録はウォレットに追加できません。")))
    return _offer(session, actor, issuer, CLR_CONFIGURATIONS, with_tx_code=with_tx_code, now=now or utcnow(),
                  learner_record=record)  # fmt: skip


def _offer(
    session: Session,
    actor: User,
    issuer: str,
    configurations: tuple[str, ...],
    *,
    with_tx_code: bool,
    now: datetime,
    credential: Credential | None = None,
    learner_record: LearnerRecord | None = None,
) -> CreatedOffer:
    """Store an offer of `configurations` for the credential or the learner record, with fresh secrets."""
    code = secrets.token_urlsafe(32)
    tx_code = f"{secrets.randbelow(10**TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}" if with_tx_code else None
    offer = WalletOffer(credential=credential, learner_record=learner_record, user_id=actor.id,
                        code_hash=secret_hash(code), tx_code_hash=secret_hash(tx_code) if tx_code else None,
                        created_at=now, expires_at=now + OFFER_LIFETIME)  # fmt: skip
    session.add(offer)
    session.flush()
    subject = credential or learner_record
    audit.record(session, actor, "wallet.offer", object_type="credential" if credential else "learner_record",
                 object_id=str(subject.public_id))  # type: ignore[union-attr]  # fmt: skip
    description = str(_l("talentbankの画面に表示された6桁の確認コード"))
    document = credential_offer(issuer, code, tx_code_length=TX_CODE_LENGTH if tx_code else None,
                                tx_code_description=description, configurations=configurations)  # fmt: skip
    return CreatedOffer(offer=offer, uri=offer_uri(document), tx_code=tx_code)


def deliveries_of_credential(session: Session, actor: object, credential: Credential) -> list[WalletDelivery]:
    """The holder's deliveries of this credential, newest first (none for anyone else)."""
    if not is_holder(actor, credential):
        return []
    return _deliveries(session, actor, WalletDelivery.credential_id == credential.id)  # type: ignore[arg-type]


def deliveries_of_record(session: Session, actor: object, record: LearnerRecord) -> list[WalletDelivery]:
    """The learner's deliveries of this learner record, newest first (none for anyone else)."""
    if not is_record_holder(actor, record):
        return []
    return _deliveries(session, actor, WalletDelivery.learner_record_id == record.id)  # type: ignore[arg-type]


def _deliveries(session: Session, actor: User, of: sa.ColumnElement[bool]) -> list[WalletDelivery]:
    return list(
        session.scalars(
            sa.select(WalletDelivery).where(of, WalletDelivery.user_id == actor.id).order_by(WalletDelivery.id.desc())
        )
    )


def select_deliveries_of_user(user: User) -> sa.Select:
    """Everything delivered to the person's wallets, newest first, with each credential's achievement."""
    return (
        sa.select(WalletDelivery)
        .where(WalletDelivery.user_id == user.id)
        .options(
            selectinload(WalletDelivery.credential).selectinload(Credential.achievement),
            selectinload(WalletDelivery.learner_record),
        )
        .order_by(WalletDelivery.id.desc())
    )
