"""Issuing into a wallet (OpenID4VCI 1.0, pre-authorised code flow, #16): the offer on the credential
page, the metadata, token, nonce and credential endpoints, and every refusal with its OAuth error code.

The wallet here is the test itself: an Ed25519 key from `cryptography`, proofs signed with PyJWT.
"""

from __future__ import annotations

import base64
import html
import json
import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import badges
from talentbank.db import utcnow
from talentbank.models import Credential, WalletDelivery, WalletOffer
from talentbank.wallet.metadata import (
    CLR_JWT_CONFIGURATION,
    CLR_LDP_CONFIGURATION,
    JWT_CONFIGURATION,
    LDP_CONFIGURATION,
    PRE_AUTHORIZED_GRANT,
)
from tests.factories import make_organisation, make_profile, make_user
from tests.web.test_credentials import award, create_achievement, setup_issuer

ISSUER = "http://localhost"
EMAIL = "learner@example.jp"


class Wallet:
    """A holder key and the proofs it signs; `kind` is "did:key" or "jwk"."""

    def __init__(self, kind: str = "did:key") -> None:
        self.key = Ed25519PrivateKey.generate()
        self.kind = kind
        public = self.key.public_key()
        if kind == "did:key":
            self.did = badges.did_key(public)
            self.header = {"kid": badges.did_key_verification_method(public)}
        else:
            jwk = badges.public_key_jwk(public)
            self.header = {"jwk": jwk}
            encoded = json.dumps({k: jwk[k] for k in sorted(jwk)}, separators=(",", ":")).encode()
            self.did = "did:jwk:" + base64.urlsafe_b64encode(encoded).rstrip(b"=").decode()

    def proof(self, nonce: str, *, aud: str = ISSUER, iat: float | None = None, key=None, typ=None) -> str:
        claims = {"aud": aud, "iat": int(iat if iat is not None else time.time()), "nonce": nonce}
        headers = {"typ": typ or "openid4vci-proof+jwt", **self.header}
        return jwt.encode(claims, key or self.key, algorithm="EdDSA", headers=headers)


def offer_from_page(page: str) -> tuple[dict, str | None]:
    """The credential offer (parsed from the link on the page) and the transaction code shown."""
    uri = html.unescape(re.search(r'id="offer-uri">([^<]+)<', page).group(1))
    assert uri.startswith("openid-credential-offer://?credential_offer=")
    offer = json.loads(parse_qs(urlsplit(uri).query)["credential_offer"][0])
    tx = re.search(r'id="tx-code">(\d{6})<', page)
    return offer, tx.group(1) if tx else None


@pytest.fixture
def claimed(client, db, login, make_client):
    """A claimed JWT credential, the recipient's own signed-in client, and the issuer's client."""
    school = make_organisation(db, kind="school", verified=True, name="道東工業高等専門学校")
    setup_issuer(client, login, school)
    credential_id = award(client, create_achievement(client, school, proof_format="jwt"))
    learner = make_user(db, email=EMAIL)
    make_profile(db, owner=learner)
    learner_client = make_client()
    login(learner_client, learner)
    assert learner_client.post(f"/credentials/{credential_id}/claim").status_code == 302
    return {"id": credential_id, "client": learner_client, "issuer_client": client, "user": learner}


def make_offer(learner_client, credential_id: str, **form) -> tuple[dict, str | None]:
    response = learner_client.post(f"/credentials/{credential_id}/wallet", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "<svg" in page and "ウォレットに追加" in page
    return offer_from_page(page)


def redeem(wallet_client, offer: dict, tx_code: str | None):
    grant = offer["grants"][PRE_AUTHORIZED_GRANT]
    data = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": grant["pre-authorized_code"]}
    if tx_code is not None:
        data["tx_code"] = tx_code
    return wallet_client.post("/oid4vci/token", data=data)


def request_credential(wallet_client, token: str, proof: str, configuration=JWT_CONFIGURATION):
    return wallet_client.post(
        "/oid4vci/credential",
        json={"credential_configuration_id": configuration, "proofs": {"jwt": [proof]}},
        headers={"Authorization": f"Bearer {token}"},
    )


def nonce(wallet_client) -> str:
    response = wallet_client.post("/oid4vci/nonce")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return response.get_json()["c_nonce"]


def _error(response) -> str:
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True))
    return response.get_json()["error"]


def test_metadata_names_the_endpoints_and_both_formats(client):
    issuer = client.get("/.well-known/openid-credential-issuer").get_json()
    assert issuer["credential_issuer"] == ISSUER
    assert issuer["credential_endpoint"] == f"{ISSUER}/oid4vci/credential"
    assert issuer["nonce_endpoint"] == f"{ISSUER}/oid4vci/nonce"
    formats = {k: v["format"] for k, v in issuer["credential_configurations_supported"].items()}
    assert formats == {JWT_CONFIGURATION: "jwt_vc_json", LDP_CONFIGURATION: "ldp_vc",
                       CLR_JWT_CONFIGURATION: "jwt_vc_json", CLR_LDP_CONFIGURATION: "ldp_vc"}  # fmt: skip
    server = client.get("/.well-known/oauth-authorization-server").get_json()
    assert server["issuer"] == ISSUER and server["token_endpoint"] == f"{ISSUER}/oid4vci/token"
    assert server["grant_types_supported"] == [PRE_AUTHORIZED_GRANT]


@pytest.mark.parametrize("kind", ["did:key", "jwk"])
def test_offer_token_proof_credential_in_both_formats_bound_to_the_holder(claimed, db, make_client, kind):
    offer, tx_code = make_offer(claimed["client"], claimed["id"])
    assert offer["credential_issuer"] == ISSUER and tx_code is not None
    assert offer["grants"][PRE_AUTHORIZED_GRANT]["tx_code"]["length"] == 6
    wallet_client, wallet = make_client(), Wallet(kind)  # the wallet has no session cookie
    token = redeem(wallet_client, offer, tx_code)
    assert token.status_code == 200 and token.headers["Cache-Control"] == "no-store"
    access = token.get_json()["access_token"]
    delivered = {}
    for configuration in (JWT_CONFIGURATION, LDP_CONFIGURATION):
        response = request_credential(wallet_client, access, wallet.proof(nonce(wallet_client)), configuration)
        assert response.status_code == 200, response.get_data(as_text=True)
        delivered[configuration] = response.get_json()["credentials"][0]["credential"]
    original = db.scalar(sa.select(Credential)).document
    payload = jwt.decode(delivered[JWT_CONFIGURATION], options={"verify_signature": False})
    document = delivered[LDP_CONFIGURATION]
    for copy in (payload, document):
        assert copy["credentialSubject"]["id"] == wallet.did
        assert copy["credentialStatus"] == original["credentialStatus"]  # revocation reaches the copy
        assert copy["id"].startswith("urn:uuid:") and copy["id"] != original["id"]
    assert payload["sub"] == wallet.did and document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    for credential in delivered.values():  # and talentbank's own verifier accepts both
        result = wallet_client.post("/api/v1/verify", json={"credential": credential}).get_json()
        assert result["verified"] is True, result
    rows = db.scalars(sa.select(WalletDelivery).order_by(WalletDelivery.id)).all()
    assert [(r.configuration_id, r.holder_did) for r in rows] == [
        (JWT_CONFIGURATION, wallet.did),
        (LDP_CONFIGURATION, wallet.did),
    ]
    # The person sees the deliveries on the credential page and in the API; nobody else does.
    page = claimed["client"].get(f"/credentials/{claimed['id']}").get_data(as_text=True)
    assert "ウォレットへの送付" in page and LDP_CONFIGURATION in page
    listed = claimed["client"].get("/api/v1/me/wallet-deliveries").get_json()
    assert [(d["configuration_id"], d["holder_did"]) for d in listed["items"]] == [
        (LDP_CONFIGURATION, wallet.did),
        (JWT_CONFIGURATION, wallet.did),
    ]
    assert listed["items"][0]["credential"] == claimed["id"]
    assert "ウォレットへの送付" not in claimed["issuer_client"].get(f"/credentials/{claimed['id']}").get_data(True)
    # A second request for a format already delivered is refused.
    again = request_credential(wallet_client, access, wallet.proof(nonce(wallet_client)))
    assert _error(again) == "credential_request_denied"


def test_a_used_code_a_wrong_tx_code_and_an_expired_offer_are_invalid_grants(claimed, db, make_client):
    wallet_client = make_client()
    offer, tx_code = make_offer(claimed["client"], claimed["id"])
    wrong = "000000" if tx_code != "000000" else "111111"
    assert _error(redeem(wallet_client, offer, wrong)) == "invalid_grant"
    assert db.scalar(sa.select(WalletOffer.failed_tx_codes)) == 1
    assert _error(redeem(wallet_client, offer, None)) == "invalid_request"
    assert redeem(wallet_client, offer, tx_code).status_code == 200
    assert _error(redeem(wallet_client, offer, tx_code)) == "invalid_grant"  # single use
    unknown = {"grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": "no-such-code"}}}
    assert _error(redeem(wallet_client, unknown, None)) == "invalid_grant"
    bad_grant = wallet_client.post("/oid4vci/token", data={"grant_type": "authorization_code", "code": "x"})
    assert _error(bad_grant) == "unsupported_grant_type"
    late, late_code = make_offer(claimed["client"], claimed["id"], tx_code="off")
    assert late_code is None and "tx_code" not in late["grants"][PRE_AUTHORIZED_GRANT]
    db.execute(sa.update(WalletOffer).where(WalletOffer.redeemed_at.is_(None))
               .values(expires_at=utcnow() - timedelta(seconds=1)))  # fmt: skip
    assert _error(redeem(wallet_client, late, None)) == "invalid_grant"
    assert db.scalar(sa.select(sa.func.count()).select_from(WalletDelivery)) == 0


def test_five_wrong_tx_codes_burn_the_offer(claimed, make_client):
    wallet_client = make_client()
    offer, tx_code = make_offer(claimed["client"], claimed["id"])
    wrong = "000000" if tx_code != "000000" else "111111"
    for _ in range(5):
        assert _error(redeem(wallet_client, offer, wrong)) == "invalid_grant"
    assert _error(redeem(wallet_client, offer, tx_code)) == "invalid_grant"


def test_bad_proofs_tokens_and_requests_are_refused_and_deliver_nothing(claimed, db, make_client):
    wallet_client, wallet = make_client(), Wallet()
    offer, tx_code = make_offer(claimed["client"], claimed["id"])
    access = redeem(wallet_client, offer, tx_code).get_json()["access_token"]
    fresh = nonce(wallet_client)
    cases = {
        "bad signature": (wallet.proof(fresh, key=Ed25519PrivateKey.generate()), "invalid_proof"),
        "wrong audience": (wallet.proof(fresh, aud="https://other.example"), "invalid_proof"),
        "old iat": (wallet.proof(fresh, iat=time.time() - 3600), "invalid_proof"),
        "wrong typ": (wallet.proof(fresh, typ="JWT"), "invalid_proof"),
        "made-up nonce": (wallet.proof("1.abc.def"), "invalid_nonce"),
        "forged nonce": (wallet.proof(fresh[:-4] + "0000"), "invalid_nonce"),
        "not a JWT": ("not-a-jwt", "invalid_proof"),
    }
    for name, (proof, code) in cases.items():
        assert _error(request_credential(wallet_client, access, proof)) == code, name
    good = wallet.proof(fresh)
    assert _error(request_credential(wallet_client, access, good, "mso_mdoc_badge")) == (
        "unknown_credential_configuration"
    )
    headers = {"Authorization": f"Bearer {access}"}
    for body in ([], {"proofs": {"jwt": [good]}}, {"credential_configuration_id": JWT_CONFIGURATION}):
        response = wallet_client.post("/oid4vci/credential", json=body, headers=headers)
        assert _error(response) in {"invalid_credential_request", "invalid_proof"}
    garbage = wallet_client.post("/oid4vci/credential", data=b"\xff{", headers=headers)
    assert _error(garbage) == "invalid_credential_request"
    unauthorised = request_credential(wallet_client, "no-such-token", good)
    assert unauthorised.status_code == 401 and 'error="invalid_token"' in unauthorised.headers["WWW-Authenticate"]
    assert db.scalar(sa.select(sa.func.count()).select_from(WalletDelivery)) == 0
    assert request_credential(wallet_client, access, good).status_code == 200  # the same token still works


def test_a_revoked_badge_gets_no_offer_and_an_offer_made_before_delivers_nothing(claimed, db, make_client):
    wallet_client, wallet = make_client(), Wallet()
    offer, tx_code = make_offer(claimed["client"], claimed["id"])
    access = redeem(wallet_client, offer, tx_code).get_json()["access_token"]
    second, second_code = make_offer(claimed["client"], claimed["id"])
    revoked = claimed["issuer_client"].post(f"/credentials/{claimed['id']}/revoke", data={"reason": "誤発行"})
    assert revoked.status_code == 302
    assert _error(request_credential(wallet_client, access, wallet.proof(nonce(wallet_client)))) == (
        "credential_request_denied"
    )
    assert _error(redeem(wallet_client, second, second_code)) == "invalid_grant"
    response = claimed["client"].post(f"/credentials/{claimed['id']}/wallet")
    assert response.status_code == 302
    assert "取り消されたバッジはウォレットに追加できません" in claimed["client"].get(
        response.headers["Location"]
    ).get_data(True)
    assert db.scalar(sa.select(sa.func.count()).select_from(WalletOffer)) == 2


def test_an_expired_badge_gets_no_offer(claimed, db):
    db.execute(sa.update(Credential).values(valid_until=utcnow() - timedelta(days=1)))
    response = claimed["client"].post(f"/credentials/{claimed['id']}/wallet")
    assert response.status_code == 302
    assert db.scalar(sa.select(sa.func.count()).select_from(WalletOffer)) == 0


def test_only_the_holder_may_ask_for_an_offer(claimed, db, login, make_client):
    stranger = make_user(db, email="someone@example.jp")
    make_profile(db, owner=stranger)
    stranger_client = make_client()
    login(stranger_client, stranger)
    assert stranger_client.post(f"/credentials/{claimed['id']}/wallet").status_code == 403
    assert claimed["issuer_client"].post(f"/credentials/{claimed['id']}/wallet").status_code == 403
    anonymous = make_client().post(f"/credentials/{claimed['id']}/wallet")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert "ウォレットに追加" not in stranger_client.get(f"/credentials/{claimed['id']}").get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(WalletOffer)) == 0
    assert stranger_client.get("/api/v1/me/wallet-deliveries").get_json()["items"] == []


def test_an_unclaimed_credential_of_someone_else_gets_no_offer(claimed, client, db, login, make_client):
    other_id = award(claimed["issuer_client"], _achievement_of(db), email="other@example.jp", name="別人")
    assert claimed["client"].post(f"/credentials/{other_id}/wallet").status_code == 403
    assert db.scalar(sa.select(sa.func.count()).select_from(WalletOffer)) == 0


def _achievement_of(db) -> str:
    return str(db.scalar(sa.select(Credential)).achievement.public_id)
