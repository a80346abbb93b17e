"""CLR 2.0 (issue 16): a ClrCredential built and signed by ``badges`` verifies in the independent verifiers.

Data Integrity (eddsa-rdfc-2022) through ``@digitalbazaar/vc`` and ``@digitalcredentials/verifier-core``
(which fetches the CLR 2.0 context, answered by the fetch guard from the verbatim copy), VC-JWT through
``jose``; a nested credential taken out of the record and tampered with fails in them on its own.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges import build_credential, did_key, did_key_verification_method, sign_data_integrity, sign_jwt
from badges.clr import ClrInput, TrackInput, build_clr, clr_schema_errors, nested_achievement_id, track_associations
from badges.model import IssuerProfile, Recipient
from tests.interop.test_interop import _by_verifier, _node_or_skip, _run_node
from tests.unit.badges.badges_support import award

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
DID = did_key(KEY.public_key())
METHOD = did_key_verification_method(KEY.public_key())
TRACK = "urn:uuid:6a3c1f0e-5b1d-4c1e-9f59-1b7e9d3c2a10"


def _nested(index: int, now: datetime) -> dict:
    base = award(valid_from=now - timedelta(days=1))
    achievement = dataclasses.replace(base.achievement, id=f"urn:uuid:0c8a1e52-1111-4d2b-8f00-00000000000{index}")
    credential = dataclasses.replace(base, issuer=IssuerProfile(DID, "道東高専"), achievement=achievement)
    return sign_data_integrity(build_credential(credential), KEY, verification_method=METHOD, created=now)


def _record(now: datetime) -> dict:
    nested = (_nested(1, now), _nested(2, now))
    clr = ClrInput(
        issuer=IssuerProfile(DID, "道東高専"),
        recipient=Recipient(email="learner@example.jp"),
        credentials=nested,
        valid_from=now,
        name="デジタル人材育成トラック 学修記録",
        achievements=(TrackInput(TRACK, "デジタル人材育成トラック", "2科目", "2科目を修了する"),),
        associations=track_associations(TRACK, [nested_achievement_id(item) for item in nested]),
    )
    return build_clr(clr)


@pytest.fixture(scope="module")
def verdicts() -> dict:
    node = _node_or_skip()
    now = datetime.now(UTC).replace(microsecond=0)
    record = _record(now)
    assert clr_schema_errors(record) == []
    tampered = json.loads(json.dumps(record))
    tampered["credentialSubject"]["verifiableCredential"][0]["name"] = "改ざんされた名前"
    items = [
        sign_data_integrity(record, KEY, verification_method=METHOD, created=now),
        sign_jwt(record, KEY, kid=METHOD),
        tampered["credentialSubject"]["verifiableCredential"][0],
    ]
    output = _run_node(node, "verify.mjs", json.dumps(items))
    return {"di": output[0], "jwt": output[1], "tampered-nested": output[2]}


def test_a_data_integrity_record_verifies_in_digital_bazaar_and_verifier_core(verdicts):
    results = _by_verifier(verdicts["di"])
    assert set(results) == {"@digitalbazaar/vc", "@digitalcredentials/verifier-core"}
    for name, result in results.items():
        assert result["verified"], (name, result["error"])
    assert all(fetch["served"] for fetch in results["@digitalcredentials/verifier-core"]["fetched"])
    assert verdicts["di"]["unknownContexts"] == []


def test_a_vc_jwt_record_verifies_in_jose(verdicts):
    result = _by_verifier(verdicts["jwt"])["jose"]
    assert result["verified"], result["error"]
    assert result["iss"] == DID


def test_a_tampered_nested_credential_fails_in_every_verifier(verdicts):
    for name, result in _by_verifier(verdicts["tampered-nested"]).items():
        assert not result["verified"], name
