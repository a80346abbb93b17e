"""One verifier for every credential: JSON (Data Integrity) or compact JWT (VC-JWT).

``verify`` returns ordered checks, each with a stable code the app turns into a sentence:

=========== ========================================================================
check       codes (ok first)
=========== ========================================================================
parse       parsed | parse_error, too_large, too_deep, jwt_malformed,
            jwt_header_forbidden, jwt_alg_forbidden, jwt_kid_missing, jwt_typ_invalid
schema      schema_valid | schema_invalid
contexts    terms_defined | undefined_terms, context_not_bundled, context_invalid
issuer_key  key_resolved | key_unresolved, key_unreachable, issuer_key_mismatch, jwk_not_published
proof       proof_valid | proof_invalid, proof_missing, proof_unsupported,
            proof_malformed, proof_purpose_mismatch, jwt_key_mismatch, proof_not_checked
claims      claims_consistent | claims_mismatch                       (VC-JWT only)
validity    valid_period | not_yet_valid, expired, validity_invalid   (60 s leeway)
status      not_revoked, no_status | revoked, suspended, status_unknown, status_not_checked
recipient   recipient_matches | recipient_mismatch                    (when asked)
=========== ========================================================================

``verified`` is True only when every check passes. Nothing here touches the network: keys
behind did:web/https come from ``resolve_document`` and revocation from ``status_lookup``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from badges.contexts import check_terms
from badges.data_integrity import (
    ProofError,
    data_integrity_proofs,
    verify_data_integrity,
)
from badges.errors import BadgeError, KeyResolutionError
from badges.keys import (
    ResolvedKey,
    ResolveDocument,
    did_web_url,
    fetch_document,
    key_from_jwk,
    published_methods,
    resolve_verification_method,
    same_public_key,
)
from badges.model import parse_datetime, recipient_matches
from badges.schema import schema_errors
from badges.vc_jwt import (
    CompactJws,
    JwtFormatError,
    claims_mismatches,
    credential_from_payload,
    read_compact,
    verify_compact_signature,
)

LEEWAY = timedelta(seconds=60)  # SC-33: clock-skew leeway never above 60 s
MAX_INPUT_CHARS = 512 * 1024
MAX_DEPTH = 32

# (status entry, credential) -> True if the status bit is set; raising means "unknown".
StatusLookup = Callable[[dict[str, Any], dict[str, Any]], bool]


@dataclass(frozen=True)
class Check:
    """One verification step: ``check`` names the step, ``code`` the outcome."""

    check: str
    ok: bool
    code: str
    detail: str = ""


@dataclass(frozen=True)
class VerificationResult:
    """Ordered checks plus the credential that was read (None if parsing failed)."""

    checks: tuple[Check, ...]
    credential: dict[str, Any] | None = None
    format: str = "unknown"
    issuer_key: ResolvedKey | None = field(default=None, repr=False)

    @property
    def verified(self) -> bool:
        """True only if there are checks and every one passed."""
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def codes(self) -> list[str]:
        """The outcome codes in order."""
        return [check.code for check in self.checks]

    def code_of(self, check: str) -> str | None:
        """Outcome code of one step, or None if that step did not run."""
        return next((item.code for item in self.checks if item.check == check), None)


@dataclass(frozen=True)
class _Parsed:
    format: str
    credential: dict[str, Any]
    jws: CompactJws | None = None


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a JSON value (a scalar or an empty container is 1), stopping early
    once past ``limit``. Walks level by level, keeping only containers."""
    depth = 1
    level = [value] if isinstance(value, dict | list) else []
    while level:
        below: list[Any] = []
        has_children = False
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            if children:
                has_children = True
                below += [child for child in children if isinstance(child, dict | list)]
        if not has_children:
            break
        depth += 1
        if depth > limit:
            return depth
        level = below
    return depth


def _parse_json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise BadgeError("not JSON", code="parse_error") from error
    if not isinstance(value, dict):
        raise BadgeError("not a JSON object", code="parse_error")
    return value


def _parse(document_or_jwt: dict[str, Any] | str | bytes) -> _Parsed:
    if isinstance(document_or_jwt, dict):
        text = json.dumps(document_or_jwt)
    elif isinstance(document_or_jwt, bytes):
        text = document_or_jwt.decode("utf-8", errors="strict")
    elif isinstance(document_or_jwt, str):
        text = document_or_jwt
    else:
        raise BadgeError("unsupported input", code="parse_error")
    if len(text) > MAX_INPUT_CHARS:
        raise BadgeError("input too large", code="too_large")
    text = text.strip()
    if text.startswith("{"):
        document = _parse_json(text)
        if _depth(document, MAX_DEPTH) > MAX_DEPTH:
            raise BadgeError("nesting too deep", code="too_deep")
        return _Parsed("json", document)
    if text.count(".") != 2:
        raise BadgeError("neither JSON nor a compact JWS", code="parse_error")
    try:
        jws = read_compact(text)
        if _depth(jws.payload, MAX_DEPTH) > MAX_DEPTH:
            raise BadgeError("nesting too deep", code="too_deep")
        credential = credential_from_payload(jws.payload)
    except JwtFormatError as error:
        raise BadgeError("bad JWT", code=str(error.args[0])) from error
    return _Parsed("jwt", credential, jws)


def _schema_check(credential: dict[str, Any], schema: Callable[[dict[str, Any]], list[str]]) -> Check:
    try:
        errors = schema(credential)
    except Exception as error:
        return Check("schema", False, "schema_invalid", type(error).__name__)
    if errors:
        return Check("schema", False, "schema_invalid", "; ".join(errors[:3]))
    return Check("schema", True, "schema_valid")


def _contexts_check(credential: dict[str, Any]) -> Check:
    try:
        check_terms(credential)
    except BadgeError as error:
        return Check("contexts", False, error.code, str(error)[:300])
    except Exception as error:
        return Check("contexts", False, "context_invalid", type(error).__name__)
    return Check("contexts", True, "terms_defined")


def issuer_id(credential: dict[str, Any]) -> str | None:
    """``issuer.id`` (or a string issuer) of a credential."""
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else None


def is_bound_to_issuer(controller: str, issuer: str | None) -> bool:
    """Whether a key controlled by ``controller`` may sign for ``issuer``.

    The controller must be the issuer itself. The one exception is a did:key (self-certifying)
    signing for an issuer id that names nothing resolvable (``urn:``), as 1EdTech's fixtures do.
    A key from a JWK document (controller ``https://host``, no path) signs for issuers on that
    host: an https id there, or a did:web of that host.
    """
    if issuer is None:
        return False
    if controller == issuer:
        return True
    if controller.startswith("https://") and "/" not in controller.removeprefix("https://"):
        host = controller.removeprefix("https://")
        if issuer.startswith("did:web:"):
            return issuer.removeprefix("did:web:").split(":")[0].replace("%3A", ":") == host
        return issuer.startswith(controller + "/")
    return controller.startswith("did:key:") and issuer.startswith("urn:")


def _resolve(
    method_id: Any, credential: dict[str, Any], resolve_document: ResolveDocument | None
) -> tuple[Check, ResolvedKey | None]:
    if not isinstance(method_id, str):
        return Check("issuer_key", False, "key_unresolved", "no verification method"), None
    try:
        resolved = resolve_verification_method(method_id, resolve_document=resolve_document)
    except KeyResolutionError as error:
        return Check("issuer_key", False, error.code, str(error)[:300]), None
    except Exception as error:
        return Check("issuer_key", False, "key_unresolved", type(error).__name__), None
    if not is_bound_to_issuer(resolved.controller, issuer_id(credential)):
        return Check("issuer_key", False, "issuer_key_mismatch", resolved.controller), None
    return Check("issuer_key", True, "key_resolved", method_id), resolved


def _resolve_header_jwk(
    header: dict[str, Any], credential: dict[str, Any], resolve_document: ResolveDocument | None
) -> tuple[Check, ResolvedKey | None]:
    """OB 3.0 §8.2.3 allows a ``jwk`` header; a key in the token proves nothing by itself, so it is
    accepted only when the issuer publishes it: the key the ``kid`` names, or (without a kid) an
    assertion method of the issuer's DID document. Otherwise ``jwk_not_published``."""
    try:
        embedded = key_from_jwk(header["jwk"])
    except KeyResolutionError as error:
        return Check("issuer_key", False, "key_unresolved", str(error)[:300]), None
    if "kid" in header:
        key_check, resolved = _resolve(header["kid"], credential, resolve_document)
        if resolved is None:
            return key_check, None
        if not same_public_key(resolved.key, embedded):
            return Check("issuer_key", False, "jwk_not_published", "the jwk header is not the key the kid names"), None
        return key_check, resolved
    issuer = issuer_id(credential)
    if issuer is None or not issuer.startswith("did:web:") or resolve_document is None:
        return Check("issuer_key", False, "jwk_not_published", "no DID document of the issuer to check the jwk"), None
    try:
        document = fetch_document(did_web_url(issuer), resolve_document)
    except KeyResolutionError as error:
        return Check("issuer_key", False, error.code, str(error)[:300]), None
    for method_id, key in published_methods(document, issuer):
        if same_public_key(key, embedded):
            return Check("issuer_key", True, "key_resolved", method_id), ResolvedKey(key, issuer, method_id)
    return Check("issuer_key", False, "jwk_not_published", f"{issuer} does not publish the jwk header's key"), None


def _di_checks(parsed: _Parsed, resolve_document: ResolveDocument | None) -> tuple[list[Check], ResolvedKey | None]:
    try:
        proofs = data_integrity_proofs(parsed.credential)
    except ProofError as error:
        return [
            Check("issuer_key", False, "key_unresolved", "no proof"),
            Check("proof", False, str(error)),
        ], None
    resolved: ResolvedKey | None = None
    for proof in proofs:
        key_check, resolved = _resolve(proof.get("verificationMethod"), parsed.credential, resolve_document)
        if resolved is None:
            return [key_check, Check("proof", False, "proof_not_checked")], None
        if not isinstance(resolved.key, Ed25519PublicKey):
            return [
                key_check,
                Check("proof", False, "proof_invalid", "not an Ed25519 key"),
            ], resolved
        try:
            is_valid = verify_data_integrity(parsed.credential, proof, resolved.key)
        except ProofError as error:
            return [key_check, Check("proof", False, str(error))], resolved
        except Exception as error:
            return [
                key_check,
                Check("proof", False, "proof_invalid", type(error).__name__),
            ], resolved
        if not is_valid:
            return [key_check, Check("proof", False, "proof_invalid")], resolved
    return [
        Check(
            "issuer_key",
            True,
            "key_resolved",
            str(resolved.verification_method if resolved else ""),
        ),
        Check("proof", True, "proof_valid"),
    ], resolved


def _jwt_checks(
    parsed: _Parsed, jws: CompactJws, resolve_document: ResolveDocument | None
) -> tuple[list[Check], ResolvedKey | None]:
    if "jwk" in jws.header:
        key_check, resolved = _resolve_header_jwk(jws.header, parsed.credential, resolve_document)
    else:
        key_check, resolved = _resolve(jws.header.get("kid"), parsed.credential, resolve_document)
    if resolved is None:
        return [key_check, Check("proof", False, "proof_not_checked")], None
    try:
        verify_compact_signature(jws, resolved.key)
    except JwtFormatError as error:
        return [key_check, Check("proof", False, str(error.args[0]))], resolved
    wrong = claims_mismatches(jws.payload, parsed.credential)
    claims = Check(
        "claims",
        not wrong,
        "claims_mismatch" if wrong else "claims_consistent",
        ",".join(wrong),
    )
    return [key_check, Check("proof", True, "proof_valid"), claims], resolved


def _validity_check(credential: dict[str, Any], now: datetime) -> Check:
    start = credential.get("validFrom", credential.get("issuanceDate"))
    end = credential.get("validUntil", credential.get("expirationDate"))
    try:
        valid_from = parse_datetime(start) if isinstance(start, str) else None
        valid_until = parse_datetime(end) if isinstance(end, str) else None
    except ValueError:
        return Check("validity", False, "validity_invalid")
    if valid_from is None or (end is not None and valid_until is None):
        return Check("validity", False, "validity_invalid")
    if now < valid_from - LEEWAY:
        return Check("validity", False, "not_yet_valid", str(start))
    if valid_until is not None and now > valid_until + LEEWAY:
        return Check("validity", False, "expired", str(end))
    return Check("validity", True, "valid_period")


def _status_entries(credential: dict[str, Any]) -> list[Any]:
    status = credential.get("credentialStatus")
    if status is None:
        return []
    return status if isinstance(status, list) else [status]


def _status_check(credential: dict[str, Any], status_lookup: StatusLookup | None) -> Check:
    entries = _status_entries(credential)
    if not entries:
        return Check("status", True, "no_status")
    if status_lookup is None:
        return Check("status", False, "status_unknown", "no status lookup")
    for entry in entries:
        if not isinstance(entry, dict):
            return Check("status", False, "status_unknown", "malformed entry")
        try:
            is_set = status_lookup(entry, credential)
        except Exception as error:
            return Check("status", False, "status_unknown", type(error).__name__)
        if not isinstance(is_set, bool):
            return Check("status", False, "status_unknown", "lookup gave no answer")
        if is_set:
            purpose = entry.get("statusPurpose")
            return Check("status", False, "suspended" if purpose == "suspension" else "revoked")
    return Check("status", True, "not_revoked")


def _recipient_check(credential: dict[str, Any], email: str) -> Check:
    try:
        matches = recipient_matches(credential, email)
    except Exception:
        matches = False
    return Check("recipient", matches, "recipient_matches" if matches else "recipient_mismatch")


def verify(
    document_or_jwt: dict[str, Any] | str | bytes,
    *,
    now: datetime,
    resolve_document: ResolveDocument | None = None,
    status_lookup: StatusLookup | None = None,
    expected_recipient_email: str | None = None,
    schema: Callable[[dict[str, Any]], list[str]] = schema_errors,
) -> VerificationResult:
    """Verify a credential (dict, JSON text or compact JWT) at time ``now`` (aware datetime).

    ``schema`` defaults to the official OB 3.0 schemas (endorsement schema for
    EndorsementCredential); the status-list verifier passes its own structural check.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        parsed = _parse(document_or_jwt)
    except BadgeError as error:
        return VerificationResult((Check("parse", False, error.code),))
    except (UnicodeDecodeError, RecursionError, ValueError, TypeError) as error:
        return VerificationResult((Check("parse", False, "parse_error", type(error).__name__),))
    checks = [
        Check("parse", True, "parsed"),
        _schema_check(parsed.credential, schema),
        _contexts_check(parsed.credential),
    ]
    if parsed.jws is not None:  # format "jwt"
        proof_checks, resolved = _jwt_checks(parsed, parsed.jws, resolve_document)
    else:
        proof_checks, resolved = _di_checks(parsed, resolve_document)
    checks += proof_checks
    is_authentic = all(check.ok for check in checks)
    checks.append(_validity_check(parsed.credential, now))
    if is_authentic:
        checks.append(_status_check(parsed.credential, status_lookup))
    else:
        # Never follow status URLs from a document we could not authenticate.
        checks.append(Check("status", False, "status_not_checked"))
    if expected_recipient_email is not None:
        checks.append(_recipient_check(parsed.credential, expected_recipient_email))
    return VerificationResult(tuple(checks), parsed.credential, parsed.format, resolved)
