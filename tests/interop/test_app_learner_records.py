"""Learner records the running app issued (CLR 2.0, issue 16) in the independent verifiers.

Through the app's routes (SQLite, or PostgreSQL with TALENTBANK_TEST_DATABASE_URL): a verified school
becomes an issuer, awards a learner a VC-JWT badge and a Data Integrity badge, and issues them a
learner record as a track in each proof format from its learner-records page; then it revokes a third
record. ``node verify.mjs`` verifies the records with only the published contexts (the CLR 2.0 context
as a verbatim copy, see lib.mjs) and the app on loopback (``verify_live``): the did:web DID document and
the records' status list are fetched from the app. Digital Bazaar ``vc`` with eddsa-rdfc-2022 and DCC
verifier-core take the Data Integrity record, and each credential it holds on its own; ``jose`` takes the
VC-JWT record, whose status entry is checked with ``@digitalbazaar/vc-bitstring-status-list``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from badges.clr import clr_schema_errors
from tests.factories import make_organisation
from tests.interop.test_app_issued import BAZAAR, CORE, JOSE, verify_live
from tests.interop.test_interop import _node_or_skip
from tests.web.test_credentials import award, create_achievement, setup_issuer

LEARNER = "learner@example.jp"
DI_RECORD = "clr-di"
JWT_RECORD = "clr-jwt"
REVOKED = "clr-di-revoked"


def _issue(client, school, ids: list[str], proof_format: str) -> str:
    data = {"email": LEARNER, "achievement_ids": ids, "track_name": "デジタル人材育成トラック",
            "proof_format": proof_format}  # fmt: skip
    response = client.post(f"/orgs/{school.public_id}/learner-records/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def _issue_through_the_app(client, db, login) -> dict[str, Any]:
    school = make_organisation(db, kind="school", verified=True, name="苫小牧工業高等専門学校")
    setup_issuer(client, login, school)
    ids = [create_achievement(client, school, name="Python基礎", proof_format="jwt"),
           create_achievement(client, school, name="データ分析", proof_format="di")]  # fmt: skip
    for achievement_id in ids:
        award(client, achievement_id, email=LEARNER)
    records = {name: _issue(client, school, ids, fmt) for name, fmt in ((DI_RECORD, "di"), (JWT_RECORD, "jwt"),
                                                                        (REVOKED, "di"))}  # fmt: skip
    assert client.post(f"/learner-records/{records[REVOKED]}/revoke").status_code == 302
    credentials: dict[str, Any] = {}
    for name in (DI_RECORD, REVOKED):
        response = client.get(f"/learner-records/{records[name]}/record.json")
        credentials[name] = json.loads(response.get_data(as_text=True))
    credentials[JWT_RECORD] = client.get(f"/learner-records/{records[JWT_RECORD]}/record.jwt").get_data(as_text=True)
    for index, nested in enumerate(credentials[DI_RECORD]["credentialSubject"]["verifiableCredential"]):
        credentials[f"nested-{index}"] = nested
    return credentials


@pytest.fixture(scope="module")
def _once() -> dict[str, Any]:
    return {}


@pytest.fixture
def verdicts(_once, request) -> dict[str, Any]:
    if not _once:
        node = _node_or_skip()
        db = request.getfixturevalue("db")
        credentials = _issue_through_the_app(request.getfixturevalue("client"), db, request.getfixturevalue("login"))
        db.commit()
        _once.update(credentials=credentials, **verify_live(node, request.getfixturevalue("app"), credentials))
    return _once


def test_the_app_issued_records_fit_the_official_clr_schema(verdicts):
    record = verdicts["credentials"][DI_RECORD]
    assert clr_schema_errors(record) == []
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert verdicts["unknown_contexts"][DI_RECORD] == []


def test_a_data_integrity_record_verifies_in_digital_bazaar_and_verifier_core(verdicts):
    results = verdicts["verdicts"][DI_RECORD]
    assert set(results) == {BAZAAR, CORE}
    for name, result in results.items():
        assert result["verified"], (name, result["error"])
        assert result["status"] == {"checked": True, "verified": True, "revoked": False, "error": None}, name
    assert all(item["served"] for item in results[CORE]["fetched"])


def test_each_credential_in_the_record_verifies_on_its_own(verdicts):
    for name in ("nested-0", "nested-1"):
        for verifier, result in verdicts["verdicts"][name].items():
            assert result["verified"], (name, verifier, result["error"])


def test_a_vc_jwt_record_verifies_in_jose_with_its_status(verdicts):
    result = verdicts["verdicts"][JWT_RECORD][JOSE]
    assert result["verified"], result["error"]
    assert result["status"]["verified"] is True and result["status"]["revoked"] is False


def test_a_revoked_record_is_reported_revoked(verdicts):
    for verifier, result in verdicts["verdicts"][REVOKED].items():
        assert result["verified"] is False, verifier
        assert result["signatureVerified"] is True, verifier
        assert result["status"]["revoked"] is True, verifier
