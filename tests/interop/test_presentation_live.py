"""Presentations made by libraries we did not write, verified by the running app on loopback (#16).

A wallet built on `@openid4vc/openid4vci` (oid4vci_client.mjs) takes both holder-bound copies of a
talentbank badge; then present.mjs signs presentations with that holder's did:key Ed25519 key: Data
Integrity by Digital Bazaar's `vc.signPresentation` (eddsa-rdfc-2022, proofPurpose authentication,
challenge and domain from the request page) and a VP-JWT by `jose`. The test posts them to each request's
response endpoint over HTTP. Both verify; a replayed challenge, a wrong domain, a presentation signed by
another holder, a tampered credential and a revoked one are each refused with the reason.
"""

from __future__ import annotations

import copy
import json
import urllib.error
import urllib.request
from typing import Any

from talentbank.wallet.metadata import JWT_CONFIGURATION, LDP_CONFIGURATION
from tests.interop.test_app_issued import _live
from tests.interop.test_interop import _node_or_skip, _run_node
from tests.interop.test_oid4vci_client import _offer_uri
from tests.web.test_presentations import request_from_page
from tests.web.test_wallet import claimed  # noqa: F401  (the fixture)


def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the app on loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _ask(client) -> dict[str, Any]:
    response = client.post("/me/credentials/presentation")
    assert response.status_code == 200, response.get_data(as_text=True)
    return request_from_page(response.get_data(as_text=True))


def _job(vpr, credentials, *, key, fmt="di", **changes) -> dict[str, Any]:
    return {"format": fmt, "private_jwk": key, "credentials": credentials,
            "challenge": vpr["challenge"], "domain": vpr["domain"], **changes}  # fmt: skip


def _send(vpr, made) -> tuple[int, dict[str, Any]]:
    assert made["error"] is None, made["error"]
    body = {"vp_token": made["presentation"]} if isinstance(made["presentation"], str) else \
        {"verifiablePresentation": made["presentation"]}  # fmt: skip
    return _post(vpr["interact"]["service"][0]["serviceEndpoint"], body)


def _problems(body) -> set[str]:
    return {problem for credential in body.get("credentials", []) for problem in credential["problems"]}


def test_presentations_by_digital_bazaar_vc_and_jose_verify_and_bad_ones_are_refused(app, db, request):
    node = _node_or_skip()
    before = app.config["BASE_URL"]
    with _live(app) as loopback:
        app.config["BASE_URL"] = loopback  # the request's domain, the issuer DID and the status list name it
        try:
            holder = request.getfixturevalue("claimed")
            client = holder["client"]
            offer_uri, tx_code = _offer_uri(client, holder["id"])
            db.commit()
            job = {"offer_uri": offer_uri, "tx_code": tx_code, "key": "did:key", "export_key": True}
            [wallet] = _run_node(node, "oid4vci_client.mjs", stdin=json.dumps({"jobs": [job]}))
            assert wallet["error"] is None, wallet["error"]
            key, ldp, jwt_copy = wallet["private_jwk"], *(wallet["credentials"][c] for c in (LDP_CONFIGURATION,
                                                                                              JWT_CONFIGURATION))  # fmt: skip
            tampered = copy.deepcopy(ldp)
            tampered["credentialSubject"]["achievement"]["name"] = "書き換えたバッジ"
            vprs = {name: _ask(client) for name in ("di", "jwt", "domain", "other", "tampered", "revoked")}
            db.commit()
            jobs = {
                "di": _job(vprs["di"], [ldp], key=key),
                "jwt": _job(vprs["jwt"], [jwt_copy], key=key, fmt="jwt"),
                "domain": _job(vprs["domain"], [ldp], key=key, domain="https://evil.example"),
                "other": _job(vprs["other"], [ldp], key=None),  # a fresh key: another holder
                "tampered": _job(vprs["tampered"], [tampered], key=key),
            }
            made = dict(zip(jobs, _run_node(node, "present.mjs", stdin=json.dumps({"jobs": list(jobs.values())})),
                            strict=True))  # fmt: skip
            answers = {name: _send(vprs[name], made[name]) for name in jobs}
            replayed = _send(vprs["di"], made["di"])
            revoke = holder["issuer_client"].post(f"/credentials/{holder['id']}/revoke", data={"reason": "誤って発行"})
            assert revoke.status_code == 302
            [late] = _run_node(node, "present.mjs", stdin=json.dumps({"jobs": [_job(vprs["revoked"], [ldp], key=key)]}))
            revoked = _send(vprs["revoked"], late)
        finally:
            app.config["BASE_URL"] = before
    assert made["di"]["holder"] == wallet["holder_did"] and made["di"]["presentation"]["proof"]["challenge"]
    for name in ("di", "jwt"):
        status, body = answers[name]
        assert status == 200 and body["verified"] is True and body["holder"] == wallet["holder_did"], (name, body)
    status, body = replayed
    assert status == 400 and body["error"] == "invalid_request" and "すでに使われています" in body["error_description"]
    status, body = answers["domain"]
    assert status == 400 and body["error"] == "invalid_request" and "このサイト宛て" in body["error_description"]
    status, body = answers["other"]
    assert status == 400 and _problems(body) == {"subject_not_holder"}, body
    assert "結び付けられていません" in body["error_description"]
    status, body = answers["tampered"]
    assert status == 400 and "proof_invalid" in _problems(body), body
    status, body = revoked
    assert status == 400 and "revoked" in _problems(body), body
