"""did:key and did:web helpers, DID documents, and resolving a verification method to a key.

did:key (Ed25519) is decoded locally (W3C CCG did:key, multicodec ``0xed01``). Anything that
needs a document (did:web, https) goes through an injected ``resolve_document(url) -> dict``:
the app supplies HTTPS-only fetching; this module never touches the network.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from badges.contexts import DID_V1, JWS_2020, MULTIKEY_V1
from badges.errors import KeyResolutionError
from badges.multibase import multibase_decode, multibase_encode

ED25519_MULTICODEC = b"\xed\x01"

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
ResolveDocument = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class ResolvedKey:
    """A public key and the identifier (DID or URL) of whoever controls it."""

    key: PublicKey
    controller: str
    verification_method: str


def ed25519_raw(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """Multikey ``publicKeyMultibase`` (``z6Mk...``) of an Ed25519 key."""
    return multibase_encode(ED25519_MULTICODEC + ed25519_raw(public_key))


@lru_cache(maxsize=1024)
def decode_public_key_multibase(value: str) -> Ed25519PublicKey:
    """Ed25519 public key from a ``z6Mk...`` multibase value; KeyResolutionError otherwise.

    Cached: the same issuer key is decoded for every credential it signed (public key objects
    are immutable; failures are not cached, they raise).
    """
    try:
        raw = multibase_decode(value)
    except ValueError as error:
        raise KeyResolutionError(f"bad multibase key: {error}") from error
    if not raw.startswith(ED25519_MULTICODEC) or len(raw) != 34:
        raise KeyResolutionError("not an Ed25519 multikey (multicodec 0xed01, 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def did_key(public_key: Ed25519PublicKey) -> str:
    """``did:key:z6Mk...`` for an Ed25519 public key."""
    return "did:key:" + public_key_multibase(public_key)


def did_key_verification_method(public_key: Ed25519PublicKey) -> str:
    """``did:key:z6Mk...#z6Mk...``: the verification method id of a did:key."""
    multibase = public_key_multibase(public_key)
    return f"did:key:{multibase}#{multibase}"


def decode_did_key(did_or_url: str) -> Ed25519PublicKey:
    """Public key of a did:key (with or without a fragment; a fragment must match the key)."""
    did, _, fragment = did_or_url.partition("#")
    if not did.startswith("did:key:"):
        raise KeyResolutionError(f"not a did:key: {did_or_url}")
    multibase = did[len("did:key:") :]
    if fragment and fragment != multibase:
        raise KeyResolutionError("did:key fragment does not match the key")
    return decode_public_key_multibase(multibase)


def did_web_url(did: str) -> str:
    """HTTPS URL of the DID document for a did:web (did:web method spec §3.2 Read)."""
    if not did.startswith("did:web:") or "#" in did or "?" in did:
        raise KeyResolutionError(f"not a did:web: {did}")
    parts = did[len("did:web:") :].split(":")
    host = unquote(parts[0])
    if not host or "/" in host or "@" in host:
        raise KeyResolutionError(f"bad did:web host: {did}")
    path = [unquote(part) for part in parts[1:]]
    if any(not part or part in (".", "..") or "/" in part for part in path):
        raise KeyResolutionError(f"bad did:web path: {did}")
    if not path:
        return f"https://{host}/.well-known/did.json"
    return f"https://{host}/" + "/".join(path) + "/did.json"


def did_web_from_url(url: str) -> str:
    """did:web for an HTTPS base URL, e.g. ``https://ex.jp:8443/issuers/7`` → ``did:web:ex.jp%3A8443:issuers:7``."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("did:web needs an https URL")
    host = quote(parts.netloc, safe="")
    segments = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *segments])


def public_key_jwk(public_key: PublicKey) -> dict[str, Any]:
    """Public JWK (RFC 7517 / RFC 8037) of a key; never contains private members."""
    if isinstance(public_key, Ed25519PublicKey):
        x = base64.urlsafe_b64encode(ed25519_raw(public_key)).rstrip(b"=").decode()
        return {"kty": "OKP", "crv": "Ed25519", "x": x}
    jwk: dict[str, Any] = (
        jwt.algorithms.ECAlgorithm.to_jwk(public_key, as_dict=True)
        if isinstance(public_key, ec.EllipticCurvePublicKey)
        else jwt.algorithms.RSAAlgorithm.to_jwk(public_key, as_dict=True)
    )
    return {k: v for k, v in jwk.items() if k not in ("key_ops", "alg", "use")}


def did_document(did: str, public_keys: Sequence[Ed25519PublicKey]) -> dict[str, Any]:
    """DID document (controller = ``did``) publishing each key as Multikey and JsonWebKey2020.

    Key ids are ``did#<publicKeyMultibase>`` (Multikey) and ``did#<publicKeyMultibase>-jwk``;
    list old keys too so credentials signed before a rotation keep verifying.
    """
    methods: list[dict[str, Any]] = []
    for public_key in public_keys:
        multibase = public_key_multibase(public_key)
        methods.append(
            {
                "id": f"{did}#{multibase}",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multibase,
            }
        )
        methods.append(
            {
                "id": f"{did}#{multibase}-jwk",
                "type": "JsonWebKey2020",
                "controller": did,
                "publicKeyJwk": public_key_jwk(public_key),
            }
        )
    ids = [method["id"] for method in methods]
    return {
        "@context": [DID_V1, MULTIKEY_V1, JWS_2020],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    }


def key_from_jwk(jwk: Any) -> PublicKey:
    """Public key from a JWK dict; private JWKs and unsupported key types are refused."""
    if not isinstance(jwk, dict) or "d" in jwk or any(k in jwk for k in ("p", "q", "dp", "dq", "qi")):
        raise KeyResolutionError("JWK must be a public key object")
    kty = jwk.get("kty")
    try:
        if kty == "OKP" and jwk.get("crv") == "Ed25519":
            raw = base64.urlsafe_b64decode(str(jwk["x"]) + "=" * (-len(str(jwk["x"])) % 4))
            return Ed25519PublicKey.from_public_bytes(raw)
        key: object
        if kty == "EC" and jwk.get("crv") == "P-256":
            key = jwt.algorithms.ECAlgorithm.from_jwk(jwk)
        elif kty == "RSA":
            key = jwt.algorithms.RSAAlgorithm.from_jwk(jwk)
        else:
            raise KeyResolutionError(f"unsupported JWK key type {kty!r}")
    except (KeyError, ValueError, TypeError, jwt.exceptions.InvalidKeyError) as error:
        raise KeyResolutionError(f"bad JWK: {error}") from error
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise KeyResolutionError("JWK must be a public key")
    return key


def _key_from_method(method: dict[str, Any]) -> PublicKey:
    if "publicKeyMultibase" in method:
        return decode_public_key_multibase(str(method["publicKeyMultibase"]))
    if "publicKeyJwk" in method:
        return key_from_jwk(method["publicKeyJwk"])
    raise KeyResolutionError("verification method has no publicKeyMultibase or publicKeyJwk")


def _absolute(reference: str, base: str) -> str:
    return base + reference if reference.startswith("#") else reference


def _find_method(document: dict[str, Any], method_id: str, base: str) -> dict[str, Any]:
    methods = document.get("verificationMethod", [])
    if not isinstance(methods, list):
        raise KeyResolutionError("verificationMethod must be a list")
    for method in methods:
        if isinstance(method, dict) and _absolute(str(method.get("id", "")), base) == method_id:
            return method
    raise KeyResolutionError(f"{method_id} not found in controller document")


def _is_assertion_method(document: dict[str, Any], method_id: str, base: str) -> bool:
    listed = document.get("assertionMethod", [])
    if not isinstance(listed, list):
        return False
    for entry in listed:
        entry_id = entry.get("id") if isinstance(entry, dict) else entry
        if isinstance(entry_id, str) and _absolute(entry_id, base) == method_id:
            return True
    return False


def fetch_document(url: str, resolve_document: ResolveDocument) -> Any:
    """``resolve_document(url)``; any failure (refused address, timeout, size, HTTP) is key_unreachable."""
    try:
        return resolve_document(url)
    except KeyResolutionError:
        raise
    except Exception as error:  # the app's fetcher may raise anything; fail closed
        raise KeyResolutionError(f"could not fetch {url}: {type(error).__name__}", code="key_unreachable") from error


def _resolve_from_controller(
    method_id: str, controller: str, url: str, resolve_document: ResolveDocument
) -> ResolvedKey:
    return _check_controller_document(method_id, controller, fetch_document(url, resolve_document))


def _check_controller_document(method_id: str, controller: str, document: Any) -> ResolvedKey:
    if not isinstance(document, dict) or document.get("id") != controller:
        raise KeyResolutionError(f"controller document id does not match {controller}")
    method = _find_method(document, method_id, controller)
    if not _is_assertion_method(document, method_id, controller):
        raise KeyResolutionError(f"{method_id} is not an assertionMethod of {controller}")
    if method.get("controller", controller) != controller:
        raise KeyResolutionError("verification method controller mismatch")
    return ResolvedKey(_key_from_method(method), controller, method_id)


def _resolve_from_jwk_document(method_id: str, url: str, fragment: str, document: dict[str, Any]) -> ResolvedKey:
    """A JWK, or the key of a JWK Set (RFC 7517 §5) whose ``kid`` is the header's kid (or its fragment)."""
    origin = "https://" + urlsplit(url).netloc
    if "keys" not in document:
        return ResolvedKey(key_from_jwk(document), origin, method_id)
    keys = document.get("keys")
    if not isinstance(keys, list):
        raise KeyResolutionError("a JWK Set's keys must be a list")
    wanted = {method_id, fragment} - {""}
    matches = [key for key in keys[:100] if isinstance(key, dict) and key.get("kid") in wanted]
    if len(matches) != 1:
        raise KeyResolutionError(f"the key set at {url} has no single key with kid {method_id}")
    return ResolvedKey(key_from_jwk(matches[0]), origin, method_id)


def published_methods(document: Any, controller: str) -> list[tuple[str, PublicKey]]:
    """(method id, key) of each assertion method a DID / controller document publishes for ``controller``."""
    if not isinstance(document, dict) or document.get("id") != controller:
        return []
    found = []
    for method in (
        document.get("verificationMethod", [])[:50] if isinstance(document.get("verificationMethod"), list) else []
    ):
        if not isinstance(method, dict):
            continue
        method_id = _absolute(str(method.get("id", "")), controller)
        if method.get("controller", controller) != controller or not _is_assertion_method(
            document, method_id, controller
        ):
            continue
        try:
            found.append((method_id, _key_from_method(method)))
        except KeyResolutionError:
            continue
    return found


def same_public_key(first: PublicKey, second: PublicKey) -> bool:
    """Whether two public keys are the same key (compared as SubjectPublicKeyInfo DER)."""
    spki = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return first.public_bytes(*spki) == second.public_bytes(*spki)


def resolve_verification_method(method_id: str, *, resolve_document: ResolveDocument | None = None) -> ResolvedKey:
    """Public key behind a verification method id (did:key, did:web#frag, https URL#frag, or an
    https URL whose document is a JWK or a JWK Set: OB 3.0 §8.2.3 for VC-JWT ``kid``).

    did:web and https need ``resolve_document``; a DID or controller document must name the method
    in ``assertionMethod`` (VC Data Integrity §4.2 verification step: proof purpose). A key from a
    JWK document is controlled by the URL's origin (``https://host``), see ``is_bound_to_issuer``.
    """
    if method_id.startswith("did:key:"):
        return ResolvedKey(decode_did_key(method_id), method_id.partition("#")[0], method_id)
    controller, _, fragment = method_id.partition("#")
    if resolve_document is None:
        raise KeyResolutionError("no resolver for remote verification methods")
    if controller.startswith("did:web:"):
        if not fragment:
            raise KeyResolutionError("verification method needs a fragment")
        return _resolve_from_controller(method_id, controller, did_web_url(controller), resolve_document)
    if controller.startswith("https://"):
        document = fetch_document(controller, resolve_document)
        if isinstance(document, dict) and ("kty" in document or "keys" in document):
            return _resolve_from_jwk_document(method_id, controller, fragment, document)
        if not fragment:
            raise KeyResolutionError("the kid's document is neither a JWK, a JWK Set nor a controller document")
        return _check_controller_document(method_id, controller, document)
    raise KeyResolutionError(f"unsupported verification method {method_id}")
