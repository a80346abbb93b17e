"""Wallets over OpenID4VCI (#16): a credential offer for one of the caller's claimed credentials, and
/me/wallet-deliveries, what the caller's credentials delivered to wallets."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from pydantic import Field

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation, params
from talentbank.api.schemas import Model, Out, PageQuery, page_of, paginate_sql
from talentbank.credentials import learner_records, records
from talentbank.credentials.context import issuer_context
from talentbank.models import WalletDelivery
from talentbank.wallet import offers
from talentbank.wallet.offers import select_deliveries_of_user
from talentbank.wallet.qr import qr_svg


class WalletOfferIn(Model):
    tx_code: bool = Field(
        True,
        description="ask the wallet for a 6-digit transaction code (recommended: whoever sees the offer "
        "cannot redeem it without the code); false for wallets that cannot enter one",
    )


class WalletOfferOut(Out):
    id: uuid.UUID = Field(description="the offer's own id")
    credential: uuid.UUID | None = Field(
        description="the public id of the credential offered (null for a learner record)"
    )
    learner_record: uuid.UUID | None = Field(
        description="the public id of the CLR 2.0 learner record offered (null for a credential)"
    )
    offer_uri: str = Field(
        description="openid-credential-offer://?credential_offer=… (the offer by value, holding its single-use "
        "pre-authorised code): open it in a wallet or show it as a QR code"
    )
    qr: str = Field(description="the same URI as a QR code, an SVG image as a data: URI")
    tx_code: str | None = Field(description="the transaction code the wallet will ask for, shown only in this answer")
    expires_at: datetime = Field(description="the offer works once, until then")


class WalletDeliveryOut(Out):
    id: uuid.UUID
    credential: uuid.UUID | None = Field(description="the public id of the credential that was copied (null for a "
                                         "learner record)")  # fmt: skip
    learner_record: uuid.UUID | None = Field(description="the public id of the CLR 2.0 learner record that was "
                                             "copied (null for a credential)")  # fmt: skip
    achievement: str = Field(description="the achievement's name, or the learner record's")
    configuration_id: str = Field(description="OpenBadgeCredential_jwt_vc_json or OpenBadgeCredential_ldp_vc; "
                                  "ClrCredential_jwt_vc_json or ClrCredential_ldp_vc for a learner record")  # fmt: skip
    holder_did: str = Field(description="the wallet key the copy is bound to (credentialSubject.id)")
    document_id: str = Field(description="the copy's own id (urn:uuid:…)")
    delivered_at: datetime


WalletDeliveryPage = page_of(WalletDeliveryOut, "WalletDeliveryPage")


def _out(delivery: WalletDelivery) -> WalletDeliveryOut:
    credential, record = delivery.credential, delivery.learner_record
    return WalletDeliveryOut(id=delivery.public_id, credential=credential.public_id if credential else None,
                             learner_record=record.public_id if record else None,
                             achievement=credential.achievement.name if credential else record.name,  # type: ignore[union-attr]
                             configuration_id=delivery.configuration_id, holder_did=delivery.holder_did,
                             document_id=delivery.document_id, delivered_at=delivery.delivered_at)  # fmt: skip


@bp.get("/me/wallet-deliveries")
@operation(tag="account", scope="read", query=PageQuery, ok=WalletDeliveryPage)
def my_wallet_deliveries():
    """The holder-bound copies of the caller's credentials and learner records that went to wallets, newest first"""
    return paginate_sql(params(), select_deliveries_of_user(api_actor()), convert=_out)


@bp.post("/credentials/<credential_id>/wallet-offers")
@operation(tag="credentials", scope="write", json=WalletOfferIn, ok=WalletOfferOut, status=201, errors=(409,))
def create_wallet_offer(credential_id: str):
    """Offer one of the caller's claimed credentials to a wallet (OpenID4VCI 1.0, pre-authorised code): the
    same offer as the credential page's "ウォレットに追加". Only the person who claimed it may (403); a
    revoked or expired credential gets none (409)"""
    credential = records.get_credential(db.session, credential_id)
    created = offers.create_offer(db.session, api_actor(), credential, issuer_context().base_url,
                                  with_tx_code=_with_tx_code())  # fmt: skip
    return _offer_out(created, credential=credential.public_id, learner_record=None), 201


@bp.post("/learner-records/<record_id>/wallet-offers")
@operation(tag="credentials", scope="write", json=WalletOfferIn, ok=WalletOfferOut, status=201, errors=(409,))
def create_learner_record_wallet_offer(record_id: str):
    """Offer the caller's CLR 2.0 learner record to a wallet (ClrCredential, OpenID4VCI 1.0): the same offer
    as the record page's "ウォレットに追加". Only the learner it was issued to may (403); a revoked record
    gets none (409)"""
    record = learner_records.get_learner_record(db.session, record_id)
    created = offers.create_record_offer(db.session, api_actor(), record, issuer_context().base_url,
                                         with_tx_code=_with_tx_code())  # fmt: skip
    return _offer_out(created, credential=None, learner_record=record.public_id), 201


def _with_tx_code() -> bool:
    choice = body()
    return choice.tx_code if choice is not None else True


def _offer_out(created: offers.CreatedOffer, **subject: uuid.UUID | None) -> WalletOfferOut:
    svg = str(qr_svg(created.uri)).encode()
    return WalletOfferOut(id=created.offer.public_id, offer_uri=created.uri, tx_code=created.tx_code,
                          qr="data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
                          expires_at=created.offer.expires_at, **subject)  # fmt: skip
