"""Bundled JSON-LD contexts, an offline pyld document loader and the undefined-term check.

Nothing is fetched at run time: a context URL we do not ship raises ``ContextNotBundled``.
pyld silently drops terms its contexts do not define, so a signature over the canonical
form would not cover them; ``check_terms`` refuses such documents before signing and
during verification.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from pyld import jsonld

from badges.errors import ContextNotBundled, UndefinedTerms

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_V2P0 = "https://purl.imsglobal.org/spec/clr/v2p0/context.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
JWS_2020 = "https://w3id.org/security/suites/jws-2020/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
# Retired (issue 21): credentials issued before carried it for ``skillLevel``; it is bundled so
# they keep verifying here, but nothing new names it (levels are OB 3.0 ResultDescriptions).
TALENTBANK_V1 = "https://talentbank.example/ns/v1"

CREDENTIAL_CONTEXTS: tuple[str, ...] = (VC_V2, OB_V3P0, OB_EXTENSIONS)

_BUNDLED: dict[str, str] = {
    VC_V2: "credentials-v2.json",
    OB_V3P0: "ob-v3p0-context-3.0.3.json",
    OB_EXTENSIONS: "ob-v3p0-extensions.json",
    CLR_V2P0: "clr-v2p0-context.json",
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


# Keywords that only mean something inside a context: in a node object processors ignore
# them, so a document carrying one has content the proof does not cover.
_CONTEXT_ONLY_KEYWORDS = frozenset(
    ["@base", "@container", "@import", "@prefix", "@propagate", "@protected", "@version", "@vocab", "@none"]
)


def bundled_context_urls() -> tuple[str, ...]:
    """URLs the offline loader serves."""
    return tuple(_BUNDLED)


@cache
def _context_text(url: str) -> str:
    name = _BUNDLED[url]
    return resources.files("badges").joinpath("data", "contexts", name).read_text("utf-8")


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
    """pyld document loader over the bundled contexts only (never touches the network).

    The documents are tagged ``static`` (pyld's marker for immutable contexts), so pyld keeps
    the resolved context in its shared cache instead of re-resolving and re-canonicalising
    (JCS) every bundled context on every expand/normalize call.
    """
    if url not in _BUNDLED:
        raise ContextNotBundled(f"context not bundled: {url}")
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": _parsed_context(url),
        "contentType": "application/ld+json",
        "tag": "static",
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
    stay relative IRIs, ids and IRIs that pyld's toRDF would skip, and JSON nulls (all
    silently dropped from the canonical form, so unsigned).

    Expansion costs milliseconds, so its verdict is cached per *term skeleton* (see
    ``_skeleton``): the document with every value that cannot change what is dropped
    replaced by a representative. Only a clean verdict is taken from the cache; any
    problem is recomputed on the real document for an exact message.
    """
    skeleton = _regular_skeleton_text(document)
    if skeleton is None:  # something irregular (or inline contexts): the careful path, in order
        problems = _nulls(document, "$")
        if problems:
            raise UndefinedTerms(problems)
        skeleton = _skeleton_text(document)
    if skeleton is not None and not _skeleton_problems(skeleton):
        return
    problems = _expansion_problems(document)
    if problems:
        raise UndefinedTerms(problems)


def _expansion_problems(document: dict[str, Any]) -> list[str]:
    dropped: list[str] = []
    try:
        expanded = jsonld.expand(document, _options(), on_property_dropped=lambda key: dropped.append(str(key)))
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error
    return [f"property {key}" for key in dropped] + _relative_iris(expanded)


@lru_cache(maxsize=1024)
def _skeleton_problems(skeleton: str) -> tuple[str, ...]:
    return tuple(_expansion_problems(json.loads(skeleton)))


@cache
def _exact_keys() -> frozenset[str]:
    """Keys whose string values select vocabulary: ``type`` and its aliases, and every
    bundled term coerced with ``"@type": "@vocab"`` (e.g. ``proofPurpose``)."""
    keys = {"type"}
    pending: list[Any] = [_parsed_context(url)["@context"] for url in _BUNDLED]
    while pending:
        context = pending.pop()
        if isinstance(context, list):
            pending.extend(context)
            continue
        if not isinstance(context, dict):
            continue
        for term, definition in context.items():
            if isinstance(definition, str) and definition == "@type":
                keys.add(term)
            if isinstance(definition, dict):
                if definition.get("@type") == "@vocab" or definition.get("@id") == "@type":
                    keys.add(term)
                pending.append(definition.get("@context"))
    return frozenset(keys)


class _Uncacheable(Exception):
    """The document defines terms inline; only a full expansion can judge it."""


def _representative(text: str) -> str:
    """Stand-in with the same IRI class as ``text``: a value in an ``id`` or
    ``@id``-coerced position is dropped only if it is not an absolute IRI (pyld's regex);
    in literal positions the value never matters."""
    if text.startswith("@"):
        return text
    if _ABSOLUTE_IRI.match(text):
        return "_:b" if text.startswith("_:") else "urn:x"
    return "x"


def _skeletal(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        if "@context" in value:
            raise _Uncacheable
        return {k: _skeletal(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_skeletal(item, key) for item in value]
    if isinstance(value, str) and not key.startswith("@") and key not in _exact_keys():
        return _representative(value)
    return value


def _skeleton_text(document: dict[str, Any]) -> str | None:
    """JSON of the term skeleton, or None if the document has inline or unknown contexts."""
    contexts = document.get("@context")
    context_list = contexts if isinstance(contexts, list) else [contexts]
    if not all(isinstance(url, str) and url in _BUNDLED for url in context_list):
        return None
    try:
        body = {k: _skeletal(v, k) for k, v in document.items() if k != "@context"}
    except _Uncacheable:
        return None
    return json.dumps({"@context": contexts, **body}, sort_keys=True)


def _regular_skeletal(value: Any, key: str, exact: frozenset[str]) -> Any:
    """``_skeletal`` in one pass that also refuses (``_Uncacheable``) anything ``_nulls``
    would report and any inline ``@context``: on a regular document both walks in one."""
    if isinstance(value, str):
        if key.startswith("@") or key in exact or value.startswith("@"):
            return value
        if _ABSOLUTE_IRI.match(value):
            return "_:b" if value.startswith("_:") else "urn:x"
        return "x"
    if isinstance(value, dict):
        skeleton: dict[str, Any] = {}
        for name, item in value.items():
            if name.startswith("@") and (name not in _KEYWORDS or name in _CONTEXT_ONLY_KEYWORDS or name == "@context"):
                raise _Uncacheable
            skeleton[name] = _regular_skeletal(item, name, exact)
        return skeleton
    if isinstance(value, list):
        return [_regular_skeletal(item, key, exact) for item in value]
    if value is None:
        raise _Uncacheable
    return value


def _regular_skeleton_text(document: dict[str, Any]) -> str | None:
    """``_skeleton_text`` of a document in which ``_nulls`` finds nothing and no inline context
    appears; None for any other document (then the separate walks decide)."""
    contexts = document.get("@context")
    context_list = contexts if isinstance(contexts, list) else [contexts]
    if not all(isinstance(url, str) and url in _BUNDLED for url in context_list):
        return None
    exact = _exact_keys()
    body: dict[str, Any] = {}
    try:
        for name, item in document.items():
            if name == "@context":
                continue
            if name.startswith("@") and (name not in _KEYWORDS or name in _CONTEXT_ONLY_KEYWORDS):
                return None
            body[name] = _regular_skeletal(item, name, exact)
    except _Uncacheable:
        return None
    return json.dumps({"@context": contexts, **body}, sort_keys=True)


def string_shape(key: str, value: str) -> str:
    """What a string member ``key: value`` becomes in the term skeleton (see ``check_terms``)."""
    if key.startswith("@") or key in _exact_keys() or value.startswith("@"):
        return value
    if _ABSOLUTE_IRI.match(value):
        return "_:b" if value.startswith("_:") else "urn:x"
    return "x"


def _nulls(value: Any, path: str) -> list[str]:
    if value is None:
        return [f"null at {path}"]
    if isinstance(value, dict):
        found = [
            f"keyword-like key {k}"
            for k in value
            if k.startswith("@") and (k not in _KEYWORDS or k in _CONTEXT_ONLY_KEYWORDS)
        ]
        for key, item in value.items():
            if key != "@context":  # contexts may map terms to null and use context keywords
                found += _nulls(item, f"{path}.{key}")
        return found
    if isinstance(value, list):
        return [problem for i, item in enumerate(value) for problem in _nulls(item, f"{path}[{i}]")]
    return []


# pyld's own test (jsonld._is_absolute_iri): toRDF silently skips any node, property or
# object whose IRI fails it, e.g. "urn:a b" (whitespace), so such IRIs count as undefined.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")


def _is_absolute(iri: Any) -> bool:
    return isinstance(iri, str) and _ABSOLUTE_IRI.match(iri) is not None


def _relative_iris(expanded: Any) -> list[str]:
    found: list[str] = []
    if isinstance(expanded, list):
        for item in expanded:
            found += _relative_iris(item)
    elif isinstance(expanded, dict):
        types = expanded.get("@type", [])
        for type_iri in types if isinstance(types, list) else [types]:
            if type_iri != "@json" and not _is_absolute(type_iri):
                found.append(f"type {type_iri}")
        if "@id" in expanded and not _is_absolute(expanded["@id"]):
            found.append(f"id {expanded['@id']}")
        for key, item in expanded.items():
            if not key.startswith("@") and not _is_absolute(key):
                found.append(f"property {key}")
            if key not in ("@type", "@id", "@value"):
                found += _relative_iris(item)
    return found
