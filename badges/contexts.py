"""Bundled JSON-LD contexts, an offline pyld document loader and the undefined-term check.

Nothing is fetched at run time: a context URL we do not ship raises ``ContextNotBundled``.
pyld silently drops terms its contexts do not define, so a signature over the canonical
form would not cover them; ``check_terms`` refuses such documents before signing and
during verification.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from pyld import jsonld

from badges.errors import ContextNotBundled, UndefinedTerms

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
JWS_2020 = "https://w3id.org/security/suites/jws-2020/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
# Our own terms (see data/SOURCES.md); only added to a credential that uses one.
TALENTBANK_V1 = "https://talentbank.example/ns/v1"

CREDENTIAL_CONTEXTS: tuple[str, ...] = (VC_V2, OB_V3P0, OB_EXTENSIONS)

_BUNDLED: dict[str, str] = {
    VC_V2: "credentials-v2.json",
    OB_V3P0: "ob-v3p0-context-3.0.3.json",
    OB_EXTENSIONS: "ob-v3p0-extensions.json",
    DID_V1: "did-v1.json",
    JWS_2020: "security-jws-2020-v1.json",
    TALENTBANK_V1: "talentbank-v1.json",
}

# JSON-LD 1.1 keywords; any other key starting with "@" is ignored by processors.
_KEYWORDS = frozenset(
    [
        "@base",
        "@container",
        "@context",
        "@direction",
        "@graph",
        "@id",
        "@import",
        "@included",
        "@index",
        "@json",
        "@language",
        "@list",
        "@nest",
        "@none",
        "@prefix",
        "@propagate",
        "@protected",
        "@reverse",
        "@set",
        "@type",
        "@value",
        "@version",
        "@vocab",
    ]
)


def bundled_context_urls() -> tuple[str, ...]:
    """URLs the offline loader serves."""
    return tuple(_BUNDLED)


@cache
def _context_text(url: str) -> str:
    name = _BUNDLED[url]
    return (
        resources.files("badges").joinpath("data", "contexts", name).read_text("utf-8")
    )


@cache
def _parsed_context(url: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(_context_text(url))
    return parsed


def bundled_context(url: str) -> dict[str, Any]:
    """A copy of a bundled context document; ``ContextNotBundled`` for any other URL."""
    if url not in _BUNDLED:
        raise ContextNotBundled(f"context not bundled: {url}")
    return copy.deepcopy(_parsed_context(url))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader over the bundled contexts only (never touches the network)."""
    if url not in _BUNDLED:
        raise ContextNotBundled(f"context not bundled: {url}")
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": _parsed_context(url),
        "contentType": "application/ld+json",
    }


def _options() -> dict[str, Any]:
    # base None: relative IRIs stay relative (pyld otherwise invents http://example.org/base/).
    return {"documentLoader": document_loader, "base": None}


def canonicalize(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of ``document`` (pyld's URDNA2015 is RDFC-1.0)."""
    options = {**_options(), "algorithm": "URDNA2015", "format": "application/n-quads"}
    try:
        result: str = jsonld.normalize(document, options)
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error
    return result


def _unwrap(error: Exception) -> Exception:
    """Surface our own loader error from inside pyld's wrapping, else the pyld error."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ContextNotBundled):
            return cause
        cause = getattr(cause, "cause", None) or cause.__cause__
    return error


def check_terms(document: dict[str, Any]) -> None:
    """Raise ``UndefinedTerms`` if expansion would drop anything from ``document``.

    Catches keys the contexts do not define, keyword-like keys, ``type`` values that
    stay relative IRIs, relative ``id`` values and JSON nulls (all silently dropped
    from the canonical form, so unsigned).
    """
    problems = _nulls(document, "$")
    dropped: list[str] = []
    try:
        expanded = jsonld.expand(
            document,
            _options(),
            on_property_dropped=lambda key: dropped.append(str(key)),
        )
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error
    problems += [f"property {key}" for key in dropped]
    problems += _relative_iris(expanded)
    if problems:
        raise UndefinedTerms(problems)


def _nulls(value: Any, path: str) -> list[str]:
    if value is None:
        return [f"null at {path}"]
    if isinstance(value, dict):
        found = [
            f"keyword-like key {k}"
            for k in value
            if k.startswith("@") and k not in _KEYWORDS
        ]
        for key, item in value.items():
            found += _nulls(item, f"{path}.{key}")
        return found
    if isinstance(value, list):
        return [
            problem
            for i, item in enumerate(value)
            for problem in _nulls(item, f"{path}[{i}]")
        ]
    return []


def _is_absolute(iri: str) -> bool:
    return iri.startswith("_:") or (":" in iri and not iri.startswith(":"))


def _relative_iris(expanded: Any) -> list[str]:
    found: list[str] = []
    if isinstance(expanded, list):
        for item in expanded:
            found += _relative_iris(item)
    elif isinstance(expanded, dict):
        for type_iri in expanded.get("@type", []) if "@value" not in expanded else []:
            if not _is_absolute(type_iri):
                found.append(f"type {type_iri}")
        node_id = expanded.get("@id")
        if isinstance(node_id, str) and not _is_absolute(node_id):
            found.append(f"id {node_id}")
        for key, item in expanded.items():
            if key not in ("@type", "@id", "@value"):
                found += _relative_iris(item)
    return found
