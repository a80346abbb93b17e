"""Reading what a verifier is given (a dict, JSON text or a compact JWS) into one credential, within
size and nesting limits; the codes are the ``parse`` check's of `badges.verify`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from badges.errors import BadgeError
from badges.vc_jwt import CompactJws, JwtFormatError, credential_from_payload, read_compact

MAX_INPUT_CHARS = 512 * 1024
MAX_DEPTH = 32


@dataclass(frozen=True)
class Parsed:
    """A credential as read: its format ("json" or "jwt"), the document, and the JWS it came in."""

    format: str
    credential: dict[str, Any]
    jws: CompactJws | None = None


def json_depth(value: Any, limit: int) -> int:
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


def parse_json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise BadgeError("not JSON", code="parse_error") from error
    if not isinstance(value, dict):
        raise BadgeError("not a JSON object", code="parse_error")
    return value


def parse_credential(document_or_jwt: dict[str, Any] | str | bytes) -> Parsed:
    """The credential in a dict, JSON text or compact JWS; raises BadgeError with the parse code."""
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
        document = parse_json_object(text)
        if json_depth(document, MAX_DEPTH) > MAX_DEPTH:
            raise BadgeError("nesting too deep", code="too_deep")
        return Parsed("json", document)
    if text.count(".") != 2:
        raise BadgeError("neither JSON nor a compact JWS", code="parse_error")
    try:
        jws = read_compact(text)
        if json_depth(jws.payload, MAX_DEPTH) > MAX_DEPTH:
            raise BadgeError("nesting too deep", code="too_deep")
        credential = credential_from_payload(jws.payload)
    except JwtFormatError as error:
        raise BadgeError("bad JWT", code=str(error.args[0])) from error
    return Parsed("jwt", credential, jws)
