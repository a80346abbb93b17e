"""The fast paths of ``verify`` decide exactly what the slow ones did.

* VC-JWT: the token is read once (``read_compact``) and its signature checked with PyJWT's
  algorithm object; ``jwt.decode`` on the same token and key must agree on every token.
* The nesting-depth guard walks containers only; same verdict as the full walk.
* did:key / multibase decoding is cached; pyld's shared context cache (``static`` tag) gives
  the same canonical N-Quads as an uncached loader.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from badges_support import NOW, award, issuer_key, method_id, other_key, resolver, signed_di, signed_jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld
from test_badges_term_cache import tricky_document

from badges import (
    KeyResolutionError,
    build_credential,
    canonicalize,
    decode_did_key,
    did_key,
    sign_jwt,
    verify,
)
from badges.contexts import (
    _nulls,
    _options,
    _regular_skeleton_text,
    _skeleton_text,
    bundled_context_urls,
    document_loader,
)
from badges.keys import decode_public_key_multibase, public_key_multibase
from badges.parsing import MAX_DEPTH, json_depth
from badges.vc_jwt import (
    JwtFormatError,
    read_compact,
    read_header,
    read_payload_unverified,
    verify_compact_signature,
    verify_jwt_signature,
)

ES_KEY = ec.generate_private_key(ec.SECP256R1())
RS_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _tokens() -> list[tuple[str, Any]]:
    credential = build_credential(award())
    return [
        (signed_jwt(), issuer_key().public_key()),
        (sign_jwt(credential, ES_KEY, kid="https://talentbank.example/k#es"), ES_KEY.public_key()),
        (sign_jwt(credential, RS_KEY, kid="https://talentbank.example/k#rs"), RS_KEY.public_key()),
    ]


TOKENS = _tokens()


def _pyjwt_accepts(token: str, key: Any) -> bool:
    alg = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["alg"]
    try:
        jwt.decode(
            token, key, algorithms=[alg], options={"verify_signature": True, "verify_exp": False, "verify_nbf": False}
        )
    except jwt.PyJWTError:
        return False
    return True


def _ours_accepts(token: str, key: Any) -> bool:
    try:
        verify_compact_signature(read_compact(token), key)
    except JwtFormatError:
        return False
    return True


def test_read_compact_matches_the_separate_readers() -> None:
    for token, _ in TOKENS:
        jws = read_compact(token)
        assert jws.header == read_header(token)
        assert jws.payload == read_payload_unverified(token)
        head, body, signature = token.split(".")
        assert jws.signing_input == f"{head}.{body}".encode()
        assert base64.urlsafe_b64encode(jws.signature).rstrip(b"=").decode() == signature


def test_untouched_tokens_verify_in_both() -> None:
    for token, key in TOKENS:
        assert _pyjwt_accepts(token, key)
        assert _ours_accepts(token, key)
        assert verify_jwt_signature(token, read_header(token), key) == jwt.decode(
            token, key, algorithms=[read_header(token)["alg"]], options={"verify_exp": False, "verify_nbf": False}
        )


def test_wrong_key_of_the_right_type_rejected_by_both() -> None:
    token = signed_jwt()
    assert not _pyjwt_accepts(token, other_key().public_key())
    assert not _ours_accepts(token, other_key().public_key())


def test_verify_jwt_signature_insists_on_the_tokens_own_header() -> None:
    token = signed_jwt()
    with pytest.raises(JwtFormatError):
        verify_jwt_signature(token, {**read_header(token), "alg": "ES256"}, ES_KEY.public_key())


def test_compact_signature_refuses_an_algorithm_outside_the_list_even_if_handed_one() -> None:
    jws = read_compact(signed_jwt())
    forged = type(jws)({**jws.header, "alg": "HS256"}, jws.payload, jws.signing_input, jws.signature)
    with pytest.raises(JwtFormatError, match="jwt_alg_forbidden"):
        verify_compact_signature(forged, issuer_key().public_key())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_bit_flip_gets_the_same_verdict_as_pyjwt(data: st.DataObject) -> None:
    token, key = data.draw(st.sampled_from(TOKENS))
    segment = data.draw(st.integers(0, 2))
    parts = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(parts[segment] + "=" * (-len(parts[segment]) % 4)))
    index = data.draw(st.integers(0, len(raw) - 1))
    raw[index] ^= 1 << data.draw(st.integers(0, 7))
    parts[segment] = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    tampered = ".".join(parts)
    try:
        read_compact(tampered)
    except JwtFormatError:
        return  # refused before any signature check (header/JSON broken): stricter than PyJWT
    assert not _ours_accepts(tampered, key)
    assert _ours_accepts(tampered, key) == _pyjwt_accepts(tampered, key)


def test_full_verify_of_every_algorithm_still_passes_and_tamper_fails() -> None:
    result = verify(signed_jwt(), now=NOW, resolve_document=resolver())
    assert result.verified, result.checks
    head, body, signature = signed_jwt().split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert verify(f"{head}.{body}.{flipped}", now=NOW, resolve_document=resolver()).code_of("proof") == "proof_invalid"


def _reference_depth(value: Any, limit: int) -> int:
    """The walk ``verify`` used before (every value, scalars included)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=2), inner, max_size=4),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(JSON, st.integers(1, 8))
def test_depth_guard_same_verdict_as_full_walk(value: Any, limit: int) -> None:
    assert (json_depth(value, limit) > limit) == (_reference_depth(value, limit) > limit)
    if _reference_depth(value, 1000) <= limit:
        assert json_depth(value, limit) == _reference_depth(value, 1000)


@pytest.mark.parametrize("extra", [0, 1])
def test_depth_limit_boundary_in_verify(extra: int) -> None:
    nested: Any = "x"
    for _ in range(MAX_DEPTH - 2 + extra):  # the credential itself is level 1, the scalar the last
        nested = [nested]
    document = {**signed_di(), "evidence": nested}
    codes = verify(document, now=NOW, resolve_document=resolver()).codes
    assert ("too_deep" in codes) is bool(extra)


def test_multibase_key_decoding_is_cached_and_failures_are_not() -> None:
    public = issuer_key().public_key()
    multibase = public_key_multibase(public)
    assert decode_public_key_multibase(multibase) is decode_public_key_multibase(multibase)
    assert decode_did_key(did_key(public)) == public
    for _ in range(2):
        with pytest.raises(KeyResolutionError):
            decode_public_key_multibase("z6MkBAD0")


def test_static_context_cache_gives_the_uncached_canonical_form() -> None:
    def plain_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        document = document_loader(url, options)
        return {key: value for key, value in document.items() if key != "tag"}

    for document in (
        signed_di(),
        build_credential(award(level=2)),
        {"@context": signed_di()["@context"], **signed_di()["proof"]},
    ):
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        options = {
            **_options(),
            "documentLoader": plain_loader,
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
        }
        jsonld._resolved_context_cache.clear()  # pyld's shared cache: start cold, stay untagged
        expected = jsonld.normalize(json.loads(json.dumps(unsecured)), options)
        # untagged: no URL cached (pyld caches inline context objects by content either way)
        assert not any(url in jsonld._resolved_context_cache for url in bundled_context_urls())
        assert canonicalize(unsecured) == expected  # cold, filling the cache
        assert any(url in jsonld._resolved_context_cache for url in bundled_context_urls())
        assert canonicalize(unsecured) == expected  # and again, from the warm cache


def test_di_credential_signed_by_another_key_still_fails() -> None:
    document = signed_di()
    document["proof"]["verificationMethod"] = method_id(other_key())
    assert not verify(document, now=NOW, resolve_document=resolver(issuer_key(), other_key())).verified


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tricky_document())
def test_one_pass_skeleton_equals_the_two_walks(document: dict[str, Any]) -> None:
    expected = None if _nulls(document, "$") else _skeleton_text(document)
    assert _regular_skeleton_text(document) == expected


@pytest.mark.parametrize(
    "change",
    [
        {"name": None},
        {"@vocab": "https://example.org/"},
        {"@foo": "x"},
        {"credentialSubject": {"@context": {"x": "https://example.org/x"}, "x": "y"}},
        {"credentialSubject": {"achievement": {"@base": "https://example.org/"}}},
        {"evidence": [{"id": "urn:x", "narrative": None}]},
    ],
)
def test_irregular_documents_take_the_careful_path(change: dict[str, Any]) -> None:
    document = {**signed_di(), **change}
    assert _regular_skeleton_text(document) is None
