"""Property tests (SC-11): every random mutation of a signed credential is rejected, in both
formats; neutral key reordering of a Data Integrity credential still verifies.

Data Integrity signs the canonical RDF, not the JSON text. One JSON change leaves that RDF
untouched: deleting an ``@context`` entry whose terms the document does not use (here
OB ``extensions.json``). Such a document still verifies, correctly — it says exactly what was
signed. The DI property therefore asserts: rejected, or the signed bytes are identical and the
only difference is in ``@context``. Any other surviving mutation fails the test.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import string
from datetime import timedelta
from functools import cache
from typing import Any

from badges_support import NOW, resolver, signed_di, signed_jwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges import StatusEntry, verify
from badges.data_integrity import hash_data

# 200 per property in CI; the nightly SC-11 run sets BADGES_TAMPER_EXAMPLES=1000 (or more).
EXAMPLES = int(os.environ.get("BADGES_TAMPER_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEY_ALPHABET = string.ascii_letters + "@_"
B64_ALPHABET = string.ascii_letters + string.digits + "-_"
SCALARS = st.one_of(
    st.text(max_size=20),
    st.integers(-5, 10**6),
    st.booleans(),
    st.floats(allow_nan=False),
)


@cache
def _di() -> dict[str, Any]:
    return signed_di(
        valid_until=NOW + timedelta(days=365),
        status=StatusEntry("https://talentbank.example/status/1", 17),
        level=2,
    )


@cache
def _jwt() -> str:
    return signed_jwt(valid_until=NOW + timedelta(days=365), did="did:example:learner-42")


def _no_status(entry: dict[str, Any], credential: dict[str, Any]) -> bool:
    return False


def _verified(credential: Any) -> bool:
    return verify(credential, now=NOW, resolve_document=resolver(), status_lookup=_no_status).verified


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _parent(document: Any, path: tuple) -> Any:
    for step in path[:-1]:
        document = document[step]
    return document


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


@st.composite
def mutated(draw: st.DrawFn, original: dict[str, Any]) -> dict[str, Any]:
    """One change that alters content: replace, delete, rename, add a key, or flip a boolean."""
    document = copy.deepcopy(original)
    path = draw(st.sampled_from(_paths(document)))
    parent, last = _parent(document, path), path[-1]
    kind = draw(st.sampled_from(["replace", "delete", "rename", "add"]))
    if kind == "replace":
        old = parent[last]
        parent[last] = draw(SCALARS.filter(lambda new: not _same(new, old)))
    elif kind == "delete":
        del parent[last]
    elif kind == "rename" and isinstance(parent, dict):
        new_key = draw(st.text(KEY_ALPHABET, min_size=1, max_size=12).filter(lambda k: k not in parent))
        parent[new_key] = parent.pop(last)
    else:
        target = parent if isinstance(parent, dict) else document
        new_key = draw(st.text(KEY_ALPHABET, min_size=1, max_size=12).filter(lambda k: k not in target))
        target[new_key] = draw(SCALARS)
    return document


def _signed_bytes(document: dict[str, Any]) -> bytes:
    return hash_data(document, document["proof"])


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _segments(token: str) -> tuple[dict, dict, str]:
    head, body, signature = token.split(".")
    decode = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
    return decode(head), decode(body), signature


def test_unmodified_credentials_verify() -> None:
    assert _verified(_di())
    assert _verified(json.dumps(_di(), indent=2, ensure_ascii=False))
    assert _verified(_jwt())


@SETTINGS
@given(st.data())
def test_any_mutation_of_a_data_integrity_credential_is_rejected(
    data: st.DataObject,
) -> None:
    document = data.draw(mutated(_di()))
    if _verified(document):
        assert _signed_bytes(document) == _signed_bytes(_di())
        assert {k: v for k, v in document.items() if k != "@context"} == {
            k: v for k, v in _di().items() if k != "@context"
        }


@SETTINGS
@given(st.data())
def test_any_mutation_of_a_vc_jwt_payload_or_header_is_rejected(
    data: st.DataObject,
) -> None:
    header, payload, signature = _segments(_jwt())
    if data.draw(st.booleans()):
        payload = data.draw(mutated(payload))
    else:
        header = data.draw(mutated(header))
    token = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}.{signature}"
    assert not _verified(token)


@SETTINGS
@given(st.data())
def test_any_character_change_of_a_vc_jwt_is_rejected(data: st.DataObject) -> None:
    token = _jwt()
    index = data.draw(st.integers(0, len(token) - 1))
    new = data.draw(st.sampled_from(B64_ALPHABET + ".").filter(lambda c: c != token[index]))
    assert not _verified(token[:index] + new + token[index + 1 :])


def _shuffled(value: Any, randomness: Any) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        randomness.shuffle(keys)
        return {key: _shuffled(value[key], randomness) for key in keys}
    if isinstance(value, list):
        return [_shuffled(item, randomness) for item in value]
    return value


@settings(max_examples=50, deadline=None)
@given(st.randoms(use_true_random=False))
def test_key_reordering_keeps_data_integrity_valid(randomness: Any) -> None:
    assert _verified(_shuffled(_di(), randomness))


def test_dropping_an_unused_context_is_the_known_neutral_change() -> None:
    document = copy.deepcopy(_di())
    document["@context"].remove("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    assert _verified(document)
    document["@context"].remove("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json")
    assert not _verified(document)


def test_context_only_keywords_in_the_document_are_rejected() -> None:
    # Found by the property above: "@propagate" in a node object is ignored by JSON-LD processors,
    # so it would ride along unsigned.
    for keyword in ("@propagate", "@vocab", "@protected", "@version"):
        document = _di()
        document[keyword] = ""
        assert not _verified(document), keyword
        nested = _di()
        nested["credentialSubject"][keyword] = ""
        assert not _verified(nested), keyword
