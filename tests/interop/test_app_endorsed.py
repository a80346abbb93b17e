"""The app's other credentials in the independent verifiers (issue 21): an EndorsementCredential the
prefecture signed, the signed BitstringStatusListCredential itself, a revoked VC-JWT, and a badge
reissued from one that carried the retired placeholder context.

Everything is made through the app's routes (SQLite, or PostgreSQL with TALENTBANK_TEST_DATABASE_URL)
and verified by ``node verify.mjs`` with only the published contexts and the app served on loopback
(``verify_live`` in test_app_issued.py): Digital Bazaar ``vc`` with eddsa-rdfc-2022 and DCC
verifier-core for Data Integrity, ``jose`` for VC-JWT, whose ``credentialStatus`` is checked with
``@digitalbazaar/vc-bitstring-status-list`` against the list the app serves. One ``node`` run serves
the module (the app part runs in the first test that needs it).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

import badges
from badges.contexts import CREDENTIAL_CONTEXTS, TALENTBANK_V1
from talentbank.models import Credential
from tests.factories import make_organisation
from tests.interop.test_app_issued import BAZAAR, CORE, JOSE, REVOCATION_REASON, _json, verify_live
from tests.interop.test_interop import ENDORSEMENT_SCHEMA, _node_or_skip
from tests.web.test_credentials import _endorse, award, create_achievement, setup_issuer
from tests.web.test_reissue import _legacy

ENDORSEMENT = "endorsement"
STATUS_LIST = "status-list"
JWT = "jwt"
JWT_REVOKED = "jwt-revoked"
LEGACY = "di-legacy"
REISSUED = "di-reissued"
LEGACY_EMAIL = "legacy@example.jp"
DATA_INTEGRITY = (ENDORSEMENT, STATUS_LIST, LEGACY, REISSUED)


def _reissue_a_legacy_badge(app, client, db, school) -> tuple[dict[str, Any], dict[str, Any]]:
    """A DI badge rewritten as issued before issue 21 (TALENTBANK_V1), then reissued by its issuer.
    (``_legacy`` signs with the first issuer key: the school's, set up before any other issuer.)"""
    old_id = award(client, create_achievement(client, school, proof_format="di"), email=LEGACY_EMAIL)
    _legacy(app, db, db.scalar(sa.select(Credential).where(Credential.public_id == uuid.UUID(old_id))))
    db.commit()
    old = _json(client.get(f"/credentials/{old_id}/credential.json"))
    response = client.post(f"/credentials/{old_id}/reissue")
    assert response.status_code == 302
    new_id = response.headers["Location"].rsplit("/", 1)[1]
    return old, _json(client.get(f"/credentials/{new_id}/credential.json"))


def _issue_through_the_app(app, client, db, login, make_client) -> dict[str, Any]:
    school = make_organisation(db, kind="school", verified=True, name="釧路工業高等専門学校")
    setup_issuer(client, login, school)
    credentials: dict[str, Any] = {}
    credentials[LEGACY], credentials[REISSUED] = _reissue_a_legacy_badge(app, client, db, school)
    jwt_achievement = create_achievement(client, school, proof_format="jwt")
    ids = {JWT: award(client, jwt_achievement), JWT_REVOKED: award(client, jwt_achievement, email="second@example.jp")}
    response = client.post(f"/credentials/{ids[JWT_REVOKED]}/revoke", data={"reason": REVOCATION_REASON})
    assert response.status_code == 302
    for name, credential_id in ids.items():
        credentials[name] = client.get(f"/credentials/{credential_id}/credential.jwt").get_data(as_text=True).strip()
    endorsement = _endorse(db, login, make_client, jwt_achievement)  # the prefecture, through its routes
    credentials[ENDORSEMENT] = _json(client.get(f"/endorsements/{endorsement.public_id}"))
    status_url = credentials[REISSUED]["credentialStatus"]["statusListCredential"]
    credentials[STATUS_LIST] = _json(client.get(urlsplit(status_url).path))
    return {"school_id": str(school.public_id), "credentials": credentials, "status_url": status_url}


@pytest.fixture(scope="module")
def _once() -> dict[str, Any]:
    return {}


@pytest.fixture
def issued(_once, request) -> dict[str, Any]:
    """The app's credentials and verify.mjs' verdict on each (computed once per module)."""
    if not _once:
        node = _node_or_skip()
        app, db = request.getfixturevalue("app"), request.getfixturevalue("db")
        fixtures = [request.getfixturevalue(name) for name in ("client", "login", "make_client")]
        made = _issue_through_the_app(app, fixtures[0], db, fixtures[1], fixtures[2])
        db.commit()
        made.update(verify_live(node, app, made["credentials"]))
        _once.update(made)
    return _once


def _failures(results: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {verifier: result["error"] for verifier, result in results.items() if not result["verified"]}


def test_only_published_contexts_and_the_apps_own_addresses(issued):
    expected = {name: [TALENTBANK_V1] if name == LEGACY else [] for name in issued["credentials"]}
    assert issued["unknown_contexts"] == expected
    assert issued["formats"] == dict.fromkeys(DATA_INTEGRITY, "data-integrity") | {
        JWT: "vc-jwt", JWT_REVOKED: "vc-jwt"}  # fmt: skip


def test_the_prefectures_endorsement_verifies_in_both_node_verifiers(issued):
    endorsement = issued["credentials"][ENDORSEMENT]
    assert "EndorsementCredential" in endorsement["type"]
    assert endorsement["issuer"]["id"].startswith("did:web:localhost:issuers:")
    assert endorsement["issuer"]["id"] != f"did:web:localhost:issuers:{issued['school_id']}"
    results = issued["verdicts"][ENDORSEMENT]
    assert set(results) == {BAZAAR, CORE} and not _failures(results)
    assert all(result["signatureVerified"] is True for result in results.values())
    assert results[CORE]["schema"] == [{"schema": ENDORSEMENT_SCHEMA, "valid": True, "errors": []}]
    endorser_did_url = f"https://localhost/issuers/{endorsement['issuer']['id'].rsplit(':', 1)[1]}/did.json"
    assert {item["url"] for item in results[CORE]["fetched"] if item.get("live")} == {endorser_did_url}


def test_the_served_status_list_credential_verifies_in_both_node_verifiers(issued):
    status_list = issued["credentials"][STATUS_LIST]
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list["id"] == issued["status_url"]
    assert status_list["issuer"] == f"did:web:localhost:issuers:{issued['school_id']}"
    results = issued["verdicts"][STATUS_LIST]
    assert set(results) == {BAZAAR, CORE} and not _failures(results)
    assert all(result["signatureVerified"] is True and result["status"] is None for result in results.values())


def test_jose_verifies_the_vc_jwt_and_reads_its_status_list_bit(issued):
    result = issued["verdicts"][JWT][JOSE]
    assert result["verified"] is True, result["error"]
    assert result["status"] == {"checked": True, "verified": True, "revoked": False, "error": None}


def test_a_revoked_vc_jwt_is_detected_through_the_status_list_the_app_serves(issued):
    result = issued["verdicts"][JWT_REVOKED][JOSE]
    assert result["signatureVerified"] is True  # genuine, but revoked
    assert result["verified"] is False
    assert result["status"] == {"checked": True, "verified": False, "revoked": True, "error": None}


def test_a_reissued_badge_verifies_where_its_placeholder_original_could_not(issued):
    old, new = issued["credentials"][LEGACY], issued["credentials"][REISSUED]
    assert new["@context"] == list(CREDENTIAL_CONTEXTS) and TALENTBANK_V1 in old["@context"]
    assert new["credentialSubject"]["achievement"]["id"] == old["credentialSubject"]["achievement"]["id"]
    assert badges.recipient_matches(new, LEGACY_EMAIL) and badges.recipient_matches(old, LEGACY_EMAIL)
    results = issued["verdicts"][REISSUED]
    assert set(results) == {BAZAAR, CORE} and not _failures(results)
    assert results[BAZAAR]["status"]["revoked"] is False
    legacy = issued["verdicts"][LEGACY]
    assert legacy[BAZAAR]["verified"] is False and TALENTBANK_V1 in legacy[BAZAAR]["error"]
    assert legacy[CORE]["verified"] is False


def test_verifier_core_fetched_the_apps_addresses_from_the_app_and_nothing_unpublished(issued):
    """Its own did:web driver and status loader reached the app on loopback; the only refusal is the
    placeholder context of the old badge (nothing serves it)."""
    fetched = {
        name: results[CORE]["fetched"]
        for name, results in issued["verdicts"].items()
        if "fetched" in results.get(CORE, {})
    }
    assert set(fetched) == set(DATA_INTEGRITY)
    ours = [item for items in fetched.values() for item in items if urlsplit(item["url"]).hostname == "localhost"]
    assert ours and all(item["served"] and item["live"] for item in ours)
    assert issued["status_url"] in {item["url"] for item in ours}
    refused = {(name, item["url"]) for name, items in fetched.items() for item in items if not item["served"]}
    assert refused == {(LEGACY, TALENTBANK_V1)}
