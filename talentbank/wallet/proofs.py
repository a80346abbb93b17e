"""The wallet's proof of possession: a JWT proof (OpenID4VCI 1.0 Appendix F.1), checked without Flask.

The header carries `typ: openid4vci-proof+jwt`, an asymmetric `alg` and exactly one key: `kid` as a
did:key DID URL, or `jwk` (a public key). The payload's `aud` is the credential issuer, `iat` is recent
and `nonce` is the c_nonce the issuer gave (the caller checks that it is one of ours). The holder DID
bound into the credential is the did:key, or did:jwk of the embedded key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

import badges
from badges.keys import key_from_jwk
from badges.presentation import did_jwk
from talentbank.wallet.metadata import PROOF_ALGORITHMS, PROOF_TYPE

MAX_AGE = timedelta(minutes=5)
LEEWAY = timedelta(seconds=60)
MAX_LENGTH = 8_000


class ProofError(ValueError):
    """The proof is refused; `code` is the OpenID4VCI error (invalid_proof or invalid_nonce), `reason` why."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Proof:
    """A checked proof: the holder DID to bind, the nonce it carried and the wallet's client id if any."""

    holder_did: str
    nonce: str
    client_id: str | None


def _holder_key(header: dict[str, Any]) -> tuple[Any, str]:
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None) or "x5c" in header:
        raise ProofError("invalid_proof", "the proof must name exactly one key: kid (did:key) or jwk")
    try:
        if jwk is not None:
            if not isinstance(jwk, dict):
                raise ProofError("invalid_proof", "jwk must be a JSON object")
            return key_from_jwk(jwk), did_jwk(jwk)
        if not isinstance(kid, str) or not kid.startswith("did:key:"):
            raise ProofError("invalid_proof", "kid must be a did:key DID URL")
        return badges.decode_did_key(kid), kid.partition("#")[0]
    except badges.KeyResolutionError as error:
        raise ProofError("invalid_proof", f"unusable key: {error}") from None


def check_proof(token: Any, *, audience: str, now: datetime) -> Proof:
    """Verify a JWT proof's header, signature, audience and age; raises ProofError."""
    if not isinstance(token, str) or not token or len(token) > MAX_LENGTH:
        raise ProofError("invalid_proof", "the proof must be a compact JWT")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise ProofError("invalid_proof", "the proof is not a JWT") from None
    if header.get("typ") != PROOF_TYPE:
        raise ProofError("invalid_proof", f"typ must be {PROOF_TYPE}")
    algorithm = header.get("alg")
    if algorithm not in PROOF_ALGORITHMS:
        raise ProofError("invalid_proof", f"alg must be one of {', '.join(PROOF_ALGORITHMS)}")
    if "crit" in header:
        raise ProofError("invalid_proof", "crit is not supported")
    key, holder_did = _holder_key(header)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=audience,
            options={"require": ["aud", "iat"], "verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )
    except jwt.InvalidAudienceError:
        raise ProofError("invalid_proof", "aud is not this credential issuer") from None
    except jwt.PyJWTError as error:
        raise ProofError("invalid_proof", f"the proof does not verify: {error}") from None
    issued = claims["iat"]
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        raise ProofError("invalid_proof", "iat must be a number")
    moment = now.timestamp()
    if issued > moment + LEEWAY.total_seconds() or issued < moment - MAX_AGE.total_seconds():
        raise ProofError("invalid_proof", "iat is not recent")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise ProofError("invalid_nonce", "the proof carries no nonce")
    client_id = claims.get("iss")
    return Proof(holder_did=holder_did, nonce=nonce, client_id=client_id if isinstance(client_id, str) else None)
