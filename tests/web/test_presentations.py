"""Presentations (#16): the applicant or the importer asks for a presentation request, the wallet (the test,
with an Ed25519 key and badges.presentation's signer) posts a presentation of its holder-bound copies, and
talentbank verifies it: the host sees the attached badges verified or why not; an import lands on the
profile. Every refusal is a 4xx with the protocol's error code. Independent libraries: tests/interop."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from badges.presentation import presentation_jwt, sign_presentation
from talentbank.db import utcnow
from talentbank.models import Application, ImportedCredential, PresentationRequest
from talentbank.wallet.metadata import JWT_CONFIGURATION, LDP_CONFIGURATION
from tests.factories import add_member, make_organisation, make_project, make_user
from tests.web.test_wallet import (
    ISSUER,
    Wallet,
    claimed,  # noqa: F401  (the fixture)
    make_offer,
    nonce,
    redeem,
    request_credential,
)


def delivered_copies(learner_client, credential_id, wallet_client, wallet) -> list:
    """Both holder-bound copies of the badge, taken over OpenID4VCI by `wallet`."""
    offer, tx_code = make_offer(learner_client, credential_id)
    access = redeem(wallet_client, offer, tx_code).get_json()["access_token"]
    copies = []
    for configuration in (JWT_CONFIGURATION, LDP_CONFIGURATION):
        response = request_credential(wallet_client, access, wallet.proof(nonce(wallet_client)), configuration)
        assert response.status_code == 200, response.get_data(as_text=True)
        copies.append(response.get_json()["credentials"][0]["credential"])
    return copies


def request_from_page(page: str) -> dict:
    """The Verifiable Presentation Request shown on the page (challenge, domain, where to post)."""
    vpr = json.loads(html.unescape(re.search(r'<pre id="vpr" tabindex="0">([^<]+)</pre>', page).group(1)))
    uri = html.unescape(re.search(r'id="request-uri"[^>]*>([^<]+)<', page).group(1))
    assert uri.startswith("openid4vp://?") and "response_mode=direct_post" in uri
    return vpr


def endpoint(vpr: dict) -> str:
    return vpr["interact"]["service"][0]["serviceEndpoint"].removeprefix(ISSUER)


def di(wallet, copies, vpr, **changes) -> dict:
    options = {"challenge": vpr["challenge"], "domain": vpr["domain"], **changes}
    return sign_presentation(copies, wallet.key, holder=wallet.did, created=utcnow(), **options)


@pytest.fixture
def applied(claimed, db, login, make_client):  # noqa: F811
    """The learner applied to a host's project; their wallet holds both copies of their badge."""
    host_org = make_organisation(db, name="十勝DX協議会", verified=True)
    host = make_user(db, email="host@example.jp")
    add_member(db, host_org, host)
    project = make_project(db, host_org)
    host_client = make_client()
    login(host_client, host)
    learner = claimed["client"]
    assert learner.post(f"/projects/{project.public_id}/apply", data={"message": "よろしく"}).status_code == 302
    application = db.scalar(sa.select(Application))
    wallet_client, wallet = make_client(), Wallet()
    copies = delivered_copies(learner, claimed["id"], wallet_client, wallet)
    return {**claimed, "project": project, "application": application, "host": host_client,
            "wallet_client": wallet_client, "wallet": wallet, "copies": copies}  # fmt: skip


def ask(client, application) -> dict:
    response = client.post(f"/applications/{application.public_id}/presentation")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store" and "<svg" in response.get_data(as_text=True)
    return request_from_page(response.get_data(as_text=True))


def test_the_host_sees_the_badges_an_applicant_presented_verified(applied, db):
    vpr = ask(applied["client"], applied["application"])
    assert vpr["domain"] == ISSUER and vpr["query"][0]["type"] == "DIDAuthentication"
    wallet_client = applied["wallet_client"]
    started = wallet_client.post(endpoint(vpr), json={})  # a VC-API exchange starts with the request
    assert started.get_json()["verifiablePresentationRequest"]["challenge"] == vpr["challenge"]
    presentation = di(applied["wallet"], applied["copies"], vpr)
    response = wallet_client.post(endpoint(vpr), json={"verifiablePresentation": presentation})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["verified"] is True and body["holder"] == applied["wallet"].did
    assert [c["verified"] for c in body["credentials"]] == [True, True]
    page = applied["host"].get(f"/projects/{applied['project'].public_id}").get_data(as_text=True)
    assert "提示されたバッジ" in page and page.count("確認済み</strong>") >= 2
    # the same presentation again: the challenge was used
    again = wallet_client.post(endpoint(vpr), json={"verifiablePresentation": presentation})
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_request"
    assert "すでに使われています" in again.get_json()["error_description"]
    # the result page is the applicant's only
    request_id = endpoint(vpr).rsplit("/", 1)[1]
    assert applied["client"].get(f"/presentations/{request_id}").status_code == 200
    assert applied["host"].get(f"/presentations/{request_id}").status_code == 404


def test_refused_presentations_leave_the_request_open_and_bad_input_is_a_4xx(applied, db):
    vpr = ask(applied["client"], applied["application"])
    wallet_client, wallet, copies = applied["wallet_client"], applied["wallet"], applied["copies"]
    url = endpoint(vpr)
    cases = [
        ({"verifiablePresentation": di(wallet, copies, vpr, domain="https://evil.example")}, "このサイト宛て"),
        ({"verifiablePresentation": di(wallet, copies, vpr, challenge="someone-else")}, "チャレンジ"),
        ({"vp_token": "not a token"}, "読み取れません"),
        ({"vp_token": {"a": ["x"], "b": ["y"]}}, "exactly one"),
        ({"verifiablePresentation": {"type": "VerifiablePresentation"}}, "署名がありません"),
    ]
    for body, words in cases:
        response = wallet_client.post(url, json=body)
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["error"] == "invalid_request" and words in response.get_json()["error_description"]
    for raw in (b"[1", b"x" * (300 * 1024)):
        response = wallet_client.post(url, data=raw, content_type="application/json")
        assert 400 <= response.status_code < 500 and "error" in response.get_json()
    assert wallet_client.post("/oid4vp/response/not-an-id", json={"vp_token": "a.b.c"}).status_code == 400
    assert wallet_client.get("/oid4vp/response/" + url.rsplit("/", 1)[1]).status_code == 405
    assert db.scalar(sa.select(PresentationRequest)).used_at is None
    # a VP-JWT by direct_post still works afterwards
    token = presentation_jwt(copies[:1], wallet.key, kid=wallet.header["kid"], holder=wallet.did,
                             challenge=vpr["challenge"], audience=ISSUER, now=utcnow())  # fmt: skip
    response = wallet_client.post(url, data={"vp_token": token, "state": url.rsplit("/", 1)[1]})
    assert response.status_code == 200, response.get_data(as_text=True)


def test_badges_of_another_holder_or_revoked_are_shown_to_the_host_as_refused(applied, db):
    vpr = ask(applied["client"], applied["application"])
    thief = Wallet()  # holds the learner's copies but not their key
    response = applied["wallet_client"].post(
        endpoint(vpr), json={"verifiablePresentation": di(thief, applied["copies"], vpr)}
    )
    assert response.status_code == 400
    assert {p for c in response.get_json()["credentials"] for p in c["problems"]} == {"subject_not_holder"}
    page = applied["host"].get(f"/projects/{applied['project'].public_id}").get_data(as_text=True)
    assert "確認できません" in page and "結び付けられていません" in page
    revoke = applied["issuer_client"].post(f"/credentials/{applied['id']}/revoke", data={"reason": "誤って発行"})
    assert revoke.status_code == 302
    vpr = ask(applied["client"], applied["application"])
    response = applied["wallet_client"].post(endpoint(vpr), json={"verifiablePresentation": di(applied["wallet"], applied["copies"], vpr)})  # fmt: skip
    assert response.status_code == 400
    assert all("revoked" in c["problems"] for c in response.get_json()["credentials"])


def test_only_the_applicant_may_ask_and_an_expired_request_is_refused(applied, db, login, make_client):
    other = make_client()
    login(other, make_user(db, email="other@example.jp"))
    assert other.post(f"/applications/{applied['application'].public_id}/presentation").status_code == 404
    assert applied["host"].post(f"/applications/{applied['application'].public_id}/presentation").status_code == 404
    vpr = ask(applied["client"], applied["application"])
    request = db.scalar(sa.select(PresentationRequest))
    request.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    response = applied["wallet_client"].post(endpoint(vpr), json={"verifiablePresentation": di(applied["wallet"], applied["copies"], vpr)})  # fmt: skip
    assert response.status_code == 400 and "有効期限" in response.get_json()["error_description"]


def test_an_import_by_presentation_keeps_the_verified_copies_as_imports(applied, db):
    page = applied["client"].get("/me/credentials/import").get_data(as_text=True)
    assert "ウォレットから取り込む" in page
    response = applied["client"].post("/me/credentials/presentation")
    assert response.status_code == 200
    vpr = request_from_page(response.get_data(as_text=True))
    wallet = applied["wallet"]
    token = presentation_jwt(applied["copies"], wallet.key, kid=wallet.header["kid"], holder=wallet.did,
                             challenge=vpr["challenge"], audience=vpr["domain"], now=utcnow())  # fmt: skip
    response = applied["wallet_client"].post(endpoint(vpr), data={"vp_token": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    imported = db.scalars(sa.select(ImportedCredential)).all()
    assert len(imported) == 2 and all(row.is_verified and row.recipient_matches for row in imported)
    assert {c["imported"] for c in response.get_json()["credentials"]} == {str(row.public_id) for row in imported}
