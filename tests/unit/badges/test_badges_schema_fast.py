"""The compiled schema predicate gives exactly jsonschema's verdict (Draft 2019-09, no format checker).

``schema_errors`` trusts the compiled form only for "valid", so the property that matters is:
compiled(document) is True  <=>  Draft201909Validator(schema).is_valid(document). Checked on the
official examples, on mutated credentials, and on random schemas built from the supported
keywords with random instances. The example counts suit CI; for a soak run set
BADGES_SCHEMA_SOAK=20 (twenty times as many examples).
"""

from __future__ import annotations

import copy
import json
import math
import os
from typing import Any

import pytest
from badges_support import FIXTURES, award, signed_di, signed_jwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft201909Validator
from test_badges_tamper_properties import _paths, _segments

from badges import build_credential, build_endorsement, schema_errors
from badges.schema import (
    ACHIEVEMENT_SCHEMA,
    ENDORSEMENT_SCHEMA,
    PROFILE_SCHEMA,
    _compiled,
    _schema_document,
    _validator,
    schema_for,
)
from badges.schema_compiler import UnsupportedSchema, compile_schema
from badges.vc_jwt import credential_from_payload

SCHEMAS = (ACHIEVEMENT_SCHEMA, ENDORSEMENT_SCHEMA, PROFILE_SCHEMA)
SOAK = max(1, int(os.environ.get("BADGES_SCHEMA_SOAK", "1")))


def _agree(document: Any) -> None:
    for name in SCHEMAS:
        assert _compiled(name)(document) is _validator(name).is_valid(document), name


def _documents() -> list[Any]:
    documents: list[Any] = [json.loads(path.read_text("utf-8")) for path in sorted(FIXTURES.rglob("*.json"))]
    documents += [signed_di(), credential_from_payload(_segments(signed_jwt())[1])]
    documents.append(build_credential(award(email=None, did="did:example:learner")))
    return documents


def _bases() -> list[Any]:
    bases = [document for document in _documents() if isinstance(document, dict)]
    endorsement = next((d for d in bases if "EndorsementCredential" in str(d.get("type"))), None)
    assert endorsement is not None
    return bases


def test_bundled_schemas_compile_without_falling_back() -> None:
    for name in SCHEMAS:
        compile_schema(_schema_document(name))  # raises UnsupportedSchema otherwise
        assert _compiled(name) is not _validator(name).is_valid


def test_reference_validator_asserts_no_formats() -> None:
    # The compiled form treats "format" as an annotation; that is only exact while the
    # reference validator has no format checker.
    for name in SCHEMAS:
        assert _validator(name).format_checker is None


def test_examples_and_their_parts_agree() -> None:
    documents = _documents()
    assert any(_validator(ACHIEVEMENT_SCHEMA).is_valid(d) for d in documents)
    assert any(_validator(ENDORSEMENT_SCHEMA).is_valid(d) for d in documents)
    for document in documents:
        _agree(document)
        for path in _paths(document):  # every sub-object and value against every schema
            value = document
            for step in path:
                value = value[step]
            _agree(value)


def test_endorsement_built_by_us_agrees() -> None:
    endorsement = build_endorsement(
        endorser=award().issuer,
        achievement_id="https://talentbank.example/achievements/5d1c",
        comment="Recognised by the prefecture.",
        valid_from=award().valid_from,
    )
    assert schema_errors(endorsement) == []
    _agree(endorsement)


VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    1.5,
    -1,
    math.nan,
    "",
    "x",
    "en",
    "en-US",
    "EN",
    "VerifiableCredential",
    "OpenBadgeCredential",
    "AchievementCredential",
    "EndorsementCredential",
    "Achievement",
    "AchievementSubject",
    "Profile",
    "IdentityObject",
    "emailAddress",
    "DataIntegrityProof",
    "1EdTechJsonSchemaValidator2019",
    "2026-01-01T00:00:00Z",
    "not a date",
    "urn:uuid:2f0c4a18-9a7e-4e3e-8f0b-1c2d3e4f5a6b",
    "https://example.org/x",
    "sha256$abc",
    [],
    [""],
    ["x"],
    ["VerifiableCredential"],
    ["VerifiableCredential", "OpenBadgeCredential"],
    [1, "x"],
    {},
    {"id": "urn:x"},
    {"type": "Profile"},
    {"type": ["Profile"], "id": "urn:x"},
    {"en": "x"},
    {"EN": "x"},
    {"narrative": "x"},
    {"id": "urn:x", "type": "Image"},
]
KEYS = [
    "id",
    "type",
    "name",
    "description",
    "issuer",
    "achievement",
    "identifier",
    "criteria",
    "image",
    "alignment",
    "evidence",
    "proof",
    "credentialStatus",
    "credentialSchema",
    "validFrom",
    "validUntil",
    "awardedDate",
    "endorsement",
    "result",
    "narrative",
    "targetName",
    "targetUrl",
    "targetType",
    "hashed",
    "identityHash",
    "identityType",
    "extra",
    "@context",
    "@id",
]


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    document = copy.deepcopy(draw(st.sampled_from(_bases())))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(document)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        current = parent[last]
        action = draw(st.sampled_from(["replace", "delete", "add", "wrap", "unwrap", "graft"]))
        if action == "replace":
            parent[last] = copy.deepcopy(draw(st.sampled_from(VALUES)))
        elif action == "delete":
            del parent[last]
        elif action == "add" and isinstance(current, dict):
            current[draw(st.sampled_from(KEYS))] = copy.deepcopy(draw(st.sampled_from(VALUES)))
        elif action == "wrap":
            parent[last] = [current]
        elif action == "unwrap" and isinstance(current, list) and current:
            parent[last] = current[0]
        elif action == "graft":  # a piece of the document somewhere it may or may not belong
            source = draw(st.sampled_from(paths))
            value = document
            for step in source:
                value = value[step]
            parent[last] = copy.deepcopy(value)
    return document


@settings(
    max_examples=150 * SOAK, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(mutated())
def test_mutated_documents_agree(document: Any) -> None:
    _agree(document)
    if isinstance(document, dict):  # and the public function gives the same verdict
        assert (schema_errors(document) == []) is _validator(schema_for(document)).is_valid(document)


# --- random schemas from the supported keywords, random instances ---------------------------

NAMES = st.sampled_from(["a", "b", "c", "en", "EN", "id"])
TYPES = st.sampled_from(["array", "boolean", "integer", "null", "number", "object", "string"])
PATTERNS = st.sampled_from(["^[a-z]{2}(-[A-Z]{2})?$", "a", "^$", r"\d", "^x"])
ENUM_VALUES = st.sampled_from([1, 1.0, True, False, 0, None, "a", "", [1], [True], {"a": 1}, {"a": True}, 2.5])


def _leaf() -> st.SearchStrategy[Any]:
    return st.booleans() | st.fixed_dictionaries(
        {},
        optional={
            "type": TYPES | st.lists(TYPES, min_size=1, max_size=3, unique=True),
            "enum": st.lists(ENUM_VALUES, max_size=4) | st.lists(st.sampled_from(["a", "b", ""]), max_size=3),
            "pattern": PATTERNS,
            "minItems": st.integers(0, 3),
            "required": st.lists(NAMES, max_size=2, unique=True),
            "format": st.sampled_from(["uri", "date-time", "email"]),
            "description": st.just("annotation only"),
            "$ref": st.sampled_from(["#/$defs/a", "#/$defs/b"]),
        },
    )


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(
        {},
        optional={
            "type": TYPES,
            "properties": st.dictionaries(NAMES, children, max_size=3),
            "additionalProperties": children,
            "propertyNames": children,
            "required": st.lists(NAMES, max_size=2, unique=True),
            "items": children | st.lists(children, min_size=1, max_size=3),
            "additionalItems": children,
            "contains": children,
            "minItems": st.integers(0, 2),
            "allOf": st.lists(children, min_size=1, max_size=3),
            "anyOf": st.lists(children, min_size=1, max_size=3),
            "oneOf": st.lists(children, min_size=1, max_size=3),
            "$ref": st.sampled_from(["#/$defs/a", "#/$defs/b"]),
        },
    ).filter(lambda schema: not (isinstance(schema.get("items"), bool) and "additionalItems" in schema))


LEAF = _leaf()
DEF_A = LEAF.filter(lambda schema: not isinstance(schema, dict) or "$ref" not in schema)
DEF_B = _extend(LEAF)
SCHEMA_TREE = st.recursive(LEAF, _extend, max_leaves=8)
INSTANCE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-2, 3)
    | st.sampled_from([0.0, 1.0, 2.5, -1.5])
    | st.sampled_from(["", "a", "b", "en", "en-US", "x1", "EN"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=3),
    max_leaves=10,
)


@st.composite
def schema_and_instances(draw: st.DrawFn) -> tuple[Any, list[Any]]:
    # "b" may refer to "a", "a" to nothing: no unconditional $ref cycle (jsonschema would
    # recurse forever on one, and so would we; recursion through the official schemas' $defs
    # is covered by the document tests).
    defs = {"a": draw(DEF_A), "b": json.loads(json.dumps(draw(DEF_B)).replace('"#/$defs/b"', '"#/$defs/a"'))}
    root = draw(SCHEMA_TREE)
    if isinstance(root, bool):
        root = {"allOf": [root]}
    return {**root, "$defs": defs}, draw(st.lists(INSTANCE, min_size=1, max_size=6))


@settings(max_examples=300 * SOAK, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema_and_instances())
def test_random_schemas_agree_with_jsonschema(case: tuple[Any, list[Any]]) -> None:
    schema, instances = case
    compiled = compile_schema(schema)
    reference = Draft201909Validator(schema)
    for instance in instances:
        assert compiled(instance) is reference.is_valid(instance), (schema, instance)


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        ({"enum": [1]}, [1, 1.0], [True, "1", [1]]),
        ({"enum": [True]}, [True], [1, 1.0, "true"]),
        ({"enum": [[1]]}, [[1], [1.0]], [[True], 1]),
        ({"enum": [{"a": False}]}, [{"a": False}], [{"a": 0}, {"a": False, "b": 1}]),
        ({"type": "integer"}, [1, 1.0, -3], [1.5, True, "1"]),
        ({"type": "number"}, [1, 1.5], [True, None]),
        ({"oneOf": [{"type": "string"}, {"pattern": "^a"}]}, ["b", 3], ["abc"]),
        ({"items": [{"type": "string"}], "additionalItems": False}, [[], ["a"], "ab"], [["a", "b"], [1]]),
        ({"additionalItems": False}, [[1, 2, 3]], []),  # ignored without "items"
        ({"items": {"type": "string"}, "additionalItems": False}, [["a", "b"]], [[1]]),
        ({"contains": {"enum": ["x"]}}, [["a", "x"], "x", {}], [[], ["a"]]),
        ({"propertyNames": {"pattern": "^[a-z]{2}$"}}, [{"en": 1}, [], "EN"], [{"EN": 1}]),
        ({"properties": {"a": False}, "additionalProperties": {"type": "string"}}, [{"b": "x"}], [{"a": 1}, {"b": 1}]),
        ({"required": ["a"]}, [{"a": None}, ["a"]], [{}]),
        ({"format": "email"}, ["not an email"], []),
        ({"minItems": 1}, [[0], "", {}], [[]]),
    ],
)
def test_keyword_semantics_match_jsonschema(schema: dict[str, Any], valid: list[Any], invalid: list[Any]) -> None:
    compiled = compile_schema(schema)
    reference = Draft201909Validator(schema)
    for instance in valid:
        assert reference.is_valid(instance) and compiled(instance), instance
    for instance in invalid:
        assert not reference.is_valid(instance) and not compiled(instance), instance


def test_recursive_references_compile() -> None:
    schema = {
        "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}, "required": ["v"]}},
        "$ref": "#/$defs/node",
    }
    compiled = compile_schema(schema)
    assert compiled({"v": 1, "next": {"v": 2, "next": {"v": 3}}})
    assert not compiled({"v": 1, "next": {"v": 2, "next": {}}})


@pytest.mark.parametrize(
    "schema",
    [
        {"minLength": 1},
        {"if": {"type": "string"}, "then": {"minLength": 1}},
        {"patternProperties": {"^a": {"type": "string"}}},
        {"properties": {"a": {"$id": "https://example.org/other", "type": "string"}}},
        {"$ref": "https://example.org/remote.json"},
        {"$ref": "#anchor"},
        {"$ref": "#/$defs/missing"},
        {"contains": {"type": "string"}, "minContains": 2},
        {"unevaluatedProperties": False},
        {"type": "decimal"},
        {"items": True, "additionalItems": False},
        {"allOf": []},
    ],
)
def test_anything_not_reproduced_exactly_is_refused(schema: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedSchema):
        compile_schema(schema)


def test_schema_errors_falls_back_to_jsonschema_when_a_schema_cannot_be_compiled(monkeypatch) -> None:
    import badges.schema as module

    def refuse(schema: dict[str, Any]) -> Any:
        raise UnsupportedSchema("test")

    _compiled.cache_clear()
    monkeypatch.setattr(module, "compile_schema", refuse)
    try:
        assert _compiled(ACHIEVEMENT_SCHEMA) == _validator(ACHIEVEMENT_SCHEMA).is_valid
        document = signed_di()
        assert schema_errors(document) == []
        assert schema_errors({k: v for k, v in document.items() if k != "issuer"}) != []
    finally:
        _compiled.cache_clear()


def test_invalid_documents_still_get_jsonschema_messages() -> None:
    document = {k: v for k, v in signed_di().items() if k != "issuer"}
    errors = schema_errors(document)
    assert errors and any("'issuer' is a required property" in error for error in errors)
