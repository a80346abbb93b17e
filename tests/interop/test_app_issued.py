"""Independent verifiers (issue 4) for credentials that the running app issued.

Through the app's routes (the normal pytest app fixtures, so SQLite or PostgreSQL): a verified school
becomes an issuer (did:web), issues one Data Integrity and one VC-JWT credential and a second Data
Integrity credential that it then revokes with a reason. The test downloads the credentials, the
issuer's DID document (``/issuers/<org>/did.json``) and the signed BitstringStatusListCredential
(``/status/<uuid>``) through the test client, and hands all of it to ``node verify.mjs`` as a static
resolver: ``{DID -> DID document, https://<host>/<path>/did.json -> DID document (the did:web
resolution URL), status list URL -> status list credential}``. Nothing else is served; nothing
reaches the network.

- ``@digitalbazaar/vc`` resolves the did:web key through our static document loader and checks
  ``credentialStatus`` with ``@digitalbazaar/vc-bitstring-status-list`` (which also verifies the list's
  own Data Integrity proof).
- ``@digitalcredentials/verifier-core`` cannot be given a loader (its document loader is built inside
  the module), but its did:web driver and status-list loader use ``fetch``, which the guard in
  ``lib.mjs`` answers from the same map — so it runs unmodified, with its own did:web resolution.
- ``jose`` verifies the VC-JWT with the key of the method named by ``kid`` taken from the DID document.

One ``node`` run serves every test here (the app part runs once, in the first test that needs it).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

import badges
from tests.factories import make_organisation
from tests.interop.test_interop import _by_verifier, _node_or_skip, _run_node
from tests.web.test_credentials import award, create_achievement, setup_issuer

DI = "di"
JWT = "jwt"
REVOKED = "di-revoked"
REVOCATION_REASON = "誤発行 (interop test)"
CORE = "@digitalcredentials/verifier-core"
BAZAAR = "@digitalbazaar/vc"
JOSE = "jose"
JOSE_KID_JWK = "jose (kid -> publicKeyJwk)"
JOSE_DOC_JWK = "jose (DID document publicKeyJwk)"


def _json(response) -> dict[str, Any]:
    assert response.status_code == 200, response.status_code
    return json.loads(response.get_data(as_text=True))


def _did_web_url(did: str) -> str:
    """did:web resolution URL (DID Web method §3.2.2): did:web:host:a:b -> https://host/a/b/did.json."""
    assert did.startswith("did:web:")
    host, *path = did.removeprefix("did:web:").split(":")
    return f"https://{host.replace('%3A', ':')}/{'/'.join(path) if path else '.well-known'}/did.json"


def _jwt_part(token: str, index: int) -> dict[str, Any]:
    segment = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def _issue_through_the_app(client, db, login) -> dict[str, Any]:
    school = make_organisation(db, kind="school", verified=True, name="道東工業高等専門学校")
    school_id = str(school.public_id)  # plain data only: the ORM rows are deleted after each test
    setup_issuer(client, login, school)
    di_achievement = create_achievement(client, school, proof_format="di")
    jwt_achievement = create_achievement(client, school, proof_format="jwt")
    ids = {
        DI: award(client, di_achievement),
        JWT: award(client, jwt_achievement),
        REVOKED: award(client, di_achievement, email="second@example.jp", name="学習 花子"),
    }
    response = client.post(f"/credentials/{ids[REVOKED]}/revoke", data={"reason": REVOCATION_REASON})
    assert response.status_code == 302

    credentials: dict[str, Any] = {
        DI: _json(client.get(f"/credentials/{ids[DI]}/credential.json")),
        REVOKED: _json(client.get(f"/credentials/{ids[REVOKED]}/credential.json")),
    }
    response = client.get(f"/credentials/{ids[JWT]}/credential.jwt")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    credentials[JWT] = response.get_data(as_text=True).strip()

    did_document = _json(client.get(f"/issuers/{school_id}/did.json"))
    status_url = credentials[DI]["credentialStatus"]["statusListCredential"]
    status_list = _json(client.get(urlsplit(status_url).path))
    return {
        "school_id": school_id,
        "ids": ids,
        "credentials": credentials,
        "did_document": did_document,
        "status_url": status_url,
        "status_list": status_list,
    }


@contextmanager
def _live(app) -> Iterator[str]:
    """The app served over HTTP on a free loopback port (what a verifier on the internet would reach)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="module")
def _once() -> dict[str, Any]:
    return {}


@pytest.fixture
def app_issued(_once, request) -> dict[str, Any]:
    """The app's credentials and documents, and verify.mjs' verdict per credential (computed once)."""
    if not _once:
        node = _node_or_skip()
        db = request.getfixturevalue("db")
        issued = _issue_through_the_app(request.getfixturevalue("client"), db, request.getfixturevalue("login"))
        db.commit()
        issued.update(verify_live(node, request.getfixturevalue("app"), issued["credentials"]))
        _once.update(issued)
    return _once


def verify_live(node: str, app, credentials: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One ``node verify.mjs`` run over named credentials, with the app served on loopback as the only
    source of talentbank's addresses: {"verdicts", "formats", "unknown_contexts"}, each keyed by name."""
    with _live(app) as loopback:
        # BASE_URL is http://localhost; did:web:localhost resolves at https://localhost.
        return verify_from(node, credentials, {"http://localhost": loopback, "https://localhost": loopback})


def verify_from(node: str, credentials: dict[str, Any], origins: dict[str, str]) -> dict[str, dict[str, Any]]:
    """``verify_live`` for an app already served: ``origins`` maps each public origin to its loopback one."""
    names = list(credentials)
    body = {"credentials": [credentials[n] for n in names], "origins": origins}
    entries = _run_node(node, "verify.mjs", stdin=json.dumps(body, ensure_ascii=False))
    assert len(entries) == len(names)
    pairs = list(zip(names, entries, strict=True))
    return {
        "verdicts": {name: _by_verifier(entry) for name, entry in pairs},
        "formats": {name: entry["format"] for name, entry in pairs},
        "unknown_contexts": {name: entry["unknownContexts"] for name, entry in pairs},
    }


def test_the_app_issues_did_web_credentials_with_a_status_list(app_issued):
    """What the Node side is given: did:web on BASE_URL's host, keys in the DID document, status entries."""
    school_id = app_issued["school_id"]
    did = f"did:web:localhost:issuers:{school_id}"
    document = app_issued["did_document"]
    assert document["id"] == did
    assert _did_web_url(did) == f"https://localhost/issuers/{school_id}/did.json"
    assert app_issued["unknown_contexts"] == {DI: [], JWT: [], REVOKED: []}
    assert app_issued["status_url"].startswith("http://localhost/status/")
    for name in (DI, REVOKED):
        credential = app_issued["credentials"][name]
        assert credential["issuer"]["id"] == did
        assert credential["proof"]["verificationMethod"].startswith(f"{did}#z6Mk")
        assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"
        assert credential["credentialStatus"]["statusListCredential"] == app_issued["status_url"]
    header, payload = _jwt_part(app_issued["credentials"][JWT], 0), _jwt_part(app_issued["credentials"][JWT], 1)
    assert header["alg"] == "EdDSA" and header["kid"].startswith(f"{did}#z6Mk") and payload["iss"] == did
    assert payload["credentialStatus"]["statusListCredential"] == app_issued["status_url"]
    assert app_issued["formats"] == {DI: "data-integrity", JWT: "vc-jwt", REVOKED: "data-integrity"}


def test_app_issued_data_integrity_credential_verifies_in_both_node_verifiers(app_issued):
    results = app_issued["verdicts"][DI]
    assert set(results) == {BAZAAR, CORE}
    failures = {verifier: result["error"] for verifier, result in results.items() if not result["verified"]}
    assert not failures
    for result in results.values():
        assert result["signatureVerified"] is True
        # the status list was fetched (from the static map), its own proof verified, the bit is clear
        assert result["status"] == {"checked": True, "verified": True, "revoked": False, "error": None}
    core_steps = {step["id"]: step["valid"] for step in results[CORE]["log"]}
    assert core_steps["valid_signature"] is True and core_steps["revocation_status"] is True
    schema = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
    assert results[CORE]["schema"] == [{"schema": schema, "valid": True, "errors": []}]


def test_verifier_core_resolved_did_web_and_the_status_list_itself(app_issued):
    """verifier-core used its own did:web driver and status loader; the app answered over loopback."""
    school_id = app_issued["school_id"]
    fetched = [item for results in app_issued["verdicts"].values() for item in results.get(CORE, {}).get("fetched", [])]
    urls = {item["url"] for item in fetched}
    assert f"https://localhost/issuers/{school_id}/did.json" in urls
    assert app_issued["status_url"] in urls
    refused = [item["url"] for item in fetched if not item["served"]]
    assert not refused
    live = {item["url"] for item in fetched if item.get("live")}
    assert {f"https://localhost/issuers/{school_id}/did.json", app_issued["status_url"]} <= live


def test_revoked_app_credential_is_reported_revoked_by_both_node_verifiers(app_issued):
    results = app_issued["verdicts"][REVOKED]
    assert set(results) == {BAZAAR, CORE}
    for verifier, result in results.items():
        assert result["verified"] is False, verifier
        assert result["signatureVerified"] is True, verifier  # genuine, but revoked
        assert result["status"] == {"checked": True, "verified": False, "revoked": True, "error": None}, verifier
    # the same bit, read by hand from the list the app serves
    credential = app_issued["credentials"][REVOKED]
    bits = badges.decode_bitstring(app_issued["status_list"]["credentialSubject"]["encodedList"])
    assert badges.get_bit(bits, int(credential["credentialStatus"]["statusListIndex"]))
    index = int(app_issued["credentials"][DI]["credentialStatus"]["statusListIndex"])
    assert not badges.get_bit(bits, index)


def test_app_issued_vc_jwt_verifies_with_jose_and_the_did_document_key(app_issued):
    results = app_issued["verdicts"][JWT]
    assert set(results) == {JOSE, JOSE_KID_JWK, JOSE_DOC_JWK}
    token = app_issued["credentials"][JWT]
    kid = _jwt_part(token, 0)["kid"]
    # The method the kid names, from the served DID document: the key's JsonWebKey2020 entry.
    assert kid.endswith("-jwk")
    assert results[JOSE]["verified"], results[JOSE]["error"]
    assert results[JOSE]["iss"] == app_issued["did_document"]["id"]
    assert results[JOSE]["keySource"] == "publicKeyJwk"
    assert results[JOSE_DOC_JWK]["verified"], results[JOSE_DOC_JWK]["error"]
    jwk_method = next(m for m in app_issued["did_document"]["verificationMethod"] if m["id"] == kid)
    assert jwk_method["publicKeyJwk"]["kty"] == "OKP" and jwk_method["publicKeyJwk"]["crv"] == "Ed25519"


def test_app_issued_vc_jwt_kid_dereferences_to_a_jwk(app_issued):
    """OB 3.0 §8.2.3: the JOSE ``kid`` is "a URI that can be dereferenced to an object of type JWK"."""
    result = app_issued["verdicts"][JWT][JOSE_KID_JWK]
    assert result["verified"], result["error"]
    assert result["methodId"] == _jwt_part(app_issued["credentials"][JWT], 0)["kid"]
