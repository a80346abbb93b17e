"""Wallet-delivered copies of a talentbank badge in the independent verifiers with only the published
contexts and the app on loopback (issue 21): the wallet that is not ours (wallet.mjs) takes both
formats over OpenID4VCI and the issuer revokes the badge; then verify.mjs resolves the issuer's did:web
and the status list by HTTP from the running app — nothing handed over from the test. Each copy's
signature verifies in Digital Bazaar vc, verifier-core and jose, and each reports the copy revoked (the
copies share the badge's status entry). test_wallet_interop.py shows the same copies verified before.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

from talentbank.wallet.metadata import JWT_CONFIGURATION, LDP_CONFIGURATION
from tests.interop.test_app_issued import BAZAAR, CORE, JOSE, REVOCATION_REASON, verify_from
from tests.interop.test_interop import _node_or_skip
from tests.interop.test_wallet_interop import _run_wallet, live_base_url  # noqa: F401  (live_base_url: fixture)
from tests.web.test_wallet import claimed, offer_from_page  # noqa: F401  (claimed: the fixture)

REVOKED = {"checked": True, "verified": False, "revoked": True, "error": None}


def test_wallet_copies_verify_from_the_app_on_loopback_and_are_revoked_with_their_badge(live_base_url, request):  # noqa: F811
    node = _node_or_skip()
    holder = request.getfixturevalue("claimed")  # after live_base_url: the badge names the loopback address
    page = holder["client"].post(f"/credentials/{holder['id']}/wallet").get_data(as_text=True)
    offer, tx_code = offer_from_page(page)
    uri = "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer), safe="")
    delivered = _run_wallet(node, uri, tx_code, "did:key")["credentials"]
    copies = {"ldp": delivered[LDP_CONFIGURATION], "jwt": delivered[JWT_CONFIGURATION]}
    # did:web:127.0.0.1%3APORT resolves at https://127.0.0.1:PORT; the app answers on http.
    host = urlsplit(live_base_url).netloc
    origins = {f"http://{host}": live_base_url, f"https://{host}": live_base_url}

    response = holder["issuer_client"].post(f"/credentials/{holder['id']}/revoke", data={"reason": REVOCATION_REASON})
    assert response.status_code == 302

    verified = verify_from(node, copies, origins)
    assert verified["unknown_contexts"] == {"ldp": [], "jwt": []}
    fetched = verified["verdicts"]["ldp"][CORE]["fetched"]
    assert {urlsplit(item["url"]).netloc for item in fetched if item.get("live")} == {host}
    after = verified["verdicts"]
    for name, verifier in (("ldp", BAZAAR), ("ldp", CORE), ("jwt", JOSE)):
        assert after[name][verifier]["signatureVerified"] is True, (name, verifier)
        assert after[name][verifier]["verified"] is False, (name, verifier)
        assert after[name][verifier]["status"] == REVOKED, (name, verifier)
