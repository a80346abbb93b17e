"""The wallet's side of the exchange: the token endpoint (pre-authorised code → access token), c_nonces,
and the credential endpoint (access token + proof → a holder-bound copy), each failure an OAuth error.

OpenID4VCI 1.0 §6 (token), §7 (nonce), §8 (credential). Codes and tokens are single use: a code is
exchanged once (an atomic update), an access token yields each format once, and five wrong transaction
codes burn the offer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank import audit
from talentbank.credentials.claims import is_current
from talentbank.credentials.issuers import IssuerContext
from talentbank.credentials.issuing import sign_holder_copy
from talentbank.credentials.learner_records import sign_record_holder_copy
from talentbank.db import utcnow
from talentbank.models import ProofFormat, WalletDelivery, WalletOffer
from talentbank.wallet.metadata import (
    CLR_CONFIGURATIONS,
    CONFIGURATIONS,
    FORMATS,
    JWT_CONFIGURATIONS,
    PRE_AUTHORIZED_GRANT,
)
from talentbank.wallet.offers import is_record_holder, secret_hash
from talentbank.wallet.proofs import ProofError, check_proof

TOKEN_LIFETIME = timedelta(minutes=10)
NONCE_LIFETIME = timedelta(minutes=5)
MAX_TX_CODE_FAILURES = 5


class OAuthError(Exception):
    """A protocol error: HTTP status, the `error` code and an `error_description`."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int


def redeem_code(
    session: Session, grant_type: str | None, code: str | None, tx_code: str | None, *, now: datetime | None = None
) -> AccessToken:
    """Exchange a pre-authorised code (and its transaction code) for an access token, once."""
    now = now or utcnow()
    if not grant_type:
        raise OAuthError(400, "invalid_request", "grant_type is missing (send application/x-www-form-urlencoded)")
    if grant_type != PRE_AUTHORIZED_GRANT:
        raise OAuthError(400, "unsupported_grant_type", "only the pre-authorized_code grant is supported")
    if not code or len(code) > 200:
        raise OAuthError(400, "invalid_request", "pre-authorized_code is missing")
    offer = session.scalar(sa.select(WalletOffer).where(WalletOffer.code_hash == secret_hash(code)))
    if offer is None or offer.redeemed_at is not None or offer.expires_at <= now:
        raise OAuthError(400, "invalid_grant", "the pre-authorized code is unknown, used or expired")
    if offer.tx_code_hash is not None:
        if not tx_code:
            raise OAuthError(400, "invalid_request", "tx_code is required")
        if not hmac.compare_digest(secret_hash(tx_code[:20]), offer.tx_code_hash):
            failed = offer.failed_tx_codes + 1
            burnt = {"redeemed_at": now} if failed >= MAX_TX_CODE_FAILURES else {}
            session.execute(sa.update(WalletOffer).where(WalletOffer.id == offer.id)
                            .values(failed_tx_codes=failed, **burnt))  # fmt: skip
            raise OAuthError(400, "invalid_grant", "the transaction code is wrong")
    if not _is_still_offered(offer, now):
        raise OAuthError(400, "invalid_grant", "the credential was revoked or has expired")
    token = secrets.token_urlsafe(32)
    claimed = session.execute(
        sa.update(WalletOffer)
        .where(WalletOffer.id == offer.id, WalletOffer.redeemed_at.is_(None))
        .values(redeemed_at=now, access_token_hash=secret_hash(token), access_token_expires_at=now + TOKEN_LIFETIME)
    )
    if claimed.rowcount != 1:  # another request exchanged it first
        raise OAuthError(400, "invalid_grant", "the pre-authorized code is unknown, used or expired")
    return AccessToken(token=token, expires_in=int(TOKEN_LIFETIME.total_seconds()))


def _is_still_offered(offer: WalletOffer, now: datetime) -> bool:
    """The offer's credential is current and still the person's, or its learner record is unrevoked and theirs."""
    record, credential = offer.learner_record, offer.credential
    if record is not None:
        return not record.is_revoked and is_record_holder(offer.user, record)
    return (
        credential is not None
        and is_current(credential, now)
        and credential.profile is not None
        and credential.profile.user_id == offer.user_id
    )


def _nonce_mac(secret: bytes, body: str) -> str:
    return hmac.new(secret, f"oid4vci-nonce:{body}".encode(), hashlib.sha256).hexdigest()[:32]


def new_nonce(secret: bytes, *, now: datetime | None = None) -> str:
    """A c_nonce: its time and randomness, MACed with the app's secret (nothing stored)."""
    body = f"{int((now or utcnow()).timestamp())}.{secrets.token_urlsafe(16)}"
    return f"{body}.{_nonce_mac(secret, body)}"


def is_fresh_nonce(secret: bytes, nonce: str, *, now: datetime) -> bool:
    """One of our nonces, at most NONCE_LIFETIME old."""
    body, _, mac = nonce.rpartition(".")
    issued = body.partition(".")[0]
    if not mac or not issued.isdigit() or not hmac.compare_digest(mac, _nonce_mac(secret, body)):
        return False
    return 0 <= now.timestamp() - int(issued) <= NONCE_LIFETIME.total_seconds()


def _offer_for_token(session: Session, token: str | None, now: datetime) -> WalletOffer:
    offer = None
    if token and len(token) <= 200:
        offer = session.scalar(sa.select(WalletOffer).where(WalletOffer.access_token_hash == secret_hash(token)))
    if offer is None or offer.access_token_expires_at is None or offer.access_token_expires_at <= now:
        raise OAuthError(401, "invalid_token", "the access token is unknown or expired")
    return offer


def _proof_jwt(body: dict[str, Any]) -> Any:
    """The one JWT proof: `proofs.jwt[0]` (1.0), or the older single `proof` object."""
    proofs, proof = body.get("proofs"), body.get("proof")
    if isinstance(proofs, dict):
        jwts = proofs.get("jwt")
        if set(proofs) != {"jwt"} or not isinstance(jwts, list) or len(jwts) != 1:
            raise OAuthError(400, "invalid_proof", "proofs must hold exactly one jwt proof")
        return jwts[0]
    if isinstance(proof, dict) and proof.get("proof_type") == "jwt":
        return proof.get("jwt")
    raise OAuthError(400, "invalid_proof", "a jwt proof is required")


def deliver_credential(
    session: Session,
    token: str | None,
    body: Any,
    ctx: IssuerContext,
    nonce_secret: bytes,
    *,
    now: datetime | None = None,
) -> tuple[WalletDelivery, dict[str, Any] | str]:
    """Check the access token, request and proof; sign and record the holder-bound copy of the offer's
    credential or learner record."""
    now = now or utcnow()
    offer = _offer_for_token(session, token, now)
    if not isinstance(body, dict):
        raise OAuthError(400, "invalid_credential_request", "the body must be a JSON object")
    configuration = body.get("credential_configuration_id")
    if configuration is None and "format" in body:  # a wallet of the drafts before 1.0 names a format
        if body["format"] not in FORMATS:
            raise OAuthError(400, "unsupported_credential_format", f"formats issued: {', '.join(FORMATS)}")
        raise OAuthError(400, "invalid_credential_request", "send credential_configuration_id (OpenID4VCI 1.0)")
    if "credential_identifier" in body or not isinstance(configuration, str):
        raise OAuthError(400, "invalid_credential_request", "send credential_configuration_id")
    if configuration not in CONFIGURATIONS + CLR_CONFIGURATIONS:
        raise OAuthError(400, "unknown_credential_configuration", "unknown credential_configuration_id")
    if configuration not in (CLR_CONFIGURATIONS if offer.learner_record_id is not None else CONFIGURATIONS):
        raise OAuthError(400, "invalid_credential_request", "the offer is not for that credential_configuration_id")
    try:
        proof = check_proof(_proof_jwt(body), audience=ctx.base_url, now=now)
    except ProofError as error:
        raise OAuthError(400, error.code, error.reason) from None
    if not is_fresh_nonce(nonce_secret, proof.nonce, now=now):
        raise OAuthError(400, "invalid_nonce", "the nonce is not a fresh c_nonce from the nonce endpoint")
    if not _is_still_offered(offer, now):
        raise OAuthError(400, "credential_request_denied", "the credential was revoked, has expired or left you")
    if any(d.configuration_id == configuration for d in offer.deliveries):
        raise OAuthError(400, "credential_request_denied", "this offer already delivered that format")
    proof_format = ProofFormat.JWT if configuration in JWT_CONFIGURATIONS else ProofFormat.DATA_INTEGRITY
    document_id = f"urn:uuid:{uuid.uuid4()}"
    record, credential = offer.learner_record, offer.credential
    if record is not None:
        signed = sign_record_holder_copy(session, record, proof.holder_did, proof_format, ctx,
                                         document_id=document_id, now=now)  # fmt: skip
    else:
        signed = sign_holder_copy(session, credential, proof.holder_did, proof_format, ctx,  # type: ignore[arg-type]
                                  document_id=document_id, now=now)  # fmt: skip
    delivery = WalletDelivery(offer=offer, credential=credential, learner_record=record, user_id=offer.user_id,
                              configuration_id=configuration, holder_did=proof.holder_did,
                              document_id=document_id, delivered_at=now)  # fmt: skip
    session.add(delivery)
    session.flush()
    subject = record or credential
    audit.record(session, offer.user, "wallet.deliver", object_type="learner_record" if record else "credential",
                 object_id=str(subject.public_id), configuration=configuration)  # type: ignore[union-attr]  # fmt: skip
    return delivery, signed
