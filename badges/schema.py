"""Validation against the official OB 3.0 JSON Schemas (Draft 2019-09), bundled in data/schemas."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator

ACHIEVEMENT_SCHEMA = "ob_v3p0_achievementcredential_schema.json"
ENDORSEMENT_SCHEMA = "ob_v3p0_endorsementcredential_schema.json"
PROFILE_SCHEMA = "ob_v3p0_profile_schema.json"


@cache
def _validator(name: str) -> Draft201909Validator:
    text = resources.files("badges").joinpath("data", "schemas", name).read_text("utf-8")
    return Draft201909Validator(json.loads(text))


def schema_for(document: dict[str, Any]) -> str:
    """Which schema applies: endorsement for EndorsementCredential, else achievement credential."""
    types = document.get("type")
    type_list = types if isinstance(types, list) else [types]
    return ENDORSEMENT_SCHEMA if "EndorsementCredential" in type_list else ACHIEVEMENT_SCHEMA


def schema_errors(document: dict[str, Any], schema: str | None = None) -> list[str]:
    """Messages of every schema violation (empty list: valid); at most 20, path first."""
    validator = _validator(schema or schema_for(document))
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(map(str, error.absolute_path)) or '$'}: {error.message}"[:300] for error in errors[:20]]
