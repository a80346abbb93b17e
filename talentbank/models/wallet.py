"""Wallet offers and deliveries (OpenID4VCI 1.0, pre-authorised code flow, #16).

An offer is made by the person holding a claimed credential, for that credential only, or by a learner
for their CLR 2.0 learner record (exactly one of `credential_id`, `learner_record_id`). Only hashes of
its secrets are kept: the pre-authorised code, the optional transaction code and the access token the
code is exchanged for. A delivery is one holder-bound copy of the credential or record handed to a wallet.
A presentation request is talentbank asking a person's wallet to present badges (OpenID4VP / DIDAuth)
for one purpose, with a single-use challenge.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talentbank.db import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from talentbank.models.accounts import User
    from talentbank.models.credentials import Credential, LearnerRecord
    from talentbank.models.projects import Application


class WalletOffer(Base):
    """A credential offer for one credential to one person; its code works once, until it expires."""

    __tablename__ = "wallet_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    credential_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credentials.id", ondelete="CASCADE"), index=True)
    learner_record_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("learner_records.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # sha256 hex of the pre-authorised code
    tx_code_hash: Mapped[str | None] = mapped_column(sa.String(64))
    failed_tx_codes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    access_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    credential: Mapped[Credential | None] = relationship()
    learner_record: Mapped[LearnerRecord | None] = relationship()
    user: Mapped[User] = relationship()
    deliveries: Mapped[list[WalletDelivery]] = relationship(back_populates="offer", order_by="WalletDelivery.id")


class WalletDelivery(Base):
    """One holder-bound copy of a credential handed to a wallet: which format, to which holder DID."""

    __tablename__ = "wallet_deliveries"
    __table_args__ = (sa.UniqueConstraint("offer_id", "configuration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("wallet_offers.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credentials.id", ondelete="CASCADE"), index=True)
    learner_record_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("learner_records.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    configuration_id: Mapped[str] = mapped_column(sa.String(64))
    holder_did: Mapped[str] = mapped_column(sa.Text)
    document_id: Mapped[str] = mapped_column(sa.String(80))  # the copy's own id, urn:uuid:…
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    offer: Mapped[WalletOffer] = relationship(back_populates="deliveries")
    credential: Mapped[Credential | None] = relationship()
    learner_record: Mapped[LearnerRecord | None] = relationship()


class PresentationPurpose(enum.StrEnum):
    APPLICATION = "application"  # badges attached to one of the person's applications
    IMPORT = "import"  # badges imported into the person's profile


class PresentationRequest(Base):
    """A request for a verifiable presentation from one person for one purpose: its challenge works once,
    until it expires. Once a presentation was accepted, who held it and what each credential showed."""

    __tablename__ = "presentation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[PresentationPurpose] = mapped_column(str_enum(PresentationPurpose, 12))
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    # A nonce, not a secret: it only names the request a holder signs for (the holder's key is the proof).
    challenge: Mapped[str] = mapped_column(sa.String(64), unique=True)
    domain: Mapped[str] = mapped_column(sa.Text)  # the base URL: the Data Integrity domain and the JWT aud
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    holder_did: Mapped[str | None] = mapped_column(sa.Text)
    verified: Mapped[bool | None]
    # Per credential presented: {"name", "issuer", "verified", "problems": [codes], "imported": id | None}
    result: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON(none_as_null=True))

    user: Mapped[User] = relationship()
    application: Mapped[Application | None] = relationship()
