"""Making a wallet offer for one's own claimed credential, and listing what went to wallets."""

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
from talentbank.models import Credential, User, WalletDelivery, WalletOffer
from talentbank.wallet.metadata import credential_offer, offer_uri

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
    code = secrets.token_urlsafe(32)
    tx_code = f"{secrets.randbelow(10**TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}" if with_tx_code else None
    offer = WalletOffer(credential_id=credential.id, user_id=actor.id, code_hash=secret_hash(code),
                        tx_code_hash=secret_hash(tx_code) if tx_code else None, created_at=now,
                        expires_at=now + OFFER_LIFETIME)  # fmt: skip
    session.add(offer)
    session.flush()
    audit.record(session, actor, "wallet.offer", object_type="credential", object_id=credential.public_id)
    description = str(_l("talentbankの画面に表示された6桁の確認コード"))
    document = credential_offer(issuer, code, tx_code_length=TX_CODE_LENGTH if tx_code else None,
                                tx_code_description=description)  # fmt: skip
    return CreatedOffer(offer=offer, uri=offer_uri(document), tx_code=tx_code)


def deliveries_of_credential(session: Session, actor: object, credential: Credential) -> list[WalletDelivery]:
    """The holder's deliveries of this credential, newest first (none for anyone else)."""
    if not is_holder(actor, credential):
        return []
    return list(
        session.scalars(
            sa.select(WalletDelivery)
            .where(WalletDelivery.credential_id == credential.id, WalletDelivery.user_id == actor.id)  # type: ignore[union-attr]
            .order_by(WalletDelivery.id.desc())
        )
    )


def select_deliveries_of_user(user: User) -> sa.Select:
    """Everything delivered to the person's wallets, newest first, with each credential's achievement."""
    return (
        sa.select(WalletDelivery)
        .where(WalletDelivery.user_id == user.id)
        .options(selectinload(WalletDelivery.credential).selectinload(Credential.achievement))
        .order_by(WalletDelivery.id.desc())
    )
