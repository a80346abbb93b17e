"""/me/wallet-deliveries: what the caller's credentials delivered to wallets (OpenID4VCI, #16)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from talentbank.api.core import api_actor, bp, operation, params
from talentbank.api.schemas import Out, PageQuery, page_of, paginate_sql
from talentbank.models import WalletDelivery
from talentbank.wallet.offers import select_deliveries_of_user


class WalletDeliveryOut(Out):
    id: uuid.UUID
    credential: uuid.UUID = Field(description="the public id of the credential that was copied")
    achievement: str = Field(description="the achievement's name")
    configuration_id: str = Field(description="OpenBadgeCredential_jwt_vc_json or OpenBadgeCredential_ldp_vc")
    holder_did: str = Field(description="the wallet key the copy is bound to (credentialSubject.id)")
    document_id: str = Field(description="the copy's own id (urn:uuid:…)")
    delivered_at: datetime


WalletDeliveryPage = page_of(WalletDeliveryOut, "WalletDeliveryPage")


def _out(delivery: WalletDelivery) -> WalletDeliveryOut:
    return WalletDeliveryOut(id=delivery.public_id, credential=delivery.credential.public_id,
                             achievement=delivery.credential.achievement.name,
                             configuration_id=delivery.configuration_id, holder_did=delivery.holder_did,
                             document_id=delivery.document_id, delivered_at=delivery.delivered_at)  # fmt: skip


@bp.get("/me/wallet-deliveries")
@operation(tag="account", scope="read", query=PageQuery, ok=WalletDeliveryPage)
def my_wallet_deliveries():
    """The holder-bound copies of the caller's credentials that went to wallets, newest first"""
    return paginate_sql(params(), select_deliveries_of_user(api_actor()), convert=_out)
