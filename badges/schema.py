"""Validation against the official OB 3.0 JSON Schemas (Draft 2019-09), bundled in data/schemas.

Two engines, one verdict. ``jsonschema``'s ``Draft201909Validator`` is the reference: it
produces every error message. It spends ~1 ms per credential walking the schema generically
(evolving a validator object per subschema, building an error object for every failed
``oneOf`` branch), so a valid document is first judged by a *compiled* form of the same
schema (``badges.schema_compiler``): each subschema becomes a closure that checks exactly the keywords it has, with the
semantics ``jsonschema`` gives them under Draft 2019-09 (its type checker, ``equal`` for
``enum``, ``re.search`` for ``pattern``, ``format`` as an annotation since the reference
validator has no format checker). Only a clean verdict is taken from the compiled form; any
problem is recomputed by ``jsonschema`` for exact messages, so the compiled form can only
ever say "valid" faster, never turn a violation into a pass or invent one. A schema using a
keyword outside the supported set is not compiled: ``jsonschema``'s own ``is_valid`` is
used instead. ``tests/unit/badges/test_badges_schema_fast.py`` checks the two engines agree
on the official examples and on thousands of mutated documents.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator

from badges.schema_compiler import Predicate, UnsupportedSchema, compile_schema

ACHIEVEMENT_SCHEMA = "ob_v3p0_achievementcredential_schema.json"
ENDORSEMENT_SCHEMA = "ob_v3p0_endorsementcredential_schema.json"
PROFILE_SCHEMA = "ob_v3p0_profile_schema.json"


@cache
def _schema_document(name: str) -> dict[str, Any]:
    text = resources.files("badges").joinpath("data", "schemas", name).read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def _validator(name: str) -> Draft201909Validator:
    # No format checker: in Draft 2019-09 "format" is an annotation unless one is asked for,
    # and the official schemas are meant to be used that way. The compiled form relies on it.
    return Draft201909Validator(_schema_document(name), format_checker=None)


@cache
def _compiled(name: str) -> Predicate:
    """The compiled predicate of a bundled schema, or jsonschema's ``is_valid`` if it cannot be compiled."""
    try:
        return compile_schema(_schema_document(name))
    except UnsupportedSchema:
        return _validator(name).is_valid


def schema_for(document: dict[str, Any]) -> str:
    """Which schema applies: endorsement for EndorsementCredential, else achievement credential."""
    types = document.get("type")
    type_list = types if isinstance(types, list) else [types]
    return ENDORSEMENT_SCHEMA if "EndorsementCredential" in type_list else ACHIEVEMENT_SCHEMA


def schema_errors(document: dict[str, Any], schema: str | None = None) -> list[str]:
    """Messages of every schema violation (empty list: valid); at most 20, path first."""
    name = schema or schema_for(document)
    if _compiled(name)(document):
        return []
    errors = sorted(_validator(name).iter_errors(document), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(map(str, error.absolute_path)) or '$'}: {error.message}"[:300] for error in errors[:20]]
