"""An OpenID4VCI client library we did not write takes talentbank badges from the running app (#16).

`oid4vci_client.mjs` is a wallet built on `@openid4vc/openid4vci` (with `@openid4vc/oauth2` and
`@openid4vc/utils`, OpenWallet Foundation Labs' oid4vc-ts): the library reads the offer URI shown on the
page, discovers and validates the metadata, redeems the pre-authorised code, gets a c_nonce, builds the
proof JWT and the credential request, and parses the response; the script only holds the Ed25519 key.
The credentials it received then go to the verifiers the project already uses (verify.mjs: Digital
Bazaar vc with eddsa-rdfc-2022, DCC verifier-core, jose), and the holder binding is checked.

Everything here happens once per module: one app served on loopback (the session's database: SQLite,
or PostgreSQL with TALENTBANK_TEST_DATABASE_URL), one run of the client for every offer, one run of
verify.mjs for every credential received.
"""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from badges.clr import clr_schema_errors
from talentbank.models import Credential, WalletDelivery
from talentbank.wallet.metadata import (
    CLR_JWT_CONFIGURATION,
    CLR_LDP_CONFIGURATION,
    JWT_CONFIGURATION,
    LDP_CONFIGURATION,
)
from tests.interop.test_app_issued import BAZAAR, CORE, JOSE, _did_web_url, _jwt_part, _live
from tests.interop.test_interop import _by_verifier, _node_or_skip, _run_node
from tests.web.test_wallet import claimed  # noqa: F401  (the fixture)

CLIENT = "@openid4vc/openid4vci"
DID_KEY, JWK, P256, WRONG_TX, REUSED = "did:key", "jwk", "jwk-p256", "wrong tx_code", "reused code"
RECEIVING = (DID_KEY, JWK, P256)
RECORD = "learner record"  # a CLR 2.0 ClrCredential, offered from the learner record's page


def _offer_uri(client, credential_id: str, **form) -> tuple[str, str | None]:
    """The offer URI as the page shows it (the link under the QR code) and the transaction code shown."""
    response = client.post(f"/credentials/{credential_id}/wallet", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    tx_code = re.search(r'id="tx-code">(\d{6})<', page)
    return html.unescape(re.search(r'id="offer-uri">([^<]+)<', page).group(1)), tx_code and tx_code.group(1)


def _record_offer_uri(holder: dict[str, Any], db) -> tuple[str, str, str | None]:
    """A learner record of the claimed badge issued on the issuer's page, and its offer from the learner's page:
    (the record's id, the offer URI, the transaction code)."""
    credential = db.scalar(sa.select(Credential))
    school = credential.achievement.organisation
    data = {"email": credential.recipient_email, "achievement_ids": [str(credential.achievement.public_id)],
            "track_name": "デジタル人材育成トラック", "proof_format": "di"}  # fmt: skip
    issued = holder["issuer_client"].post(f"/orgs/{school.public_id}/learner-records/new", data=data)
    assert issued.status_code == 302, issued.get_data(as_text=True)
    record_id = issued.headers["Location"].rsplit("/", 1)[1]
    response = holder["client"].post(f"/learner-records/{record_id}/wallet", data={})
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    tx_code = re.search(r'id="tx-code">(\d{6})<', page)
    return record_id, html.unescape(re.search(r'id="offer-uri">([^<]+)<', page).group(1)), tx_code and tx_code.group(1)


def did_jwk_of(jwk: dict[str, str]) -> str:
    """did:jwk of the wallet's public JWK (its members in sorted compact JSON, base64url)."""
    encoded = json.dumps(dict(sorted(jwk.items())), separators=(",", ":")).encode()
    return "did:jwk:" + base64.urlsafe_b64encode(encoded).rstrip(b"=").decode()


def _wallet_runs(request) -> dict[str, Any]:
    node = _node_or_skip()
    app, db = request.getfixturevalue("app"), request.getfixturevalue("db")
    before = app.config["BASE_URL"]
    with _live(app) as loopback:
        app.config["BASE_URL"] = loopback  # the offer, the issuer DID and the status list name the server
        try:
            holder = request.getfixturevalue("claimed")
            client = holder["client"]
            with_code, tx_code = _offer_uri(client, holder["id"])
            without_code, none = _offer_uri(client, holder["id"], tx_code="off")
            assert none is None
            p256, p256_code = _offer_uri(client, holder["id"])
            spoiled, spoiled_code = _offer_uri(client, holder["id"])
            wrong = "000000" if spoiled_code != "000000" else "111111"
            record_id, record_offer, record_code = _record_offer_uri(holder, db)
            db.commit()
            jobs = {
                DID_KEY: {"offer_uri": with_code, "tx_code": tx_code, "key": "did:key"},
                JWK: {"offer_uri": without_code, "tx_code": None, "key": "jwk"},
                P256: {"offer_uri": p256, "tx_code": p256_code, "key": "jwk-p256"},
                WRONG_TX: {"offer_uri": spoiled, "tx_code": wrong, "key": "did:key"},
                REUSED: {"offer_uri": with_code, "tx_code": tx_code, "key": "did:key"},
                RECORD: {"offer_uri": record_offer, "tx_code": record_code, "key": "did:key"},
            }
            runs = _run_node(node, "oid4vci_client.mjs", stdin=json.dumps({"jobs": list(jobs.values())}))
            results = dict(zip(jobs, runs, strict=True))
            received = [
                results[name]["credentials"][configuration]
                for name in RECEIVING
                for configuration in (JWT_CONFIGURATION, LDP_CONFIGURATION)
            ]
            document = received[1]
            did = document["issuer"]["id"]
            did_document = client.get(urlsplit(_did_web_url(did)).path).get_json()
            status_url = document["credentialStatus"]["statusListCredential"]
            status_list = client.get(urlsplit(status_url).path).get_json()
            records = results[RECORD]["credentials"]
            received += [records.get(CLR_JWT_CONFIGURATION), records.get(CLR_LDP_CONFIGURATION)]
            record_status_url = (
                (records.get(CLR_LDP_CONFIGURATION) or {})
                .get("credentialStatus", {})
                .get("statusListCredential", status_url)
            )
            record_status_list = client.get(urlsplit(record_status_url).path).get_json()
            listed = client.get("/api/v1/me/wallet-deliveries").get_json()["items"]
        finally:
            app.config["BASE_URL"] = before
    records_listed = [d for d in listed if d["learner_record"]]
    documents = {did: did_document, _did_web_url(did): did_document, status_url: status_list,
                 record_status_url: record_status_list}  # fmt: skip
    entries = _run_node(node, "verify.mjs", stdin=json.dumps({"credentials": received, "documents": documents}))
    return {
        "results": results,
        "verdicts": [_by_verifier(entry) for entry in entries],
        "listed": [(d["configuration_id"], d["holder_did"]) for d in listed if d["credential"]],
        "listed_records": [(d["learner_record"], d["configuration_id"], d["holder_did"]) for d in records_listed],
        "record_id": record_id,
        "deliveries": db.scalar(
            sa.select(sa.func.count()).select_from(WalletDelivery).where(WalletDelivery.credential_id.is_not(None))
        ),
        "issuer": loopback,
    }


@pytest.fixture(scope="module")
def _once() -> dict[str, Any]:
    return {}


@pytest.fixture
def wallet(_once, request) -> dict[str, Any]:
    if not _once:
        _once.update(_wallet_runs(request))
    return _once


def _holder_did(run: dict[str, Any]) -> str:
    return run["holder_did"] or did_jwk_of(run["jwk"])


@pytest.mark.parametrize("name", RECEIVING)
def test_the_library_takes_both_formats_bound_to_the_holder(wallet, name):
    run = wallet["results"][name]
    assert run["error"] is None, run["error"]
    assert run["token_type"] == "Bearer"
    assert run["formats"] == {JWT_CONFIGURATION: "jwt_vc_json", LDP_CONFIGURATION: "ldp_vc",
                              CLR_JWT_CONFIGURATION: "jwt_vc_json", CLR_LDP_CONFIGURATION: "ldp_vc"}  # fmt: skip
    holder = _holder_did(run)
    assert holder.startswith("did:key:z6Mk" if name == DID_KEY else "did:jwk:")
    if name == P256:  # an ES256 proof: the P-256 key, with its y, is what the copy is bound to
        assert run["jwk"]["crv"] == "P-256" and run["jwk"]["y"]
    token, document = run["credentials"][JWT_CONFIGURATION], run["credentials"][LDP_CONFIGURATION]
    payload = _jwt_part(token, 1)
    assert payload["credentialSubject"]["id"] == holder == payload["sub"]
    assert document["credentialSubject"]["id"] == holder
    assert document["issuer"]["id"] == payload["iss"] and document["issuer"]["id"].startswith("did:web:")


@pytest.mark.parametrize("name", RECEIVING)
def test_the_library_spoke_openid4vci_1_0_to_the_app(wallet, name):
    run = wallet["results"][name]
    assert run["draft"] == "V1"  # the library read our metadata as OpenID4VCI 1.0
    by_path = {urlsplit(r["url"]).path: r for r in run["requests"]}
    assert by_path["/.well-known/openid-credential-issuer"]["status"] == 200
    assert by_path["/oid4vci/token"]["status"] == 200
    credential_requests = [r for r in run["requests"] if urlsplit(r["url"]).path == "/oid4vci/credential"]
    assert [r["status"] for r in credential_requests] == [200, 200]
    sent = [json.loads(r["body"]) for r in credential_requests]
    assert [s["credential_configuration_id"] for s in sent] == [JWT_CONFIGURATION, LDP_CONFIGURATION]
    assert all(len(s["proofs"]["jwt"]) == 1 for s in sent)


@pytest.mark.parametrize("index", range(2 * len(RECEIVING)))
def test_what_the_library_received_verifies_in_the_independent_verifiers(wallet, index):
    verdict = wallet["verdicts"][index]
    if index % 2 == 0:  # VC-JWT
        assert JOSE in verdict  # and its variants: the key named by kid, the DID document's key
        assert all(v["verified"] is True for v in verdict.values()), verdict
        return
    assert set(verdict) == {BAZAAR, CORE}
    for verifier in (BAZAAR, CORE):
        assert verdict[verifier]["verified"] is True, (verifier, verdict[verifier].get("error"))
        assert verdict[verifier]["status"]["revoked"] is False


def test_the_library_reports_the_protocol_errors_of_a_wrong_tx_code_and_a_reused_code(wallet):
    for name in (WRONG_TX, REUSED):
        run = wallet["results"][name]
        assert run["credentials"] == {}
        assert run["error"]["stage"] == "token", run["error"]
        assert (run["error"]["status"], run["error"]["code"]) == (400, "invalid_grant"), run["error"]


def test_the_person_sees_each_delivery_and_nothing_more(wallet):
    assert wallet["deliveries"] == 2 * len(RECEIVING)
    expected = {
        (configuration, _holder_did(wallet["results"][name]))
        for name in RECEIVING
        for configuration in (JWT_CONFIGURATION, LDP_CONFIGURATION)
    }
    assert set(wallet["listed"]) == expected and len(wallet["listed"]) == 2 * len(RECEIVING)


def test_the_library_takes_a_learner_record_in_both_formats_bound_to_the_holder(wallet):
    run = wallet["results"][RECORD]
    assert run["error"] is None, run["error"]
    assert run["formats"][CLR_JWT_CONFIGURATION] == "jwt_vc_json" and run["formats"][CLR_LDP_CONFIGURATION] == "ldp_vc"
    sent = [json.loads(r["body"]) for r in run["requests"] if urlsplit(r["url"]).path == "/oid4vci/credential"]
    assert [s["credential_configuration_id"] for s in sent] == [CLR_JWT_CONFIGURATION, CLR_LDP_CONFIGURATION]
    holder = _holder_did(run)
    token, document = run["credentials"][CLR_JWT_CONFIGURATION], run["credentials"][CLR_LDP_CONFIGURATION]
    payload = _jwt_part(token, 1)
    for copy in (payload, document):
        assert copy["type"] == ["VerifiableCredential", "ClrCredential"]
        assert copy["credentialSubject"]["id"] == holder
        assert copy["credentialStatus"]["statusListCredential"].startswith(wallet["issuer"] + "/status/")
    assert payload["sub"] == holder
    assert clr_schema_errors(document) == []
    assert [(wallet["record_id"], c, holder) for c in (CLR_LDP_CONFIGURATION, CLR_JWT_CONFIGURATION)] == (
        wallet["listed_records"]
    )


def test_the_learner_record_the_library_received_verifies_in_the_independent_verifiers(wallet):
    jwt_verdict, ldp_verdict = wallet["verdicts"][-2:]
    assert JOSE in jwt_verdict and all(v["verified"] is True for v in jwt_verdict.values()), jwt_verdict
    assert set(ldp_verdict) == {BAZAAR, CORE}
    for verifier in (BAZAAR, CORE):
        assert ldp_verdict[verifier]["verified"] is True, (verifier, ldp_verdict[verifier].get("error"))
        assert ldp_verdict[verifier]["status"]["revoked"] is False
