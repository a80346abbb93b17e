"""Verify Open Badges 2.0 assertions (OB 2.0 §Verification): hosted ones by their URL, signed ones (JWS, RS256).

Hosted: the assertion is fetched from its URL (the submitted copy only names that URL); its ``id`` must be
that URL; a ``410 Gone`` or ``"revoked": true`` is revoked; its id must lie in the scope the issuer's
``verification`` declares (``allowedOrigins`` / ``startsWith``; by default the issuer Profile's origin).
Signed: the key is a CryptographicKey linked from the hosted issuer Profile's ``publicKey`` (an
assertion's ``creator`` must be one of those), owned by that issuer; the issuer's ``revocationList`` is read.
Both: the BadgeClass and issuer Profile are fetched from their ids, the BadgeClass must name that issuer,
the recipient (``sha256$`` hash with salt, or plain) must be one of the given e-mail addresses, and an
``expires`` in the past is expired.

`fetch(url)` returns a JSON object or raises; an exception with ``status == 410`` means gone. No clock
reads: `now` is an argument. The result is a `VerificationResult` whose checks carry codes like
`badges.verify`'s, so callers explain them the same way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from badges.checks import Check, VerificationResult
from badges.datetimes import parse_datetime

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
HOSTED_TYPES = frozenset({"hosted", "HostedBadge"})
SIGNED_TYPES = frozenset({"signed", "SignedBadge"})
MAX_JWS_BYTES = 512 * 1024
FORMAT = "ob2"

Fetch = Callable[[str], dict[str, Any]]


class _Refused(Exception):
    """A check that failed: the step's name, its code and a short detail."""

    def __init__(self, check: str, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.check, self.code, self.detail = check, code, detail


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _jws_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(header, payload) of a compact JWS whose payload is a JSON object, else None."""
    if len(token) > MAX_JWS_BYTES or token.count(".") != 2:
        return None
    try:
        header, payload = (json.loads(_b64decode(part)) for part in token.split(".")[:2])
    except (ValueError, binascii.Error, RecursionError):
        return None
    return (header, payload) if isinstance(header, dict) and isinstance(payload, dict) else None


def _has_ob2_context(document: dict[str, Any]) -> bool:
    context = document.get("@context")
    return context == OB2_CONTEXT or (isinstance(context, list) and OB2_CONTEXT in context)


def is_ob2(submitted: dict[str, Any] | str) -> bool:
    """Whether a submission is an OB 2.0 badge: an https URL (a hosted assertion), an assertion's JSON or a
    JWS whose payload is one (the v2 context, or an Assertion without a VC context)."""
    if isinstance(submitted, dict):
        document: dict[str, Any] | None = submitted
    else:
        text = submitted.strip()
        if text.startswith("https://") and not any(c.isspace() for c in text):
            return True
        parts = _jws_parts(text)
        document = parts[1] if parts else None
    if document is None:
        return False
    return _has_ob2_context(document) or (document.get("type") == "Assertion" and "@context" not in document)


def _values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _id_of(value: Any) -> str | None:
    found = value.get("id") if isinstance(value, dict) else value
    return found if isinstance(found, str) else None


def _origin(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url)
        return (parts.scheme, parts.netloc) if parts.scheme in ("https", "http") and parts.hostname else None
    except ValueError:
        return None


def _fetch(fetch: Fetch, url: str | None, check: str, kind: str) -> dict[str, Any]:
    """A linked document (`kind`: its expected type), or _Refused with `<check>_unreachable` / `_invalid`."""
    if not url or _origin(url) is None:
        raise _Refused(check, f"{check}_missing", str(url or ""))
    try:
        document = fetch(url)
    except Exception as error:  # every fetch failure means the document is unknown, never valid
        if getattr(error, "status", None) == 410 and check == "hosted":
            raise _Refused("status", "revoked", "410 Gone") from None
        raise _Refused(check, f"{check}_unreachable", str(error)[:200]) from None
    if _id_of(document) != url:
        raise _Refused(check, "id_mismatch" if check == "hosted" else f"{check}_invalid", url)
    types = _values(document.get("type"))
    is_kind = kind in types or (kind == "Issuer" and "Profile" in types)
    if not is_kind and not (check == "hosted" and document.get("revoked") is True):
        raise _Refused(check, f"{check}_invalid", f"not a {kind}")
    return document


def _verification_type(assertion: dict[str, Any]) -> set[str]:
    verification = assertion.get("verification") or assertion.get("verify")
    return set(_values(verification.get("type"))) if isinstance(verification, dict) else set()


def _in_scope(assertion_id: str, badge_id: str, issuer: dict[str, Any]) -> bool:
    """OB 2.0 §HostedBadge: the id within the issuer's declared scope, by default the issuer id's origin."""
    declared = issuer.get("verification")
    if isinstance(declared, dict) and ("allowedOrigins" in declared or "startsWith" in declared):
        host = urlsplit(assertion_id).hostname
        origins = [o for o in _values(declared.get("allowedOrigins")) if isinstance(o, str)]
        starts = [s for s in _values(declared.get("startsWith")) if isinstance(s, str)]
        return (not origins or host in origins) and (not starts or any(assertion_id.startswith(s) for s in starts))
    home = _origin(str(issuer.get("id")))
    return home is not None and _origin(assertion_id) == home and _origin(badge_id) == home


def _recipient_matches(recipient: Any, emails: Iterable[str]) -> bool:
    """OB 2.0 IdentityObject: type email, identity plain or `sha256$<hex>` of identity + salt."""
    if not isinstance(recipient, dict) or recipient.get("type") != "email":
        return False
    identity, salt = recipient.get("identity"), recipient.get("salt") or ""
    if not isinstance(identity, str) or not isinstance(salt, str):
        return False
    candidates = {e for email in emails for e in (email, email.lower())}
    if recipient.get("hashed") is True or identity.startswith("sha256$"):
        algorithm, _, digest = identity.partition("$")
        if algorithm.lower() != "sha256":
            return False
        return any(
            hmac.compare_digest(hashlib.sha256((e + salt).encode()).hexdigest(), digest.lower()) for e in candidates
        )
    return identity.lower() in {e.lower() for e in candidates}


def _moment(value: Any) -> datetime | None:
    """An OB 2.0 DateTime: ISO 8601 (UTC if it gives no offset) or a Unix timestamp; None if unreadable."""
    if (isinstance(value, (int, float)) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isdigit()
    ):
        try:
            return datetime.fromtimestamp(int(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        try:
            return parse_datetime(value + "Z")  # no offset given: read as UTC
        except ValueError:
            return None


def expires_of(assertion: dict[str, Any] | None) -> datetime | None:
    """An assertion's ``expires``, if readable."""
    return _moment(assertion.get("expires")) if assertion else None


def _check_signature(token: str, issuer: dict[str, Any], assertion: dict[str, Any], fetch: Fetch) -> None:
    """OB 2.0 §SignedBadge steps 4–6: a trusted key from the hosted issuer Profile verifies the JWS (RS256)."""
    trusted = [k for k in (_id_of(v) for v in _values(issuer.get("publicKey"))) if k]
    verification = assertion.get("verification")
    creator = _id_of(verification.get("creator")) if isinstance(verification, dict) else None
    if creator is not None:
        if creator not in trusted:
            raise _Refused("issuer_key", "key_not_published", creator)
        trusted = [creator]
    if not trusted:
        raise _Refused("issuer_key", "key_unresolved", "the issuer publishes no publicKey")
    signing_input, signature = token.rsplit(".", 1)[0].encode(), _b64decode(token.rsplit(".", 1)[1])
    for key_url in trusted[:3]:  # each is a fetch: at most three keys are tried
        document = _fetch(fetch, key_url, "key", "CryptographicKey")
        owner = _id_of(document.get("owner"))
        if owner is not None and owner != issuer.get("id"):
            raise _Refused("issuer_key", "issuer_key_mismatch", key_url)
        try:
            key = serialization.load_pem_public_key(str(document.get("publicKeyPem", "")).encode())
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise _Refused("issuer_key", "key_unresolved", "publicKeyPem is not a public key") from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise _Refused("issuer_key", "key_unresolved", "not an RSA key")
        try:
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            continue
        return
    raise _Refused("proof", "proof_invalid")


def _revoked_in_list(issuer: dict[str, Any], assertion: dict[str, Any], fetch: Fetch) -> bool:
    """OB 2.0 §SignedBadge step 7: the assertion's id (or legacy uid) in the issuer's RevocationList."""
    url = _id_of(issuer.get("revocationList"))
    if url is None:
        return False
    try:
        listing = _fetch(fetch, url, "revocation", "RevocationList")
    except _Refused as refused:
        raise _Refused("status", "status_unknown", refused.detail) from None
    entries = _values(listing.get("revokedAssertions"))
    revoked = {_id_of(e) for e in entries} | {e.get("uid") for e in entries if isinstance(e, dict)}
    return assertion.get("id") in revoked or (assertion.get("uid") is not None and assertion.get("uid") in revoked)


def _read(submitted: dict[str, Any] | str, fetch: Fetch) -> tuple[dict[str, Any], str | None, list[Check]]:
    """The assertion to trust (hosted: as fetched), the JWS if signed, and the checks so far."""
    if isinstance(submitted, str) and submitted.strip().startswith("https://"):
        url = submitted.strip()
    else:
        if isinstance(submitted, str):
            parts = _jws_parts(submitted.strip())
            if parts is None:
                raise _Refused("parse", "parse_error")
            header, assertion = parts
            if header.get("alg") != "RS256":
                raise _Refused("proof", "ob2_alg_forbidden", str(header.get("alg")))
            if not _verification_type(assertion) & SIGNED_TYPES:
                raise _Refused("verification", "verification_type_mismatch", "a JWS must declare SignedBadge")
            return assertion, submitted.strip(), [Check("parse", True, "parsed")]
        assertion = submitted
        if not _verification_type(assertion) & HOSTED_TYPES:
            raise _Refused("verification", "signed_needs_jws", "paste the signed assertion (JWS) itself")
        url = _id_of(assertion) or ""
    assertion = _fetch(fetch, url, "hosted", "Assertion")
    if assertion.get("revoked") is True:
        raise _Refused("status", "revoked", str(assertion.get("revocationReason") or "")[:200])
    if not _verification_type(assertion) & HOSTED_TYPES:
        raise _Refused("verification", "verification_type_mismatch", "the hosted assertion is not HostedBadge")
    return assertion, None, [Check("parse", True, "parsed"), Check("hosted", True, "hosted_found")]


def verify_ob2(
    submitted: dict[str, Any] | str, *, fetch: Fetch, now: datetime, recipient_emails: Iterable[str] | None
) -> VerificationResult:
    """Every OB 2.0 check, in order, stopping at the first that fails. `credential` of the result is the
    assertion with its BadgeClass (and that with its issuer Profile) embedded, as fetched."""
    checks: list[Check] = []
    assertion: dict[str, Any] | None = None
    try:
        assertion, token, checks = _read(submitted, fetch)
        badge = _fetch(fetch, _id_of(assertion.get("badge")), "badge_class", "BadgeClass")
        issuer = _fetch(fetch, _id_of(badge.get("issuer")), "issuer", "Issuer")
        checks.append(Check("badge_class", True, "badge_class_found"))
        if token is None:
            if not _in_scope(str(assertion.get("id")), str(badge.get("id")), issuer):
                raise _Refused("verification", "out_of_scope", str(assertion.get("id")))
            checks.append(Check("verification", True, "in_scope"))
        else:
            _check_signature(token, issuer, assertion, fetch)
            checks += [Check("issuer_key", True, "key_resolved"), Check("proof", True, "proof_valid")]
        assertion = {**assertion, "badge": {**badge, "issuer": issuer}}
        expires = expires_of(assertion)
        if expires is not None and expires <= now:
            raise _Refused("validity", "expired", expires.isoformat())
        issued = _moment(assertion.get("issuedOn"))
        if issued is not None and issued > now:
            raise _Refused("validity", "not_yet_valid", issued.isoformat())
        checks.append(Check("validity", True, "valid_period"))
        if token is not None and _revoked_in_list(issuer, assertion, fetch):
            raise _Refused("status", "revoked")
        checks.append(Check("status", True, "not_revoked"))
        if recipient_emails is not None:  # None: a verifier for anyone, which knows no recipient to expect
            if not _recipient_matches(assertion.get("recipient"), recipient_emails):
                raise _Refused("recipient", "recipient_mismatch")
            checks.append(Check("recipient", True, "recipient_matches"))
    except _Refused as refused:
        checks.append(Check(refused.check, False, refused.code, refused.detail))
    return VerificationResult(checks=tuple(checks), credential=assertion, format=FORMAT)
