"""Builders: schema-valid output, no undefined terms, recipient privacy (SC-13)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from badges_support import (
    FIXTURES,
    ISSUER_DID,
    NOW,
    award,
    issuer_key,
    method_id,
    resolver,
    signed_di,
)

from badges import (
    IssuerProfile,
    StatusEntry,
    UndefinedTerms,
    build_credential,
    build_endorsement,
    check_terms,
    hash_identity,
    recipient_matches,
    schema_errors,
    sign_data_integrity,
    verify,
)
from badges.contexts import CREDENTIAL_CONTEXTS, TALENTBANK_V1


@pytest.mark.parametrize("path", sorted((FIXTURES / "spec").glob("*.json")), ids=lambda p: p.name)
def test_spec_examples_validate_against_official_schema(path) -> None:
    assert schema_errors(json.loads(path.read_text())) == []


def test_issued_credential_shape_and_schema() -> None:
    credential = build_credential(
        award(
            valid_until=NOW + timedelta(days=365),
            status=StatusEntry("https://talentbank.example/status/1", 42),
        )
    )
    assert schema_errors(credential) == []
    assert credential["@context"] == list(CREDENTIAL_CONTEXTS)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"].startswith("urn:uuid:")
    assert credential["issuer"]["id"] == ISSUER_DID
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["alignment"][0]["targetFramework"] == "DSS-P v2.0"
    assert achievement["image"] == {
        "id": "https://talentbank.example/achievements/5d1c/image.png",
        "type": "Image",
    }
    assert credential["credentialStatus"] == {
        "id": "https://talentbank.example/status/1#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": "https://talentbank.example/status/1",
    }
    assert credential["validUntil"] > credential["validFrom"]


def test_our_context_only_when_our_term_is_used() -> None:
    credential = build_credential(award(level=3))
    assert credential["@context"][-1] == TALENTBANK_V1
    assert credential["credentialSubject"]["achievement"]["alignment"][0]["skillLevel"] == 3
    assert schema_errors(credential) == []
    signed = sign_data_integrity(credential, issuer_key(), verification_method=method_id(), created=NOW)
    assert verify(signed, now=NOW, resolve_document=resolver()).verified


def test_recipient_did_credential() -> None:
    credential = build_credential(award(did="did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"))
    assert credential["credentialSubject"]["id"].startswith("did:key:")
    assert "identifier" not in credential["credentialSubject"]
    assert schema_errors(credential) == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c.__setitem__("favouriteColour", "blue"),
        lambda c: c["credentialSubject"]["achievement"].__setitem__("Name", "typo"),
        lambda c: c["issuer"].__setitem__("type", ["Profil"]),
        lambda c: c.__setitem__("@unknown", 1),
        lambda c: c["issuer"].__setitem__("url", None),
    ],
)
def test_undefined_terms_refused_before_signing(mutate) -> None:
    credential = build_credential(award())
    mutate(credential)
    with pytest.raises(UndefinedTerms):
        sign_data_integrity(credential, issuer_key(), verification_method=method_id(), created=NOW)


def test_unbundled_context_refused() -> None:
    credential = build_credential(award())
    credential["@context"].append("https://evil.example/context.json")
    with pytest.raises(Exception) as error:
        check_terms(credential)
    assert getattr(error.value, "code", "") == "context_not_bundled"


def test_endorsement_builds_signs_and_verifies() -> None:
    endorsement = build_endorsement(
        endorser=IssuerProfile(ISSUER_DID, "北海道庁 / Hokkaido Government"),
        achievement_id="https://talentbank.example/achievements/5d1c",
        comment="道の認定: meets the Hokkaido DX talent standard.",
        valid_from=NOW - timedelta(days=1),
    )
    assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert schema_errors(endorsement) == []
    signed = sign_data_integrity(endorsement, issuer_key(), verification_method=method_id(), created=NOW)
    result = verify(signed, now=NOW, resolve_document=resolver())
    assert result.verified, result.checks


def test_hash_identity_normalizes_email() -> None:
    assert hash_identity(" Learner@Example.JP ", "abc") == hash_identity("learner@example.jp", "abc")
    assert hash_identity("learner@example.jp", "abc").startswith("sha256$")
    assert len(hash_identity("learner@example.jp", "abc")) == len("sha256$") + 64


def test_recipient_privacy_1000_awards() -> None:
    credentials = [build_credential(award(email=f"person{n}@example.jp")) for n in range(1000)]
    identities = [c["credentialSubject"]["identifier"][0] for c in credentials]
    salts = [identity["salt"] for identity in identities]
    assert len(set(salts)) == 1000
    assert all(len(bytes.fromhex(salt)) * 8 >= 128 for salt in salts)
    assert all(identity["identityHash"].startswith("sha256$") and identity["hashed"] is True for identity in identities)
    serialized = json.dumps(credentials)
    assert "@example.jp" not in serialized
    assert recipient_matches(credentials[7], "PERSON7@example.jp ")
    assert not recipient_matches(credentials[7], "person8@example.jp")


def test_wrong_email_fails_recipient_check() -> None:
    result = verify(
        signed_di(),
        now=NOW,
        resolve_document=resolver(),
        expected_recipient_email="someone.else@example.jp",
    )
    assert result.code_of("recipient") == "recipient_mismatch"
    assert not result.verified


def test_md5_and_salt_tampering_never_match() -> None:
    credential = build_credential(award())
    identity = credential["credentialSubject"]["identifier"][0]
    identity["identityHash"] = "md5$" + "0" * 32
    assert not recipient_matches(credential, "learner@example.jp")
    assert not recipient_matches({"credentialSubject": "nonsense"}, "learner@example.jp")
