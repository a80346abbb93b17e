"""POST /api/v1/credentials/{id}/wallet-offers (#16): the credential page's "ウォレットに追加" for a program,
redeemed by a wallet through the OpenID4VCI endpoints, and refused for anyone but the holder of a current badge."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import sqlalchemy as sa

from talentbank.accounts.tokens import create_token
from talentbank.db import utcnow
from talentbank.models import Credential, WalletOffer
from talentbank.wallet.metadata import JWT_CONFIGURATION, PRE_AUTHORIZED_GRANT
from tests.api.conftest import bearer
from tests.factories import make_profile, make_user
from tests.web.test_credentials import award
from tests.web.test_wallet import Wallet, claimed, nonce, redeem, request_credential

_ = claimed  # the web tests' fixture, used by name below


def _path(credential_id) -> str:
    return f"/api/v1/credentials/{credential_id}/wallet-offers"


def _token(db, user, scopes=("read", "write")) -> dict[str, str]:
    secret = create_token(db, user, name="wallet", scopes=scopes, days=7)[1]
    db.commit()
    return bearer(secret)


def _offer_count(db) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(WalletOffer))


def test_the_holder_gets_an_offer_a_wallet_redeems(claimed, db, make_client):
    program = make_client()
    response = program.post(_path(claimed["id"]), json={}, headers=_token(db, claimed["user"]))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"  # it holds the code
    out = response.get_json()
    assert out["credential"] == claimed["id"] and out["tx_code"] and len(out["tx_code"]) == 6
    assert out["qr"].startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(out["qr"].partition(",")[2]).startswith(b"<svg")
    offer = json.loads(parse_qs(urlsplit(out["offer_uri"]).query)["credential_offer"][0])
    stored = db.scalar(sa.select(WalletOffer))
    assert str(stored.public_id) == out["id"] and stored.expires_at.isoformat() == out["expires_at"].replace(
        "Z", "+00:00"
    )
    wallet_client, wallet = make_client(), Wallet()
    token = redeem(wallet_client, offer, out["tx_code"])
    assert token.status_code == 200
    delivered = request_credential(wallet_client, token.get_json()["access_token"], wallet.proof(nonce(wallet_client)))
    assert delivered.status_code == 200, delivered.get_data(as_text=True)
    payload = jwt.decode(delivered.get_json()["credentials"][0]["credential"], options={"verify_signature": False})
    assert payload["credentialSubject"]["id"] == wallet.did
    listed = program.get("/api/v1/me/wallet-deliveries", headers=_token(db, claimed["user"])).get_json()
    assert [d["configuration_id"] for d in listed["items"]] == [JWT_CONFIGURATION]


def test_an_offer_without_a_transaction_code(claimed, db, make_client):
    client = make_client()
    response = client.post(_path(claimed["id"]), json={"tx_code": False}, headers=_token(db, claimed["user"]))
    assert response.status_code == 201
    out = response.get_json()
    assert (
        out["tx_code"] is None
        and "tx_code"
        not in json.loads(parse_qs(urlsplit(out["offer_uri"]).query)["credential_offer"][0])["grants"][
            PRE_AUTHORIZED_GRANT
        ]
    )


def test_refused_for_others_a_read_token_an_unclaimed_revoked_or_expired_badge(claimed, db, make_client):
    client = make_client()  # a program: no session cookie, only tokens
    stranger = make_user(db, email="someone@example.jp")
    make_profile(db, owner=stranger)
    assert client.post(_path(claimed["id"]), json={}, headers=_token(db, stranger)).status_code == 403
    assert client.post(_path(claimed["id"]), json={}).status_code == 401
    read_only = client.post(_path(claimed["id"]), json={}, headers=_token(db, claimed["user"], ("read",)))
    assert read_only.status_code == 403
    assert client.post(_path("no-such-id"), json={}, headers=_token(db, claimed["user"])).status_code == 404
    bad = client.post(_path(claimed["id"]), json={"tx_code": "maybe", "x": 1}, headers=_token(db, claimed["user"]))
    assert bad.status_code in (400, 422) and bad.mimetype == "application/problem+json"
    # The recipient of a badge not yet claimed is told to claim it first.
    achievement = str(db.scalar(sa.select(Credential)).achievement.public_id)
    unclaimed_id = award(claimed["issuer_client"], achievement, email="new@example.jp", name="新人")
    recipient = make_user(db, email="new@example.jp")
    make_profile(db, owner=recipient)
    unclaimed = client.post(_path(unclaimed_id), json={}, headers=_token(db, recipient))
    assert unclaimed.status_code == 409 and "受け取って" in unclaimed.get_json()["detail"]
    assert client.post(_path(unclaimed_id), json={}, headers=_token(db, claimed["user"])).status_code == 403
    # Expired, then revoked.
    headers = _token(db, claimed["user"])
    db.execute(sa.update(Credential).values(valid_until=utcnow() - timedelta(days=1)))
    db.commit()
    expired = client.post(_path(claimed["id"]), json={}, headers=headers)
    assert expired.status_code == 409 and expired.mimetype == "application/problem+json"
    db.execute(sa.update(Credential).values(valid_until=None))
    db.commit()
    assert (
        claimed["issuer_client"].post(f"/credentials/{claimed['id']}/revoke", data={"reason": "誤発行"}).status_code
        == 302
    )
    revoked = client.post(_path(claimed["id"]), json={}, headers=headers)
    assert revoked.status_code == 409 and "取り消された" in revoked.get_json()["detail"]
    assert _offer_count(db) == 0
