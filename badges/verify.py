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

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from badges.checks import Check, VerificationResult
from badges.contexts import check_terms
from badges.data_integrity import ProofError, data_integrity_proofs, verify_data_integrity
from badges.datetimes import parse_datetime
from badges.errors import BadgeError
from badges.identity import recipient_matches
from badges.issuer_keys import resolve_header_jwk, resolve_issuer_key
from badges.keys import ResolvedKey, ResolveDocument
from badges.parsing import Parsed, parse_credential
from badges.schema import schema_errors
from badges.vc_jwt import CompactJws, JwtFormatError, claims_mismatches, verify_compact_signature

LEEWAY = timedelta(seconds=60)  # SC-33: clock-skew leeway never above 60 s

# (status entry, credential) -> True if the status bit is set; raising means "unknown".
StatusLookup = Callable[[dict[str, Any], dict[str, Any]], bool]


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


def _di_checks(parsed: Parsed, resolve_document: ResolveDocument | None) -> tuple[list[Check], ResolvedKey | None]:
    try:
        proofs = data_integrity_proofs(parsed.credential)
    except ProofError as error:
        return [
            Check("issuer_key", False, "key_unresolved", "no proof"),
            Check("proof", False, str(error)),
        ], None
    resolved: ResolvedKey | None = None
    for proof in proofs:
        key_check, resolved = resolve_issuer_key(proof.get("verificationMethod"), parsed.credential, resolve_document)
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
    parsed: Parsed, jws: CompactJws, resolve_document: ResolveDocument | None
) -> tuple[list[Check], ResolvedKey | None]:
    if "jwk" in jws.header:
        key_check, resolved = resolve_header_jwk(jws.header, parsed.credential, resolve_document)
    else:
        key_check, resolved = resolve_issuer_key(jws.header.get("kid"), parsed.credential, resolve_document)
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
        parsed = parse_credential(document_or_jwt)
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
