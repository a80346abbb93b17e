"""eddsa-rdfc-2022: the official OB 3.0 test vector byte for byte, and 1EdTech fixtures offline."""

from __future__ import annotations

import hashlib
import json

import pytest
from badges_support import FIXTURES, NOW, fixture_json
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges import (
    canonicalize,
    did_key,
    public_key_multibase,
    sign_data_integrity,
    verify,
)
from badges.data_integrity import hash_data

VECTORS = FIXTURES / "test-vectors"


def _vector_key() -> tuple[Ed25519PrivateKey, dict[str, str]]:
    values = json.loads((VECTORS / "obv3p0-keys-and-hashes.json").read_text())
    # privateKeyHex is seed (32 bytes) followed by the public key.
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(values["privateKeyHex"][:64])), values


def test_official_test_vector_byte_for_byte() -> None:
    key, values = _vector_key()
    unsigned = json.loads((VECTORS / "obv3p0-unsigned-credential.json").read_text())
    expected_signed = json.loads((VECTORS / "obv3p0-signed-credential.json").read_text())

    document_canon = canonicalize(unsigned)
    assert document_canon == (VECTORS / "obv3p0-document-canon.nq").read_text()
    assert hashlib.sha256(document_canon.encode()).hexdigest() == values["ob-document-hash"]

    proof_options = {k: v for k, v in expected_signed["proof"].items() if k != "proofValue"}
    proof_canon = canonicalize({**proof_options, "@context": unsigned["@context"]})
    assert proof_canon == (VECTORS / "obv3p0-proof-canon.nq").read_text()
    assert hashlib.sha256(proof_canon.encode()).hexdigest() == values["ob-proof-hash"]
    assert hash_data(unsigned, proof_options).hex() == values["ob-data"]

    signed = sign_data_integrity(
        unsigned,
        key,
        verification_method=values["verificationMethod"],
        created=values["created"],
    )
    assert key.sign(hash_data(unsigned, proof_options)).hex() == values["ob-signature"]
    assert signed["proof"]["proofValue"] == values["ob-proof-value"]
    assert signed == expected_signed
    assert public_key_multibase(key.public_key()) == values["publicKeyMultibase"]


def test_official_signed_vector_verifies_with_its_controller_document() -> None:
    _key, values = _vector_key()
    signed = json.loads((VECTORS / "obv3p0-signed-credential.json").read_text())
    controller = "https://example.edu/issuers/565049"
    document = {
        "id": controller,
        "verificationMethod": [
            {
                "id": values["verificationMethod"],
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": values["publicKeyMultibase"],
            }
        ],
        "assertionMethod": [values["verificationMethod"]],
    }
    result = verify(signed, now=NOW, resolve_document={controller: document}.__getitem__)
    assert result.verified, result.checks


def test_validator_fixture_with_did_key_verifies_offline() -> None:
    result = verify(fixture_json("simple-did-key-method.json"), now=NOW)
    assert result.verified, result.checks
    assert result.issuer_key is not None
    assert result.issuer_key.controller == "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


def _controller_for(credential: dict) -> dict:
    method = (
        credential["proof"][0]["verificationMethod"]
        if isinstance(credential["proof"], list)
        else credential["proof"]["verificationMethod"]
    )
    controller, _, fragment = method.partition("#")
    return {
        "id": controller,
        "assertionMethod": [method],
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": fragment,
            }
        ],
    }


def test_complete_fixture_verifies_given_its_controller_document() -> None:
    credential = fixture_json("complete.json")
    controller = _controller_for(credential)
    result = verify(
        credential,
        now=NOW,
        resolve_document={controller["id"]: controller}.__getitem__,
        status_lookup=lambda entry, credential: False,
        expected_recipient_email="Student@1EdTech.edu",
    )
    assert result.verified, result.checks
    assert result.codes[-2:] == ["not_revoked", "recipient_matches"]


def test_endorsement_fixture_verifies_against_endorsement_schema() -> None:
    credential = fixture_json("endorsement-valid.json")
    controller = _controller_for(credential)
    result = verify(credential, now=NOW, resolve_document={controller["id"]: controller}.__getitem__)
    assert result.verified, result.checks


def test_https_key_is_never_taken_from_the_fragment_alone() -> None:
    credential = fixture_json("complete.json")
    result = verify(credential, now=NOW, status_lookup=lambda entry, credential: False)
    assert not result.verified
    assert result.code_of("issuer_key") == "key_unresolved"


def test_did_key_cannot_sign_for_an_https_issuer() -> None:
    key = Ed25519PrivateKey.generate()
    credential = fixture_json("simple-did-key-method.json")
    credential["issuer"]["id"] = "https://talentbank.example/issuers/1"
    del credential["proof"]
    multibase = public_key_multibase(key.public_key())
    signed = sign_data_integrity(
        credential,
        key,
        verification_method=f"{did_key(key.public_key())}#{multibase}",
        created="2026-01-01T00:00:00Z",
    )
    result = verify(signed, now=NOW)
    assert result.code_of("issuer_key") == "issuer_key_mismatch"
    assert not result.verified


def test_tampered_claim_proof_value_and_key_fail() -> None:
    from badges_support import issuer_key, method_id, other_key, resolver, signed_di

    original = signed_di()
    assert verify(original, now=NOW, resolve_document=resolver()).verified

    claim = json.loads(json.dumps(original))
    claim["credentialSubject"]["achievement"]["name"] = "上級データ分析"
    assert verify(claim, now=NOW, resolve_document=resolver()).code_of("proof") == "proof_invalid"

    value = json.loads(json.dumps(original))
    value["proof"]["proofValue"] = value["proof"]["proofValue"][:-2] + "11"
    assert verify(value, now=NOW, resolve_document=resolver()).code_of("proof") == "proof_invalid"

    unsigned = {k: v for k, v in original.items() if k != "proof"}
    other = sign_data_integrity(unsigned, other_key(), verification_method=method_id(), created=NOW)
    assert verify(other, now=NOW, resolve_document=resolver()).code_of("proof") == "proof_invalid"

    moved = sign_data_integrity(unsigned, other_key(), verification_method=method_id(other_key()), created=NOW)
    result = verify(moved, now=NOW, resolve_document=resolver(issuer_key()))
    assert result.code_of("issuer_key") == "key_unresolved"


def test_iris_that_rdf_would_silently_drop_are_refused() -> None:
    from badges_support import signed_di

    from badges import UndefinedTerms, check_terms

    credential = signed_di()
    credential["evidence"][0]["id"] = "urn:a b"  # pyld's toRDF skips this node entirely
    with pytest.raises(UndefinedTerms):
        check_terms({k: v for k, v in credential.items() if k != "proof"})
    assert verify(credential, now=NOW).code_of("contexts") == "undefined_terms"
