"""A wallet that is not ours (tests/interop/wallet.mjs: `jose` and plain `fetch`) takes a talentbank
badge over OpenID4VCI 1.0 from the app running on loopback, and the independent verifiers already used
here (verify.mjs: Digital Bazaar vc, DCC verifier-core, jose) accept both copies it received (#16).

The app is the test session's (SQLite, or PostgreSQL with TALENTBANK_TEST_DATABASE_URL) served by a
werkzeug server in a thread; BASE_URL is the server's address while the test runs, so the offer, the
issuer DID and the status list all name it.
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from urllib.parse import quote, urlsplit

import pytest
from werkzeug.serving import make_server

from talentbank.wallet.metadata import JWT_CONFIGURATION, LDP_CONFIGURATION
from tests.interop.test_app_issued import BAZAAR, CORE, JOSE, _did_web_url, _jwt_part
from tests.interop.test_interop import HERE, NODE_TIMEOUT, _by_verifier, _node_or_skip, _run_node
from tests.web.test_wallet import claimed, offer_from_page  # noqa: F401  (claimed: the fixture)


@pytest.fixture
def live_base_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    before = app.config["BASE_URL"]
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app.config["BASE_URL"]
    finally:
        server.shutdown()
        app.config["BASE_URL"] = before


def _run_wallet(node: str, offer_uri: str, tx_code: str | None, key: str) -> dict:
    completed = subprocess.run([node, "wallet.mjs"], cwd=HERE, capture_output=True, text=True, encoding="utf-8",
                               input=json.dumps({"offer_uri": offer_uri, "tx_code": tx_code, "key": key}),
                               timeout=NODE_TIMEOUT, check=False)  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.parametrize("key", ["did:key", "jwk"])
def test_an_independent_wallet_takes_the_badge_and_the_independent_verifiers_accept_it(live_base_url, request, key):
    node = _node_or_skip()
    holder = request.getfixturevalue("claimed")
    page = holder["client"].post(f"/credentials/{holder['id']}/wallet").get_data(as_text=True)
    offer, tx_code = offer_from_page(page)
    assert offer["credential_issuer"] == live_base_url
    uri = "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer), safe="")
    wallet = _run_wallet(node, uri, tx_code, key)
    assert wallet["token_type"] == "Bearer"
    assert wallet["formats"] == {JWT_CONFIGURATION: "jwt_vc_json", LDP_CONFIGURATION: "ldp_vc"}
    holder_did = wallet["holder_did"]
    if key == "jwk":
        holder_did = (
            "did:jwk:"
            + base64.urlsafe_b64encode(json.dumps(dict(sorted(wallet["jwk"].items())), separators=(",", ":")).encode())
            .rstrip(b"=")
            .decode()
        )
    token, document = wallet["credentials"][JWT_CONFIGURATION], wallet["credentials"][LDP_CONFIGURATION]
    assert _jwt_part(token, 1)["credentialSubject"]["id"] == holder_did == _jwt_part(token, 1)["sub"]
    assert document["credentialSubject"]["id"] == holder_did

    client = holder["client"]
    did = document["issuer"]["id"]
    did_document = client.get(urlsplit(_did_web_url(did)).path).get_json()
    status_url = document["credentialStatus"]["statusListCredential"]
    status_list = client.get(urlsplit(status_url).path).get_json()
    documents = {did: did_document, _did_web_url(did): did_document, status_url: status_list}
    entries = _run_node(
        node, "verify.mjs", stdin=json.dumps({"credentials": [document, token], "documents": documents})
    )
    ldp, jwt_entry = _by_verifier(entries[0]), _by_verifier(entries[1])
    for verifier in (BAZAAR, CORE):
        assert ldp[verifier]["verified"] is True, (verifier, ldp[verifier].get("error"))
        assert ldp[verifier]["status"]["revoked"] is False
    assert jwt_entry[JOSE]["verified"] is True, jwt_entry[JOSE].get("error")
    listed = client.get("/api/v1/me/wallet-deliveries").get_json()["items"]
    assert {(d["configuration_id"], d["holder_did"]) for d in listed} == {
        (JWT_CONFIGURATION, holder_did),
        (LDP_CONFIGURATION, holder_did),
    }
