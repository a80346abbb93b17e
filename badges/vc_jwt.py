"""VC-JWT: an OpenBadgeCredential as a compact JWS (OB 3.0 §8.2 "JSON Web Token Proof Format").

Payload choice: OB 3.0 as published with VC Data Model 2.0 (context 3.0.3) says "the JWT
Payload is the JSON object of the OpenBadgeCredential" with the registered claims ``iss``
(issuer.id), ``jti`` (id), ``nbf`` (validFrom), ``sub`` (credentialSubject.id) and ``exp``
(validUntil) beside its members; the ``vc`` wrapper belongs to VC Data Model 1.1. So we
*issue* the credential at the top level (no ``vc`` claim) and, when *reading*, also accept a
``vc`` claim (VC 1.1 style, as in older 1EdTech fixtures). ``sub`` is only present when the
subject has an ``id`` (a hashed e-mail recipient has none).

Header: exactly ``alg``, ``kid`` and ``typ`` when we sign (we never embed ``jwk``). Verification
accepts EdDSA, ES256 and RS256 only, refuses any other header member (``crit``, ``jku``, ``x5u``,
``x5c`` ...), takes the key from the resolver by ``kid``; a ``jwk`` header (OB 3.0 §8.2.3) is
accepted only when the issuer publishes that key (``issuer_keys.resolve_header_jwk``), and
requires base64url segments in canonical form.
"""

from __future__ import annotations

import base64
import binascii
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from badges.datetimes import parse_datetime
from badges.keys import PublicKey

ALLOWED_ALGORITHMS = ("EdDSA", "ES256", "RS256")
# ``jwk`` (OB 3.0 §8.2.3) only counts when the issuer publishes that key (issuer_keys.resolve_header_jwk).
ALLOWED_HEADER = frozenset({"alg", "kid", "typ", "jwk"})
CLAIM_NAMES = ("iss", "jti", "nbf", "sub", "exp")
PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class JwtFormatError(ValueError):
    """The token is not a well-formed compact JWS with an acceptable header; ``args[0]`` is a code."""


def _algorithm_for(private_key: PrivateKey) -> str:
    if isinstance(private_key, Ed25519PrivateKey):
        return "EdDSA"
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return "ES256"
    return "RS256"


@lru_cache(maxsize=256)
def _numeric_date(text: str) -> int:
    return int(parse_datetime(text).timestamp())


def _subject_id(credential: dict[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, dict) else None
    return subject_id if isinstance(subject_id, str) else None


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    return issuer_id if isinstance(issuer_id, str) else None


def expected_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """Registered claims that mirror the credential (OB 3.0 §8.2.4 JWT Payload Format)."""
    claims: dict[str, Any] = {
        "iss": _issuer_id(credential),
        "jti": credential.get("id"),
        "nbf": _numeric_date(str(credential.get("validFrom"))),
    }
    if _subject_id(credential) is not None:
        claims["sub"] = _subject_id(credential)
    if "validUntil" in credential:
        claims["exp"] = _numeric_date(str(credential["validUntil"]))
    return claims


def sign_jwt(credential: dict[str, Any], private_key: PrivateKey, *, kid: str) -> str:
    """Compact JWS of ``credential`` signed with ``private_key`` (EdDSA for Ed25519 keys)."""
    return jwt_signer(private_key, kid=kid)(credential)


# PyJWT's own encoding of a payload (json.dumps with these separators), made once.
_compact = json.JSONEncoder(separators=(",", ":")).encode


def _b64(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def jwt_signer(private_key: PrivateKey, *, kid: str) -> Callable[[dict[str, Any]], str]:
    """``sign_jwt`` with one key and kid for many credentials: the header is encoded once.

    The tokens are byte for byte those of ``jwt.encode(payload, key, algorithm, headers={"kid",
    "typ"})``: compact JSON (sorted header members, payload members in order, ASCII escapes),
    base64url without padding, and PyJWT's own algorithm object for the signature. The payload is
    one call of the C JSON encoder: encoding a bulk issue's shared issuer and achievement once and
    splicing the text in cost more in Python than the C encoder spends on them.
    """
    algorithm = _algorithm_for(private_key)
    implementation = jwt.get_algorithm_by_name(algorithm)
    key = implementation.prepare_key(private_key)
    weak = implementation.check_key_length(key)
    if weak:
        warnings.warn(weak, jwt.InsecureKeyLengthWarning, stacklevel=2)
    header = json.dumps({"alg": algorithm, "kid": kid, "typ": "JWT"}, separators=(",", ":"), sort_keys=True)
    header_segment = _b64(header.encode())
    reserved = frozenset((*CLAIM_NAMES, "vc"))

    def sign(credential: dict[str, Any]) -> str:
        if not reserved.isdisjoint(credential):
            raise ValueError("credential already carries JWT claim names")
        payload = _compact({**credential, **expected_claims(credential)})
        signing_input = header_segment + b"." + _b64(payload.encode())
        return (signing_input + b"." + _b64(implementation.sign(signing_input, key))).decode("ascii")

    return sign


def _b64decode_canonical(segment: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as error:
        raise JwtFormatError("jwt_malformed") from error
    # Reject non-canonical encodings (stray bits, padding, other alphabets): one token, one form.
    # (The re-encoding also proves every character is in the base64url alphabet.)
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != segment:
        raise JwtFormatError("jwt_malformed")
    return raw


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise JwtFormatError("jwt_malformed") from error
    if not isinstance(value, dict):
        raise JwtFormatError("jwt_malformed")
    return value


@dataclass(frozen=True)
class CompactJws:
    """A compact JWS read once: checked header, payload (signature NOT yet verified), signed bytes."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _segments(token: str) -> list[str]:
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        raise JwtFormatError("jwt_malformed")
    return parts


def _checked_header(raw: bytes) -> dict[str, Any]:
    header = _json_object(raw)
    if set(header) - ALLOWED_HEADER:
        raise JwtFormatError("jwt_header_forbidden")
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise JwtFormatError("jwt_alg_forbidden")
    if "jwk" in header and not isinstance(header["jwk"], dict):
        raise JwtFormatError("jwt_header_forbidden")
    needs_kid = "kid" in header or "jwk" not in header
    if needs_kid and (not isinstance(header.get("kid"), str) or not header["kid"]):
        raise JwtFormatError("jwt_kid_missing")
    if header.get("typ", "JWT") not in ("JWT", "vc+jwt"):
        raise JwtFormatError("jwt_typ_invalid")
    return header


def read_compact(token: str) -> CompactJws:
    """Every segment decoded once, canonically; the header checked as ``read_header`` does.

    The codes are those of ``read_header`` then ``read_payload_unverified``, in that order.
    """
    parts = _segments(token)
    raw = [_b64decode_canonical(part) for part in parts]
    header = _checked_header(raw[0])
    payload = _json_object(raw[1])
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")  # canonical base64url: pure ASCII
    return CompactJws(header, payload, signing_input, raw[2])


def read_header(token: str) -> dict[str, Any]:
    """Checked JOSE header: only alg/kid/typ, alg allowed, kid a string, typ JWT if present."""
    parts = _segments(token)
    for part in parts:
        _b64decode_canonical(part)
    return _checked_header(_b64decode_canonical(parts[0]))


def read_payload_unverified(token: str) -> dict[str, Any]:
    """Payload of a token WITHOUT checking the signature (for display and baking only)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtFormatError("jwt_malformed")
    return _json_object(_b64decode_canonical(parts[1]))


def credential_from_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The credential inside a payload: the ``vc`` claim (VC 1.1) or the payload minus claims."""
    if "vc" in payload:
        if not isinstance(payload["vc"], dict):
            raise JwtFormatError("jwt_malformed")
        return dict(payload["vc"])
    return {key: value for key, value in payload.items() if key not in (*CLAIM_NAMES, "iat", "aud")}


def _key_fits(algorithm: str, key: PublicKey) -> bool:
    if algorithm == "EdDSA":
        return isinstance(key, Ed25519PublicKey)
    if algorithm == "ES256":
        return isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)
    return isinstance(key, rsa.RSAPublicKey) and key.key_size >= 2048


def verify_compact_signature(jws: CompactJws, key: PublicKey) -> None:
    """Check the signature of a token read by ``read_compact`` with ``key`` under its header's alg.

    The crypto is PyJWT's own algorithm object for that alg (EdDSA, ES256 with the raw r||s
    form, RS256), exactly what ``jwt.decode`` runs after parsing; the parsing it would repeat is
    done once, more strictly, by ``read_compact`` (canonical base64url, header members limited
    to alg/kid/typ so no ``crit``/``b64``). Raises JwtFormatError("proof_invalid"/"jwt_key_mismatch").
    """
    algorithm = jws.header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:  # read_compact already refused it; never trust a caller
        raise JwtFormatError("jwt_alg_forbidden")
    if not _key_fits(algorithm, key):
        raise JwtFormatError("jwt_key_mismatch")
    implementation = jwt.get_algorithm_by_name(algorithm)
    try:
        is_valid = implementation.verify(jws.signing_input, implementation.prepare_key(key), jws.signature)
    except (ValueError, TypeError, jwt.PyJWTError) as error:
        raise JwtFormatError("proof_invalid") from error
    if not is_valid:
        raise JwtFormatError("proof_invalid")


def verify_jwt_signature(token: str, header: dict[str, Any], key: PublicKey) -> dict[str, Any]:
    """Payload of ``token`` if its signature verifies with ``key`` under the header's alg.

    ``header`` must be the token's own (checked) header. Time claims are not judged here
    (``verify`` reports validity as its own check).
    Raises JwtFormatError("proof_invalid"/"jwt_key_mismatch", or a parse code).
    """
    jws = read_compact(token)
    if jws.header != header:
        raise JwtFormatError("jwt_malformed")
    verify_compact_signature(jws, key)
    return jws.payload


def claims_mismatches(payload: dict[str, Any], credential: dict[str, Any]) -> list[str]:
    """Names of registered claims that are missing or disagree with the credential (§8.2.6)."""
    try:
        expected = expected_claims(credential)
    except (ValueError, TypeError):
        return ["credential_dates"]
    if "issuanceDate" in credential and "validFrom" not in credential:
        return ["legacy_vc_1_1"]
    wrong = [name for name, value in expected.items() if payload.get(name) != value]
    # A claim the credential does not back (e.g. exp without validUntil) is also a mismatch.
    wrong += [name for name in ("sub", "exp") if name in payload and name not in expected]
    return sorted(set(wrong))
