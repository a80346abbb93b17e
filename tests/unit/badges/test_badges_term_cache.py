"""The cached undefined-term check agrees with a full pyld expansion on every document."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from badges_support import signed_di, signed_jwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_badges_tamper_properties import _paths, _segments

from badges import UndefinedTerms, check_terms
from badges.contexts import _expansion_problems
from badges.vc_jwt import credential_from_payload

TRICKY = [
    "urn:a b",
    "_:b0",
    "x",
    "",
    "@id",
    "@type",
    "id",
    "type",
    "sec:foo",
    "https://a b",
    "a:b",
    " urn:x",
    "urn:x ",
    "\turn:x",
    "Achievement",
    "assertionMethod",
    "Profile",
    "ob:x",
    "1:2",
    "https://example.org/ok",
    "did:key:z6Mk",
    "#frag",
    "//host/path",
    "urn:x\u3000y",
    "schema:name",
]


def _is_clean_cached(document: dict[str, Any]) -> bool:
    try:
        check_terms(document)
    except UndefinedTerms:
        return False
    return True


def _is_clean_full(document: dict[str, Any]) -> bool:
    return not _expansion_problems(document)


@st.composite
def tricky_document(draw: st.DrawFn) -> dict[str, Any]:
    base = draw(st.sampled_from(["di", "jwt"]))
    document = copy.deepcopy(signed_di() if base == "di" else credential_from_payload(_segments(signed_jwt())[1]))
    check_terms(document)  # warm the cache with the clean skeleton: the risky case is a hit
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([p for p in _paths(document) if p]))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent[path[-1]], str | bool | int):
            parent[path[-1]] = draw(st.sampled_from(TRICKY) | st.text(max_size=8))
    return document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tricky_document())
def test_cached_verdict_equals_full_expansion(document: dict[str, Any]) -> None:
    try:
        is_clean = _is_clean_full(document)
    except Exception:
        with pytest.raises(Exception):  # noqa: B017
            check_terms(document)
        return
    assert _is_clean_cached(document) == is_clean


def test_builder_verdicts_agree_with_full_expansion_for_tricky_per_recipient_values() -> None:
    """One builder (so its remembered shapes pile up) fed tricky values in every member it fills per
    recipient: it refuses exactly the documents a full pyld expansion finds a problem in."""
    from badges_support import award

    from badges import EvidenceInput, Recipient, StatusEntry, credential_builder

    base = award()
    build = credential_builder(base.issuer, base.achievement, valid_from=base.valid_from, name=base.name)
    plain = {"recipient": Recipient(email="a@example.jp"), "id": "https://talentbank.example/c/1"}
    variants = []
    for value in TRICKY:
        variants += [
            {**plain, "id": value or "urn:x"},
            {**plain, "evidence": (EvidenceInput(id=value),)},
            {**plain, "evidence": (EvidenceInput(narrative=value, name=value),)},
            {**plain, "status": StatusEntry(value, 3)},
            {**plain, "status": StatusEntry("https://talentbank.example/status/1", 3, status_purpose=value)},
            {**plain, "salt": value or "0"},
            {**plain, "recipient": Recipient(did=value)},
        ]
    refused = 0
    for fields in variants * 2:
        try:
            document = build(**fields)
        except UndefinedTerms:
            refused += 1
            expected = dict(fields)
            document = build_unchecked(base, expected)
            assert not _is_clean_full(document), fields
        else:
            assert _is_clean_full(document), fields
    assert refused > 0


def build_unchecked(base, fields) -> dict[str, Any]:
    """The document the builder refused, built without any check."""
    from unittest import mock

    from badges import build, credential_builder

    with mock.patch.object(build, "check_terms", return_value=None):
        return credential_builder(base.issuer, base.achievement, valid_from=base.valid_from, name=base.name)(**fields)
