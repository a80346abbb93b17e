"""Bad input through OpenID4VCI (#16): every malformed, oversized or wrong request to the token and
credential endpoints is a 4xx carrying the protocol's `error` code (never a 500, never an HTML page),
and nothing already issued changes: the delivery made before, the stored credential, the status list
and the offer's state are as they were. (The core refusals — reused and unknown codes, wrong
transaction codes, bad proof signatures, audiences, ages, nonces — are in test_wallet.py.)
"""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import badges
from talentbank.db import utcnow
from talentbank.models import Credential, WalletDelivery, WalletOffer
from talentbank.wallet.exchange import new_nonce
from talentbank.wallet.metadata import JWT_CONFIGURATION, LDP_CONFIGURATION, PRE_AUTHORIZED_GRANT
from tests.web.test_wallet import ISSUER, Wallet, claimed, make_offer, nonce, redeem, request_credential  # noqa: F401

TOO_LARGE = 100 * 1024  # the protocol endpoints take at most 64 KiB


def _protocol_error(response, status: int = 400) -> str:
    """The OAuth error code of a JSON error response with the expected status."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json" and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert isinstance(body.get("error_description"), str)
    return body["error"]


def _signed(claims: dict, header: dict, key, algorithm: str = "EdDSA") -> str:
    return jwt.encode(claims, key, algorithm=algorithm, headers={"typ": "openid4vci-proof+jwt", **header})


def _unsigned(claims: dict, header: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'typ': 'openid4vci-proof+jwt', **header})}.{part(claims)}."


@pytest.fixture
def delivered(claimed, db, make_client):  # noqa: F811
    """One JWT copy delivered, and the wallet's client, key and still-valid access token."""
    wallet_client, wallet = make_client(), Wallet()
    offer, tx_code = make_offer(claimed["client"], claimed["id"])
    access = redeem(wallet_client, offer, tx_code).get_json()["access_token"]
    response = request_credential(wallet_client, access, wallet.proof(nonce(wallet_client)))
    assert response.status_code == 200
    status_url = db.scalar(sa.select(Credential)).document["credentialStatus"]["statusListCredential"]
    return {
        **claimed,
        "wallet_client": wallet_client,
        "wallet": wallet,
        "access": access,
        "copy": response.get_json()["credentials"][0]["credential"],
        "status_path": status_url.removeprefix(ISSUER),
    }


def _issued_state(db, client, status_path: str):
    db.expire_all()
    deliveries = [(d.configuration_id, d.holder_did, d.document_id) for d in db.scalars(sa.select(WalletDelivery))]
    offers = [(o.redeemed_at, o.failed_tx_codes, o.access_token_hash) for o in db.scalars(sa.select(WalletOffer))]
    credential = db.scalar(sa.select(Credential))
    status_list = client.get(status_path).get_json()["credentialSubject"]["encodedList"]
    return deliveries, offers, credential.document, credential.revoked_at, status_list


def test_bad_token_requests_are_oauth_errors(claimed, db, make_client):  # noqa: F811
    wallet_client = make_client()
    offer, tx_code = make_offer(claimed["client"], claimed["id"])
    code = offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    as_json = wallet_client.post(
        "/oid4vci/token", json={"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    )
    assert _protocol_error(as_json) == "invalid_request"  # the token request is a form (RFC 6749 §4.1.3)
    huge = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": "1" * TOO_LARGE}
    assert _protocol_error(wallet_client.post("/oid4vci/token", data=huge), 413) == "invalid_request"
    long_code = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": "x" * 300}
    assert _protocol_error(wallet_client.post("/oid4vci/token", data=long_code)) == "invalid_request"
    assert _protocol_error(wallet_client.get("/oid4vci/token"), 405) == "invalid_request"
    garbage = wallet_client.post(
        "/oid4vci/token", data=b"\xff\xfe=%%%", content_type="application/x-www-form-urlencoded"
    )
    assert _protocol_error(garbage) == "invalid_request"
    control = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code[:5] + "\x00"}
    assert _protocol_error(wallet_client.post("/oid4vci/token", data=control)) == "invalid_request"
    long_tx = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": tx_code + "0" * 50}
    assert _protocol_error(wallet_client.post("/oid4vci/token", data=long_tx)) == "invalid_grant"
    assert db.scalar(sa.select(WalletOffer.redeemed_at)) is None  # still redeemable with the right code
    assert redeem(wallet_client, offer, tx_code).status_code == 200


def test_bad_credential_requests_are_oauth_errors_and_change_nothing_issued(app, delivered, db):
    wallet_client, wallet, access = delivered["wallet_client"], delivered["wallet"], delivered["access"]
    before = _issued_state(db, delivered["client"], delivered["status_path"])
    fresh = nonce(wallet_client)
    claims = {"aud": ISSUER, "iat": int(time.time()), "nonce": fresh}
    stale = new_nonce(app.config["SECRET_KEY"].encode(), now=utcnow() - timedelta(minutes=10))
    other = Ed25519PrivateKey.generate()
    private_jwk = {**badges.public_key_jwk(other.public_key()), "d": "AAAA"}
    proofs = {
        "stale nonce": (wallet.proof(stale), "invalid_nonce"),
        "for the token endpoint": (wallet.proof(fresh, aud=f"{ISSUER}/oid4vci/token"), "invalid_proof"),
        "alg none": (_unsigned(claims, {"alg": "none", **wallet.header}), "invalid_proof"),
        "HS256": (_signed(claims, wallet.header, b"k" * 32, "HS256"), "invalid_proof"),
        "kid and jwk": (_signed(claims, {**wallet.header, "jwk": private_jwk}, wallet.key), "invalid_proof"),
        "private jwk": (_signed(claims, {"jwk": private_jwk}, other), "invalid_proof"),
        "did:web kid": (_signed(claims, {"kid": "did:web:example.jp#key-1"}, wallet.key), "invalid_proof"),
        "no nonce": (_signed({"aud": ISSUER, "iat": int(time.time())}, wallet.header, wallet.key), "invalid_nonce"),
        "not a string": (12345, "invalid_proof"),
        "oversized proof": ("a" * 9000, "invalid_proof"),
    }
    for name, (proof, code) in proofs.items():
        response = request_credential(wallet_client, access, proof, LDP_CONFIGURATION)
        assert _protocol_error(response) == code, name
    good = wallet.proof(fresh)
    headers = {"Authorization": f"Bearer {access}"}
    bodies = {
        "unsupported format": ({"format": "mso_mdoc", "proofs": {"jwt": [good]}}, "unsupported_credential_format"),
        "pre-1.0 request": (
            {"format": "ldp_vc", "proof": {"proof_type": "jwt", "jwt": good}},
            "invalid_credential_request",
        ),
        "configuration as a list": ({"credential_configuration_id": [LDP_CONFIGURATION]}, "invalid_credential_request"),
        "two proofs": (
            {"credential_configuration_id": LDP_CONFIGURATION, "proofs": {"jwt": [good, good]}},
            "invalid_proof",
        ),
        "another proof type": (
            {"credential_configuration_id": LDP_CONFIGURATION, "proofs": {"ldp_vp": [{}]}},
            "invalid_proof",
        ),
    }
    for name, (body, code) in bodies.items():
        assert _protocol_error(wallet_client.post("/oid4vci/credential", json=body, headers=headers)) == code, name
    oversized = {"credential_configuration_id": LDP_CONFIGURATION, "proofs": {"jwt": [good]}, "pad": "x" * TOO_LARGE}
    response = wallet_client.post("/oid4vci/credential", json=oversized, headers=headers)
    assert _protocol_error(response, 413) == "invalid_credential_request"
    broken = wallet_client.post(
        "/oid4vci/credential", data="{not json", headers=headers, content_type="application/json"
    )
    assert _protocol_error(broken) == "invalid_credential_request"
    assert _protocol_error(wallet_client.get("/oid4vci/credential", headers=headers), 405) == (
        "invalid_credential_request"
    )
    basic = wallet_client.post("/oid4vci/credential", json={}, headers={"Authorization": f"Basic {access}"})
    assert _protocol_error(basic, 401) == "invalid_token"
    again = request_credential(wallet_client, access, good, JWT_CONFIGURATION)
    assert _protocol_error(again) == "credential_request_denied"  # that format went to this offer already

    assert _issued_state(db, delivered["client"], delivered["status_path"]) == before
    verified = wallet_client.post("/api/v1/verify", json={"credential": delivered["copy"]}).get_json()
    assert verified["verified"] is True, verified  # the copy delivered before still verifies
    assert request_credential(wallet_client, access, good, LDP_CONFIGURATION).status_code == 200


def test_the_holder_chooses_whether_the_offer_has_a_transaction_code(claimed, db):  # noqa: F811
    page = claimed["client"].get(f"/credentials/{claimed['id']}").get_data(as_text=True)
    assert '<input checked id="tx_code-0" name="tx_code" type="radio" value="on">' in page  # on unless chosen
    assert '<input id="tx_code-1" name="tx_code" type="radio" value="off">' in page
    assert "<legend>確認コード（ウォレットで入力する6桁の数字）</legend>" in page
    with_code, shown = make_offer(claimed["client"], claimed["id"], tx_code="on")
    without, none = make_offer(claimed["client"], claimed["id"], tx_code="off")
    assert shown is not None and "tx_code" in with_code["grants"][PRE_AUTHORIZED_GRANT]
    assert none is None and "tx_code" not in without["grants"][PRE_AUTHORIZED_GRANT]
    refused = claimed["client"].post(f"/credentials/{claimed['id']}/wallet", data={"tx_code": "maybe"})
    assert refused.status_code == 302 and db.scalar(sa.select(sa.func.count()).select_from(WalletOffer)) == 2


def test_the_wallet_protocols_are_rate_limited_per_address_with_a_protocol_error(app, client):
    """The token, nonce, credential and presentation endpoints take no account; a per-IP limit on each keeps
    them from being ground (the presentation check canonicalises and verifies signatures). Metadata reads
    are not counted."""
    lifted, app.config["WALLET_PROTOCOL_LIMIT"] = app.config["WALLET_PROTOCOL_LIMIT"], "3 per minute"
    try:
        answers = {
            "response": [client.post("/oid4vp/response/no-such-request", json={"vp_token": "x"}) for _ in range(4)],
            "token": [client.post("/oid4vci/token", data={"grant_type": PRE_AUTHORIZED_GRANT}) for _ in range(4)],
            "nonce": [client.post("/oid4vci/nonce") for _ in range(4)],
        }
        metadata = [client.get("/.well-known/openid-credential-issuer") for _ in range(4)]
    finally:
        app.config["WALLET_PROTOCOL_LIMIT"] = lifted
    assert {name: [r.status_code for r in got] for name, got in answers.items()} == {
        "response": [400, 400, 400, 429],
        "token": [400, 400, 400, 429],
        "nonce": [200, 200, 200, 429],
    }
    for got in answers.values():
        _protocol_error(got[-1], 429)
    assert [r.status_code for r in metadata] == [200] * 4
