"""Builders: schema-valid output, no undefined terms, recipient privacy (SC-13)."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
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

import badges.build
from badges import (
    EvidenceInput,
    IssuerProfile,
    Recipient,
    StatusEntry,
    UndefinedTerms,
    build_credential,
    build_endorsement,
    check_terms,
    credential_builder,
    hash_identity,
    recipient_matches,
    schema_errors,
    sign_data_integrity,
    skill_levels,
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


def test_skill_level_uses_only_published_ob_terms() -> None:
    credential = build_credential(award(level=3))
    assert credential["@context"] == list(CREDENTIAL_CONTEXTS)
    achievement = credential["credentialSubject"]["achievement"]
    assert "skillLevel" not in achievement["alignment"][0]
    (description,) = achievement["resultDescription"]
    assert description["resultType"] == "RubricCriterionLevel"
    assert description["alignment"] == achievement["alignment"]
    assert description["rubricCriterionLevel"][0]["level"] == "3"
    assert description["requiredLevel"] == description["rubricCriterionLevel"][0]["id"]
    assert credential["credentialSubject"]["result"] == [
        {"type": ["Result"], "resultDescription": description["id"], "achievedLevel": description["requiredLevel"]}
    ]
    assert skill_levels(credential) == {achievement["alignment"][0]["targetUrl"]: 3}
    assert schema_errors(credential) == []
    signed = sign_data_integrity(credential, issuer_key(), verification_method=method_id(), created=NOW)
    assert verify(signed, now=NOW, resolve_document=resolver()).verified
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["resultDescription"][0]["rubricCriterionLevel"][0]["level"] = "4"
    assert not verify(tampered, now=NOW, resolve_document=resolver()).verified


def test_credentials_issued_with_the_retired_context_still_verify_and_read() -> None:
    """Badges issued before issue 21 named TALENTBANK_V1 for ``skillLevel``; they stay readable."""
    credential = build_credential(award())
    credential["@context"].append(TALENTBANK_V1)
    credential["credentialSubject"]["achievement"]["alignment"][0]["skillLevel"] = 2
    signed = sign_data_integrity(credential, issuer_key(), verification_method=method_id(), created=NOW)
    assert verify(signed, now=NOW, resolve_document=resolver()).verified
    url = credential["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"]
    assert skill_levels(signed) == {url: 2}


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


def _builder_for(input_award):
    return credential_builder(input_award.issuer, input_award.achievement, valid_from=input_award.valid_from,
                              valid_until=input_award.valid_until, name=input_award.name)  # fmt: skip


PER_RECIPIENT = [
    {"recipient": Recipient(email="a@example.jp"), "id": "https://talentbank.example/credentials/1"},
    {"recipient": Recipient(email="b@example.jp"), "id": "https://talentbank.example/credentials/2",
     "evidence": (EvidenceInput(id="https://example.jp/work", narrative="作品"),)},
    {"recipient": Recipient(email="c@example.jp"), "evidence": (EvidenceInput(narrative="口頭試問"),),
     "status": StatusEntry("https://talentbank.example/status/1", 7)},
    {"recipient": Recipient(did="did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"),
     "status": StatusEntry("https://talentbank.example/status/1", 8)},
]  # fmt: skip


def test_builder_makes_the_documents_build_credential_makes() -> None:
    base = award(level=2, valid_until=NOW + timedelta(days=30))
    build = _builder_for(base)
    for fields in PER_RECIPIENT * 2:
        fields = {"id": "urn:uuid:00000000-0000-4000-8000-000000000001", "evidence": (), "status": None, **fields,
                  "salt": "0f" * 16}  # fmt: skip
        one = build_credential(replace(base, **fields))
        many = build(**fields)
        assert json.dumps(many) == json.dumps(one)  # same members in the same order
        assert schema_errors(many) == []


def test_builder_checks_terms_once_per_shape(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(badges.build, "check_terms", lambda document: calls.append(document) or check_terms(document))
    build = _builder_for(award())
    for number in range(50):
        build(Recipient(email=f"r{number}@example.jp"), id=f"https://talentbank.example/credentials/{number}",
              status=StatusEntry("https://talentbank.example/status/1", number))  # fmt: skip
    assert len(calls) == 1
    build(Recipient(email="x@example.jp"), evidence=(EvidenceInput(narrative="n"),))
    build(Recipient(email="y@example.jp"), evidence=(EvidenceInput(narrative="m"),))
    assert len(calls) == 2  # a new shape (no id, evidence, no status) is checked, then known


@pytest.mark.parametrize(
    "evidence",
    [EvidenceInput(id="urn:a b"), EvidenceInput(id="relative/path"), EvidenceInput(narrative="@id", id="@type")],
)
def test_builder_refuses_an_undefined_term_in_any_document_of_a_batch(evidence) -> None:
    build = _builder_for(award())
    build(Recipient(email="a@example.jp"), evidence=(EvidenceInput(id="https://example.jp/ok"),))
    for _ in range(2):  # a refused shape is never remembered as clean
        with pytest.raises(UndefinedTerms):
            build(Recipient(email="b@example.jp"), evidence=(evidence,))
