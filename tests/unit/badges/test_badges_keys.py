"""did:key, did:web and DID documents."""

from __future__ import annotations

import pytest
from badges_support import ISSUER_DID, issuer_key, method_id, other_key, resolver
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges import (
    KeyResolutionError,
    decode_did_key,
    did_document,
    did_key,
    did_key_verification_method,
    did_web_from_url,
    did_web_url,
    public_key_jwk,
    resolve_verification_method,
)
from badges.multibase import b58decode, b58encode


def test_base58_round_trip_and_leading_zeros() -> None:
    for data in (b"", b"\0", b"\0\0\x01", bytes(range(40))):
        assert b58decode(b58encode(data)) == data
    assert b58encode(b"\0\0\x01") == "112"
    with pytest.raises(ValueError):
        b58decode("0OIl")


def test_did_key_round_trip_known_value() -> None:
    # From the 1EdTech test vector: publicKeyHex ↔ z6MkjZRZ...
    public = Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4")
    ).public_key()
    assert did_key(public) == "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
    method = did_key_verification_method(public)
    assert method.endswith("#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")
    assert decode_did_key(method) == public
    with pytest.raises(KeyResolutionError):
        decode_did_key(did_key(public) + "#z6MkOther")


def test_did_web_mapping() -> None:
    assert did_web_url("did:web:w3c-ccg.github.io") == "https://w3c-ccg.github.io/.well-known/did.json"
    assert did_web_url("did:web:example.com:user:alice") == "https://example.com/user/alice/did.json"
    assert did_web_url("did:web:example.com%3A3000:user") == "https://example.com:3000/user/did.json"
    assert did_web_from_url("https://example.com:3000/user/alice") == "did:web:example.com%3A3000:user:alice"
    for bad in (
        "did:web:",
        "did:web:example.com:..:x",
        "did:web:a%2Fb",
        "did:key:z6Mk",
        "did:web:x.jp#k",
    ):
        with pytest.raises(KeyResolutionError):
            did_web_url(bad)


def test_did_document_publishes_multikey_and_jwk_for_every_key() -> None:
    document = did_document(ISSUER_DID, [issuer_key().public_key(), other_key().public_key()])
    assert document["id"] == ISSUER_DID
    assert len(document["verificationMethod"]) == 4
    assert all(m["controller"] == ISSUER_DID for m in document["verificationMethod"])
    assert document["assertionMethod"] == [m["id"] for m in document["verificationMethod"]]
    jwk = document["verificationMethod"][1]["publicKeyJwk"]
    assert jwk == public_key_jwk(issuer_key().public_key()) and "d" not in jwk


def test_resolution_through_injected_resolver_only() -> None:
    resolved = resolve_verification_method(method_id(), resolve_document=resolver())
    assert resolved.controller == ISSUER_DID
    assert resolved.key == issuer_key().public_key()
    jwk_method = method_id() + "-jwk"
    assert resolve_verification_method(jwk_method, resolve_document=resolver()).key == issuer_key().public_key()
    with pytest.raises(KeyResolutionError):
        resolve_verification_method(method_id())  # no resolver: nothing fetched
    with pytest.raises(KeyResolutionError):
        resolve_verification_method(method_id(other_key()), resolve_document=resolver())
    with pytest.raises(KeyResolutionError):
        resolve_verification_method("http://insecure.example/k#1", resolve_document=resolver())


def test_controller_document_must_list_key_as_assertion_method() -> None:
    document = did_document(ISSUER_DID, [issuer_key().public_key()])
    document["assertionMethod"] = []
    serve = resolver(documents={"https://talentbank.example/issuers/hokkaido-kosen/did.json": document})
    with pytest.raises(KeyResolutionError):
        resolve_verification_method(method_id(), resolve_document=serve)


def test_private_jwk_refused() -> None:
    document = did_document(ISSUER_DID, [issuer_key().public_key()])
    document["verificationMethod"][1]["publicKeyJwk"]["d"] = "secret"
    serve = resolver(documents={"https://talentbank.example/issuers/hokkaido-kosen/did.json": document})
    with pytest.raises(KeyResolutionError):
        resolve_verification_method(method_id() + "-jwk", resolve_document=serve)
