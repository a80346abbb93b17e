"""Verifiable presentations (#16): a holder shows credentials with a proof of who they are, for one
challenge and one domain. Checked without Flask, a database or the network.

Two forms are read:

- Data Integrity (VC Data Model 2.0 §4.13, VC-DI-EdDSA): a ``VerifiablePresentation`` with one
  eddsa-rdfc-2022 proof, ``proofPurpose: authentication``, ``challenge`` and ``domain``, by the key of
  the holder's did:key (or did:jwk). Credentials are embedded objects, or VC-JWTs as
  ``EnvelopedVerifiableCredential`` (``data:application/vc+jwt,<jwt>``).
- VP-JWT (OpenID4VP ``jwt_vc_json``): a compact JWT whose payload holds ``vp``, ``nonce`` (the
  challenge), ``aud`` (the domain) and ``iss`` (the holder DID); ``alg`` EdDSA or ES256 and exactly one
  key, ``kid`` a did:key/did:jwk DID URL or a ``jwk`` header (the holder is then its did:jwk).

``refusal`` codes (the presentation as a whole; none when its proof, challenge and domain hold):
presentation_unreadable, presentation_too_large, not_a_presentation, holder_proof_missing,
holder_proof_unsupported, holder_proof_purpose, holder_key_unresolved, holder_proof_invalid,
holder_mismatch, challenge_mismatch, domain_mismatch, presentation_expired, no_credentials,
too_many_credentials. Each credential then goes to the caller's ``verify_credential`` (``badges.verify``
with the app's resolvers: issuer proof, status, validity) and must name the presenting holder as its
``credentialSubject.id`` (else ``subject_not_holder``). The caller checks that the challenge is its own,
unused and unexpired.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from badges.checks import VerificationResult
from badges.contexts import check_terms
from badges.data_integrity import ProofError, check_proof_shape, data_integrity_proofs, sign_data_integrity
from badges.data_integrity import verify_data_integrity as _verify_proof
from badges.errors import BadgeError
from badges.keys import KeyResolutionError, PublicKey, decode_did_key, key_from_jwk
from badges.parsing import MAX_DEPTH, MAX_INPUT_CHARS, json_depth

PRESENTATION_TYPE = "VerifiablePresentation"
ALGORITHMS = ("EdDSA", "ES256")
MAX_CREDENTIALS = 10
LEEWAY = timedelta(seconds=60)
ENVELOPED_JWT = "data:application/vc+jwt,"
_KEY_MEMBERS = {"kty", "crv", "x", "y"}
_PROOF_CODES = {"proof_missing": "holder_proof_missing", "proof_malformed": "holder_proof_missing",
                "proof_unsupported": "holder_proof_unsupported",
                "proof_purpose_mismatch": "holder_proof_purpose"}  # fmt: skip

VerifyCredential = Callable[[dict[str, Any] | str], VerificationResult]


class Refused(ValueError):
    """The presentation as a whole is refused; ``args[0]`` is the refusal code."""


@dataclass(frozen=True)
class PresentedCredential:
    """One credential of a presentation: the verifier's result, and whether it names the holder."""

    result: VerificationResult
    document: dict[str, Any] | str  # as presented: a JSON object, or a compact VC-JWT
    holder_bound: bool

    @property
    def problems(self) -> list[str]:
        """The failed check codes, ``subject_not_holder`` last if the credential names someone else."""
        failed = [check.code for check in self.result.checks if not check.ok]
        return failed + ([] if self.holder_bound else ["subject_not_holder"])

    @property
    def verified(self) -> bool:
        return bool(self.result.checks) and not self.problems


@dataclass(frozen=True)
class PresentationResult:
    format: str  # "ldp_vp", "jwt_vp" or "unknown"
    holder: str | None
    refusal: str | None
    credentials: tuple[PresentedCredential, ...] = ()

    @property
    def verified(self) -> bool:
        """The holder's proof, the challenge and the domain hold, and every credential verified."""
        return self.refusal is None and bool(self.credentials) and all(c.verified for c in self.credentials)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def did_jwk(jwk: dict[str, Any]) -> str:
    """did:jwk of a public JWK (its key members only, in sorted compact JSON)."""
    members = {k: jwk[k] for k in sorted(jwk) if k in _KEY_MEMBERS}
    return "did:jwk:" + _b64(json.dumps(members, separators=(",", ":")).encode())


def holder_key(did_url: Any) -> tuple[PublicKey, str]:
    """The public key and the DID behind a holder's did:key or did:jwk DID URL; KeyResolutionError."""
    if not isinstance(did_url, str):
        raise KeyResolutionError("the key must be named by a DID URL")
    did, _, fragment = did_url.partition("#")
    if did.startswith("did:key:"):
        return decode_did_key(did_url), did
    if did.startswith("did:jwk:") and fragment in ("", "0"):
        encoded = did[len("did:jwk:") :]
        try:
            jwk = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        except (ValueError, TypeError) as error:
            raise KeyResolutionError("unreadable did:jwk") from error
        return key_from_jwk(jwk), did
    raise KeyResolutionError("the holder must be a did:key or did:jwk")


def _holder_id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _types(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _credentials_of(vp: dict[str, Any]) -> list[dict[str, Any] | str]:
    if vp.get("type") is None or PRESENTATION_TYPE not in _types(vp.get("type")):
        raise Refused("not_a_presentation")
    listed = vp.get("verifiableCredential")
    items = [] if listed is None else listed if isinstance(listed, list) else [listed]
    if not items:
        raise Refused("no_credentials")
    if len(items) > MAX_CREDENTIALS:
        raise Refused("too_many_credentials")
    credentials: list[dict[str, Any] | str] = []
    for item in items:
        enveloped = isinstance(item, dict) and "EnvelopedVerifiableCredential" in _types(item.get("type"))
        if enveloped and isinstance(item.get("id"), str) and item["id"].startswith(ENVELOPED_JWT):
            credentials.append(item["id"][len(ENVELOPED_JWT) :])
        else:
            credentials.append(item)
    return credentials


def _check_data_integrity(vp: dict[str, Any], challenge: str, domain: str) -> str:
    """The holder DID of a Data Integrity presentation whose proof, challenge and domain hold."""
    try:
        proofs = data_integrity_proofs(vp)
        if len(proofs) != 1:
            raise ProofError("proof_unsupported")
        proof = proofs[0]
        check_proof_shape(proof, "authentication")
    except ProofError as error:
        raise Refused(_PROOF_CODES.get(str(error), "holder_proof_unsupported")) from None
    try:
        key, holder = holder_key(proof["verificationMethod"])
    except KeyResolutionError:
        raise Refused("holder_key_unresolved") from None
    if not isinstance(key, Ed25519PublicKey):
        raise Refused("holder_proof_unsupported")
    try:
        check_terms(vp)
        is_valid = _verify_proof(vp, proof, key, purpose="authentication")
    except (BadgeError, ProofError, ValueError, TypeError, KeyError):
        is_valid = False
    if not is_valid:
        raise Refused("holder_proof_invalid")
    if proof.get("challenge") != challenge:
        raise Refused("challenge_mismatch")
    domains = proof.get("domain")
    if domain not in (domains if isinstance(domains, list) else [domains]):
        raise Refused("domain_mismatch")
    if vp.get("holder") is not None and _holder_id(vp["holder"]) != holder:
        raise Refused("holder_mismatch")
    return holder


def _check_jwt(token: str, challenge: str, domain: str, now: datetime) -> tuple[str, dict[str, Any]]:
    """The holder DID and the `vp` of a VP-JWT whose signature, nonce, audience and times hold."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Refused("presentation_unreadable") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS or any(member in header for member in ("crit", "x5c", "x5u", "jku")):
        raise Refused("holder_proof_unsupported")
    kid, jwk = header.get("kid"), header.get("jwk")
    try:
        if jwk is not None:
            if not isinstance(jwk, dict) or (kid is not None and not str(kid).startswith(did_jwk(jwk))):
                raise Refused("holder_key_unresolved")
            key, holder = key_from_jwk(jwk), did_jwk(jwk)
        else:
            key, holder = holder_key(kid)
    except KeyResolutionError:
        raise Refused("holder_key_unresolved") from None
    try:
        claims = jwt.decode(token, key, algorithms=[algorithm], audience=domain,
                            options={"require": ["aud"], "verify_exp": False, "verify_nbf": False,
                                     "verify_iat": False})  # fmt: skip
    except jwt.InvalidAudienceError:
        raise Refused("domain_mismatch") from None
    except (jwt.PyJWTError, ValueError, TypeError):
        raise Refused("holder_proof_invalid") from None
    moment, leeway = now.timestamp(), LEEWAY.total_seconds()
    expires, starts = claims.get("exp"), claims.get("nbf")
    for value in (expires, starts):
        if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
            raise Refused("presentation_unreadable")
    if (expires is not None and moment > expires + leeway) or (starts is not None and moment < starts - leeway):
        raise Refused("presentation_expired")
    if claims.get("nonce") != challenge:
        raise Refused("challenge_mismatch")
    if claims.get("iss") != holder:
        raise Refused("holder_mismatch")
    vp = claims.get("vp")
    if not isinstance(vp, dict):
        raise Refused("not_a_presentation")
    if vp.get("holder") is not None and _holder_id(vp["holder"]) != holder:
        raise Refused("holder_mismatch")
    return holder, vp


def _read(presentation: dict[str, Any] | str) -> dict[str, Any] | str:
    """A JSON object, or a compact JWT; Refused otherwise."""
    if isinstance(presentation, dict):
        text = json.dumps(presentation)
    elif isinstance(presentation, str):
        text = presentation.strip()
    else:
        raise Refused("presentation_unreadable")
    if len(text) > MAX_INPUT_CHARS:
        raise Refused("presentation_too_large")
    if isinstance(presentation, dict):
        document: Any = presentation
    elif text.startswith("{"):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            raise Refused("presentation_unreadable") from None
    elif text.count(".") == 2:
        return text
    else:
        raise Refused("presentation_unreadable")
    if not isinstance(document, dict):
        raise Refused("presentation_unreadable")
    if json_depth(document, MAX_DEPTH) > MAX_DEPTH:
        raise Refused("presentation_too_large")
    return document


def subject_ids(credential: dict[str, Any] | None) -> set[Any]:
    """The ids of a credential's subjects."""
    subjects = credential.get("credentialSubject") if isinstance(credential, dict) else None
    return {s.get("id") for s in _types(subjects) if isinstance(s, dict)}


def verify_presentation(
    presentation: dict[str, Any] | str,
    *,
    challenge: str,
    domain: str,
    now: datetime,
    verify_credential: VerifyCredential,
) -> PresentationResult:
    """Check a presentation for one ``challenge`` and ``domain`` at ``now``, then each credential in it
    (only once the holder's proof holds: nothing is fetched for an unauthenticated presentation)."""
    form, holder = "unknown", None
    try:
        document = _read(presentation)
        if isinstance(document, str):
            form = "jwt_vp"
            holder, vp = _check_jwt(document, challenge, domain, now)
        else:
            form, vp = "ldp_vp", document
            holder = _check_data_integrity(vp, challenge, domain)
        credentials = _credentials_of(vp)
    except Refused as refusal:
        return PresentationResult(form, holder, str(refusal))
    presented = []
    for credential in credentials:
        result = verify_credential(credential)
        presented.append(PresentedCredential(result, credential, holder in subject_ids(result.credential)))
    return PresentationResult(form, holder, None, tuple(presented))


# ---- the holder's side (tests and the benchmark; wallets use their own libraries) ------------------


def sign_presentation(
    credentials: list[dict[str, Any] | str], private_key: Ed25519PrivateKey, *, holder: str, challenge: str,
    domain: str, created: datetime,
) -> dict[str, Any]:  # fmt: skip
    """A Data Integrity presentation by a did:key holder (VC-JWTs go in as enveloped credentials)."""
    items = [c if isinstance(c, dict) else {"@context": ["https://www.w3.org/ns/credentials/v2"],
             "id": ENVELOPED_JWT + c, "type": "EnvelopedVerifiableCredential"} for c in credentials]  # fmt: skip
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": [PRESENTATION_TYPE], "holder": holder,
          "verifiableCredential": items}  # fmt: skip
    method = f"{holder}#{holder.removeprefix('did:key:')}"
    options = {"challenge": challenge, "domain": domain}
    return sign_data_integrity(vp, private_key, verification_method=method, created=created,
                               proof_purpose="authentication", extra_options=options)  # fmt: skip


def presentation_jwt(
    credentials: list[dict[str, Any] | str], private_key: Any, *, kid: str, holder: str, challenge: str,
    audience: str, now: datetime, algorithm: str = "EdDSA",
) -> str:  # fmt: skip
    """A VP-JWT (for tests and the benchmark)."""
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": [PRESENTATION_TYPE],
          "verifiableCredential": credentials}  # fmt: skip
    claims = {"iss": holder, "aud": audience, "nonce": challenge, "iat": int(now.timestamp()),
              "exp": int(now.timestamp()) + 300, "vp": vp}  # fmt: skip
    return jwt.encode(claims, private_key, algorithm=algorithm, headers={"kid": kid, "typ": "JWT"})
