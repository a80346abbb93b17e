"""Offline loader, and the verifier's handling of junk input (never valid, never a crash)."""

from __future__ import annotations

import json

import pytest
from badges_support import NOW, resolver, signed_di

from badges import ContextNotBundled, bundled_context, document_loader, verify
from badges.contexts import CREDENTIAL_CONTEXTS, bundled_context_urls


def test_loader_serves_bundled_contexts_only() -> None:
    for url in CREDENTIAL_CONTEXTS:
        assert "@context" in document_loader(url, {})["document"]
    assert set(CREDENTIAL_CONTEXTS) <= set(bundled_context_urls())
    for url in (
        "https://example.com/ctx.json",
        "http://www.w3.org/ns/credentials/v2",
        "file:///etc/passwd",
        "https://www.w3.org/2018/credentials/examples/v1",
    ):
        with pytest.raises(ContextNotBundled):
            document_loader(url, {})
    copy = bundled_context(CREDENTIAL_CONTEXTS[0])
    copy["@context"]["id"] = "changed"
    assert bundled_context(CREDENTIAL_CONTEXTS[0])["@context"]["id"] == "@id"


def test_unknown_context_in_credential_is_reported() -> None:
    credential = signed_di()
    credential["@context"] = [*credential["@context"], "https://attacker.example/ctx"]
    result = verify(credential, now=NOW, resolve_document=resolver())
    assert result.code_of("contexts") == "context_not_bundled"
    assert not result.verified


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   ",
        "{",
        "[]",
        "null",
        "a.b",
        "a.b.c",
        "...",
        "eyJ.eyJ.eyJ",
        b"\xff\xfe",
        42,
        ["x"],
        "{" * 10000,
        json.dumps({"proof": None}),
        json.dumps({"a": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}),
        "[" * 50 + "]" * 50,
        '{"a":' * 40 + "1" + "}" * 40,
        "x" * (600 * 1024),
    ],
)
def test_junk_never_verifies_and_never_raises(junk) -> None:
    result = verify(junk, now=NOW, resolve_document=resolver())  # type: ignore[arg-type]
    assert not result.verified
    assert result.checks and not all(check.ok for check in result.checks)


def test_unsigned_credential_is_proof_missing() -> None:
    credential = signed_di()
    del credential["proof"]
    result = verify(credential, now=NOW, resolve_document=resolver())
    assert result.code_of("proof") == "proof_missing"
    assert result.code_of("status") == "status_not_checked"


def test_other_cryptosuites_and_purposes_refused() -> None:
    for field, value, code in (
        ("cryptosuite", "ecdsa-rdfc-2019", "proof_unsupported"),
        ("type", "Ed25519Signature2020", "proof_unsupported"),
        ("proofPurpose", "authentication", "proof_purpose_mismatch"),
    ):
        credential = signed_di()
        credential["proof"][field] = value
        assert verify(credential, now=NOW, resolve_document=resolver()).code_of("proof") == code
