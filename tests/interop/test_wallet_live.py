"""Wallet-delivered copies of a talentbank badge in the independent verifiers with only the published
contexts and the app on loopback (issue 21): an OpenID4VCI client library we did not write
(oid4vci_client.mjs, @openid4vc/openid4vci) takes both formats and the issuer revokes the badge; then verify.mjs resolves the issuer's did:web
and the status list by HTTP from the running app — nothing handed over from the test. Each copy's
signature verifies in Digital Bazaar vc, verifier-core and jose, and each reports the copy revoked (the
copies share the badge's status entry). test_oid4vci_client.py shows the same copies verified before.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from talentbank.wallet.metadata import JWT_CONFIGURATION, LDP_CONFIGURATION
from tests.interop.test_app_issued import BAZAAR, CORE, JOSE, REVOCATION_REASON, _live, verify_from
from tests.interop.test_interop import _node_or_skip, _run_node
from tests.interop.test_oid4vci_client import _offer_uri
from tests.web.test_wallet import claimed  # noqa: F401  (the fixture)

REVOKED = {"checked": True, "verified": False, "revoked": True, "error": None}


def test_wallet_copies_verify_from_the_app_on_loopback_and_are_revoked_with_their_badge(app, db, request):
    node = _node_or_skip()
    before = app.config["BASE_URL"]
    with _live(app) as loopback:
        app.config["BASE_URL"] = loopback  # the offer, the issuer DID and the status list name the server
        try:
            holder = request.getfixturevalue("claimed")
            offer_uri, tx_code = _offer_uri(holder["client"], holder["id"])
            db.commit()
            job = {"offer_uri": offer_uri, "tx_code": tx_code, "key": "did:key"}
            [run] = _run_node(node, "oid4vci_client.mjs", stdin=json.dumps({"jobs": [job]}))
            delivered = run["credentials"]
            copies = {"ldp": delivered[LDP_CONFIGURATION], "jwt": delivered[JWT_CONFIGURATION]}
            # did:web:127.0.0.1%3APORT resolves at https://127.0.0.1:PORT; the app answers on http.
            host = urlsplit(loopback).netloc
            origins = {f"http://{host}": loopback, f"https://{host}": loopback}

            revoke = {"reason": REVOCATION_REASON}
            response = holder["issuer_client"].post(f"/credentials/{holder['id']}/revoke", data=revoke)
            assert response.status_code == 302
            verified = verify_from(node, copies, origins)
        finally:
            app.config["BASE_URL"] = before
    assert verified["unknown_contexts"] == {"ldp": [], "jwt": []}
    fetched = verified["verdicts"]["ldp"][CORE]["fetched"]
    assert {urlsplit(item["url"]).netloc for item in fetched if item.get("live")} == {host}
    after = verified["verdicts"]
    for name, verifier in (("ldp", BAZAAR), ("ldp", CORE), ("jwt", JOSE)):
        assert after[name][verifier]["signatureVerified"] is True, (name, verifier)
        assert after[name][verifier]["verified"] is False, (name, verifier)
        assert after[name][verifier]["status"] == REVOKED, (name, verifier)
