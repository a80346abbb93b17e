"""The ``issuer_key`` check of `badges.verify`: the key a proof or a JOSE header names, found through the
resolver, and whether it may sign for the credential's issuer."""

from __future__ import annotations

from typing import Any

from badges.checks import Check
from badges.errors import KeyResolutionError
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


def resolve_issuer_key(
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


def resolve_header_jwk(
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
        key_check, resolved = resolve_issuer_key(header["kid"], credential, resolve_document)
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
