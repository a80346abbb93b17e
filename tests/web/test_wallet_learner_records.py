"""A learner puts their CLR 2.0 learner record into a wallet (OpenID4VCI 1.0, #16): the offer on the record's
page, the ClrCredential configurations, the copy bound to the holder's DID with the record's status entry,
the delivery shown to the learner alone, and the refusals (someone else, a revoked record, a badge format)."""

from __future__ import annotations

import jwt
import pytest
import sqlalchemy as sa

from badges.clr import clr_schema_errors
from talentbank.models import LearnerRecord, User, WalletDelivery, WalletOffer
from talentbank.wallet.metadata import (
    CLR_JWT_CONFIGURATION,
    CLR_LDP_CONFIGURATION,
    JWT_CONFIGURATION,
)
from tests.api.test_wallet_offers import _token
from tests.factories import make_profile, make_user
from tests.web.test_learner_records import LEARNER, _issue, _two_badges, school
from tests.web.test_wallet import Wallet, _error, nonce, offer_from_page, redeem, request_credential

_ = school  # the learner-record tests' fixture, used by name below


@pytest.fixture
def record(client, db, login, make_client, school):
    """A learner record issued through the pages, and the learner's own signed-in client."""
    ids = _two_badges(client, login, school)
    assert _issue(client, school, ids, proof_format="jwt").status_code == 302
    learner = make_user(db, email=LEARNER)
    make_profile(db, owner=learner)
    learner_client = make_client()
    login(learner_client, learner)
    record = db.scalar(sa.select(LearnerRecord))
    return {"id": str(record.public_id), "row": record, "client": learner_client, "issuer_client": client}


def _offer(learner_client, record_id: str, **form):
    response = learner_client.post(f"/learner-records/{record_id}/wallet", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "<svg" in page and "学修記録のページに戻る" in page
    return offer_from_page(page)


def test_the_learner_puts_the_record_into_a_wallet_in_both_formats(record, db, make_client):
    page = record["client"].get(f"/learner-records/{record['id']}").get_data(as_text=True)
    assert "ウォレットに追加" in page and f"/learner-records/{record['id']}/wallet" in page
    offer, tx_code = _offer(record["client"], record["id"])
    assert offer["credential_configuration_ids"] == [CLR_JWT_CONFIGURATION, CLR_LDP_CONFIGURATION]
    wallet_client, wallet = make_client(), Wallet()
    access = redeem(wallet_client, offer, tx_code).get_json()["access_token"]
    assert _error(request_credential(wallet_client, access, wallet.proof(nonce(wallet_client)))) == (
        "invalid_credential_request"  # a badge's configuration is not in a record's offer
    )
    delivered = {}
    for configuration in (CLR_JWT_CONFIGURATION, CLR_LDP_CONFIGURATION):
        response = request_credential(wallet_client, access, wallet.proof(nonce(wallet_client)), configuration)
        assert response.status_code == 200, response.get_data(as_text=True)
        delivered[configuration] = response.get_json()["credentials"][0]["credential"]
    original = record["row"].document
    payload = jwt.decode(delivered[CLR_JWT_CONFIGURATION], options={"verify_signature": False})
    document = delivered[CLR_LDP_CONFIGURATION]
    for copy in (payload, document):
        assert copy["type"] == ["VerifiableCredential", "ClrCredential"]
        assert copy["credentialSubject"]["id"] == wallet.did
        assert copy["credentialStatus"] == original["credentialStatus"]  # revoking the record reaches the copy
        assert (
            copy["credentialSubject"]["verifiableCredential"] == original["credentialSubject"]["verifiableCredential"]
        )
        assert copy["id"].startswith("urn:uuid:")
    assert clr_schema_errors(document) == []
    for credential in delivered.values():  # talentbank's own verifier accepts both
        result = wallet_client.post("/api/v1/verify", json={"credential": credential}).get_json()
        assert result["verified"] is True, result
    rows = db.scalars(sa.select(WalletDelivery).order_by(WalletDelivery.id)).all()
    assert [(r.configuration_id, r.holder_did, r.credential_id) for r in rows] == [
        (CLR_JWT_CONFIGURATION, wallet.did, None),
        (CLR_LDP_CONFIGURATION, wallet.did, None),
    ]
    page = record["client"].get(f"/learner-records/{record['id']}").get_data(as_text=True)
    assert "ウォレットへの送付" in page and CLR_LDP_CONFIGURATION in page
    listed = record["client"].get("/api/v1/me/wallet-deliveries").get_json()["items"]
    assert [(d["learner_record"], d["credential"], d["configuration_id"]) for d in listed] == [
        (record["id"], None, CLR_LDP_CONFIGURATION),
        (record["id"], None, CLR_JWT_CONFIGURATION),
    ]
    assert "ウォレットへの送付" not in record["issuer_client"].get(f"/learner-records/{record['id']}").get_data(True)


def test_only_the_learner_may_offer_the_record_and_never_a_revoked_one(record, db, login, make_client):
    stranger = make_user(db, email="someone@example.jp")
    stranger_client = make_client()
    login(stranger_client, stranger)
    assert stranger_client.post(f"/learner-records/{record['id']}/wallet").status_code == 403
    assert record["issuer_client"].post(f"/learner-records/{record['id']}/wallet").status_code == 403
    anonymous = make_client().post(f"/learner-records/{record['id']}/wallet")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert "ウォレットに追加" not in stranger_client.get(f"/learner-records/{record['id']}").get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(WalletOffer)) == 0

    wallet_client, wallet = make_client(), Wallet()
    offer, tx_code = _offer(record["client"], record["id"], tx_code="off")
    access = redeem(wallet_client, offer, tx_code).get_json()["access_token"]
    assert record["issuer_client"].post(f"/learner-records/{record['id']}/revoke").status_code == 302
    refused = request_credential(wallet_client, access, wallet.proof(nonce(wallet_client)), CLR_LDP_CONFIGURATION)
    assert _error(refused) == "credential_request_denied"
    response = record["client"].post(f"/learner-records/{record['id']}/wallet")
    assert response.status_code == 302
    assert "取り消された学修記録はウォレットに追加できません" in record["client"].get(
        response.headers["Location"]
    ).get_data(True)
    assert db.scalar(sa.select(sa.func.count()).select_from(WalletDelivery)) == 0
    assert JWT_CONFIGURATION not in offer["credential_configuration_ids"]


def test_a_program_makes_the_learners_offer_over_the_api(record, db, make_client):
    program, path = make_client(), f"/api/v1/learner-records/{record['id']}/wallet-offers"
    headers = _token(db, db.scalar(sa.select(User).where(User.email == LEARNER)))
    response = program.post(path, json={"tx_code": False}, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    out = response.get_json()
    assert out["learner_record"] == record["id"] and out["credential"] is None and out["tx_code"] is None
    assert out["qr"].startswith("data:image/svg+xml;base64,")
    offer = offer_from_page(f'<textarea id="offer-uri">{out["offer_uri"]}</textarea>')[0]
    assert offer["credential_configuration_ids"] == [CLR_JWT_CONFIGURATION, CLR_LDP_CONFIGURATION]
    wallet_client, wallet = make_client(), Wallet()
    access = redeem(wallet_client, offer, None).get_json()["access_token"]
    delivered = request_credential(wallet_client, access, wallet.proof(nonce(wallet_client)), CLR_LDP_CONFIGURATION)
    assert (
        delivered.status_code == 200
        and delivered.get_json()["credentials"][0]["credential"]["credentialSubject"]["id"] == wallet.did
    )
    stranger = make_user(db, email="someone@example.jp")
    assert program.post(path, json={}, headers=_token(db, stranger)).status_code == 403
    assert record["issuer_client"].post(f"/learner-records/{record['id']}/revoke").status_code == 302
    revoked = program.post(path, json={}, headers=headers)
    assert revoked.status_code == 409 and revoked.mimetype == "application/problem+json"
