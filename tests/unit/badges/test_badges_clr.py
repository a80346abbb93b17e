"""CLR 2.0 (issue 16): a ClrCredential bundling achievement credentials, in both proof formats,
valid against 1EdTech's official ClrCredential JSON Schema, and verified together with every
credential it holds."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from badges import sign_data_integrity, sign_jwt
from badges.build import build_credential
from badges.clr import (
    Association,
    ClrInput,
    TrackInput,
    build_clr,
    clr_schema_errors,
    nested_achievement_id,
    track_associations,
    verify_clr,
)
from badges.model import AchievementInput, CredentialInput, IssuerProfile, Recipient
from tests.unit.badges.badges_support import (
    ISSUER_DID,
    NOW,
    RECIPIENT_EMAIL,
    award,
    issuer_key,
    method_id,
    other_key,
    resolver,
)

TRACK_ID = "https://talentbank.example/clr/1#track"


def _nested(name: str, achievement_id: str) -> dict:
    base: CredentialInput = award()
    achievement = dataclasses.replace(base.achievement, id=achievement_id, name=name)
    unsigned = build_credential(dataclasses.replace(base, achievement=achievement))
    return sign_data_integrity(unsigned, issuer_key(), verification_method=method_id(), created=NOW - timedelta(days=1))


def _record(**changes) -> dict:
    first = _nested("Python基礎", "https://talentbank.example/achievements/a1")
    second = _nested("データ分析", "https://talentbank.example/achievements/a2")
    ids = [nested_achievement_id(first), nested_achievement_id(second)]
    clr = ClrInput(
        issuer=IssuerProfile(ISSUER_DID, "北海道高専", "https://talentbank.example/orgs/1"),
        recipient=Recipient(email=RECIPIENT_EMAIL),
        credentials=(first, second),
        valid_from=NOW - timedelta(hours=1),
        name="デジタル人材育成トラック 学修記録",
        achievements=(TrackInput(TRACK_ID, "デジタル人材育成トラック", "高専の3科目", "3科目を修了する"),),
        associations=track_associations(TRACK_ID, ids),
        id="https://talentbank.example/clr/1",
    )
    return build_clr(dataclasses.replace(clr, **changes))


def test_the_record_is_valid_against_the_official_clr_schema_with_its_track():
    record = _record()
    assert clr_schema_errors(record) == []
    subject = record["credentialSubject"]
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert [a["associationType"] for a in subject["association"]] == ["isPartOf", "isPartOf", "precedes"]
    assert subject["achievement"][0]["id"] == TRACK_ID
    assert len(subject["verifiableCredential"]) == 2


@pytest.mark.parametrize("proof_format", ["di", "jwt"])
def test_a_signed_record_and_every_credential_in_it_verify(proof_format):
    record = _record()
    signed = (
        sign_jwt(record, issuer_key(), kid=method_id())
        if proof_format == "jwt"
        else sign_data_integrity(record, issuer_key(), verification_method=method_id(), created=NOW)
    )
    result = verify_clr(signed, now=NOW, resolve_document=resolver(), expected_recipient_email=RECIPIENT_EMAIL)
    assert result.verified, (result.record.codes, [n.codes for n in result.nested], result.problems)
    assert result.record.code_of("schema") == "clr_schema_valid"
    assert len(result.nested) == 2


def test_a_tampered_nested_credential_fails_the_record():
    record = _record()
    record["credentialSubject"]["verifiableCredential"][1]["name"] = "改ざん"
    signed = sign_data_integrity(record, issuer_key(), verification_method=method_id(), created=NOW)
    result = verify_clr(signed, now=NOW, resolve_document=resolver())
    assert result.record.verified  # the record's own proof covers what it was given
    assert not result.verified
    assert result.nested[1].code_of("proof") == "proof_invalid"


def test_a_record_signed_by_another_key_or_for_another_learner_fails():
    signed = sign_data_integrity(_record(), other_key(), verification_method=method_id(other_key()), created=NOW)
    assert verify_clr(signed, now=NOW, resolve_document=resolver()).record.code_of("proof") != "proof_valid"
    signed = sign_data_integrity(_record(), issuer_key(), verification_method=method_id(), created=NOW)
    result = verify_clr(signed, now=NOW, resolve_document=resolver(), expected_recipient_email="other@example.jp")
    assert not result.verified
    assert [c.code for c in result.problems] == ["clr_shape", "recipient_mismatch"]


def test_an_achievement_credential_is_not_a_record():
    credential = sign_jwt(build_credential(award()), issuer_key(), kid=method_id())
    result = verify_clr(credential, now=NOW, resolve_document=resolver())
    assert not result.verified
    assert result.record.code_of("schema") == "clr_schema_invalid"


def test_build_refuses_an_empty_record_and_associations_to_unknown_achievements():
    with pytest.raises(ValueError):
        _record(credentials=())
    with pytest.raises(ValueError):
        _record(associations=(Association("isPartOf", "https://elsewhere.example/a", TRACK_ID),))
    with pytest.raises(ValueError):
        _record(associations=(Association("isCousinOf", TRACK_ID, TRACK_ID),))


def test_the_bare_schema_refuses_a_record_without_credentials():
    record = _record()
    record["credentialSubject"]["verifiableCredential"] = []
    assert clr_schema_errors(record)
    del record["credentialSubject"]["verifiableCredential"]
    assert clr_schema_errors(record)
    _ = AchievementInput  # the nested achievements are OB 3.0 ones
