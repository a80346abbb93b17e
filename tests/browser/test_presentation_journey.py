"""Applying with a presentation in a real browser (#16): a learner with a badge in their wallet (taken over
OpenID4VCI by tests/interop/oid4vci_client.mjs) applies to a project, chooses 「ウォレットのバッジを応募に添える」,
and the test plays the wallet: tests/interop/present.mjs signs a presentation for the challenge and domain
the page shows (Digital Bazaar vc, eddsa-rdfc-2022) and the test posts it to the page's response endpoint.
The learner's result page and the host's project page then show the badge as verified."""

from __future__ import annotations

import json
import urllib.request

from sqlalchemy.orm import Session

from talentbank.credentials import achievements, issuers, issuing
from talentbank.credentials.inputs import AchievementInput, AwardInput
from talentbank.wallet.metadata import LDP_CONFIGURATION
from tests.browser.test_journeys import log_in
from tests.factories import add_member, make_organisation, make_profile, make_project, make_user
from tests.interop.test_interop import _node_or_skip, _run_node

LEARNER, HOST = "presenter@wallet.example.jp", "host@wallet.example.jp"


def _setup(app, base_url: str) -> tuple[str, str]:
    with Session(app.extensions["talentbank.engine"]) as session, app.test_request_context():
        teacher = make_user(session, email="kyoin@wallet.example.jp", display_name="高専 教員")
        kosen = make_organisation(session, owner=teacher, kind="school", verified=True, name="苫小牧工業高等専門学校")
        learner = make_user(session, email=LEARNER, display_name="苫小牧 太郎")
        make_profile(session, owner=learner)
        town = make_organisation(session, verified=True, name="白老町 デジタル推進係")
        add_member(session, town, make_user(session, email=HOST, display_name="白老 担当"))
        project = make_project(session, town, title="観光データの見える化")
        ctx = issuers.IssuerContext(base_url, app.extensions["talentbank.fernet"])
        issuers.setup_issuer(session, teacher, kosen, ctx)
        badge = achievements.create_achievement(session, teacher, kosen, AchievementInput(
            name="データ分析実践", description="データを分析できる。", criteria="課題を提出した。", tags="",
            expiry_months=None, proof_format="di", skill_code="dssp2-35", skill_level=2, skill_code_2="",
            skill_level_2=0))  # fmt: skip
        award = AwardInput(email=LEARNER, name="苫小牧 太郎", evidence_url="", narrative="")
        credential_id = issuing.issue_credential(session, teacher, badge, award, ctx).public_id
        session.commit()
        return str(credential_id), str(project.public_id)


def test_a_person_applies_with_a_presentation_and_the_host_sees_it_verified(browser, live_server):
    node = _node_or_skip()
    base_url, app = live_server
    credential_id, project_id = _setup(app, base_url)
    page = browser.new_context(locale="ja-JP").new_page()
    page.set_default_timeout(10_000)
    log_in(page, base_url, LEARNER)
    page.goto(f"{base_url}/credentials/{credential_id}")
    page.get_by_role("button", name="プロフィールに追加する").click()
    page.wait_for_url("**/people/**")
    page.goto(f"{base_url}/credentials/{credential_id}")
    page.locator("#wallet").get_by_role("button", name="ウォレットに追加").click()
    job = {"offer_uri": page.locator("#offer-uri").input_value(), "tx_code": page.locator("#tx-code").inner_text(),
           "key": "did:key", "export_key": True}  # fmt: skip
    (wallet,) = _run_node(node, "oid4vci_client.mjs", stdin=json.dumps({"jobs": [job]}))
    assert wallet["error"] is None, wallet["error"]

    page.goto(f"{base_url}/projects/{project_id}")
    page.get_by_label("メッセージ").fill("観光データの分析に参加したいです。")
    page.get_by_role("button", name="応募する").click()
    page.get_by_role("button", name="ウォレットのバッジを応募に添える").click()
    page.get_by_role("heading", name="ウォレットのバッジを提示：観光データの見える化").wait_for()
    assert page.get_by_label("ウォレット用のQRコード（提示の依頼）").locator("svg").is_visible()
    assert (
        page.get_by_role("link", name="ウォレットで開く（OpenID4VP）").get_attribute("href").startswith("openid4vp://")
    )
    page.get_by_text("DIDAuth（Verifiable Presentation Request）に対応したウォレットの場合").click()
    vpr = json.loads(page.locator("#vpr").inner_text())
    assert vpr["domain"] == base_url

    present = {"format": "di", "private_jwk": wallet["private_jwk"], "challenge": vpr["challenge"],
               "domain": vpr["domain"], "credentials": [wallet["credentials"][LDP_CONFIGURATION]]}  # fmt: skip
    (made,) = _run_node(node, "present.mjs", stdin=json.dumps({"jobs": [present]}))
    body = json.dumps({"verifiablePresentation": made["presentation"]}).encode()
    endpoint = page.locator("#response-uri").inner_text()
    posted = urllib.request.Request(endpoint, data=body, headers={"Content-Type": "application/json"})  # noqa: S310
    with urllib.request.urlopen(posted, timeout=30) as response:  # noqa: S310 - the app on loopback
        assert json.loads(response.read())["verified"] is True

    page.get_by_role("link", name="提示の結果を見る").click()
    page.get_by_role("heading", name="提示の結果").wait_for()
    assert page.locator("#presentation-status").inner_text() == "提示されたバッジをすべて確認できました。"
    assert "データ分析実践" in page.locator(".presented-badges").inner_text()
    page.context.close()

    host = browser.new_context(locale="ja-JP").new_page()
    host.set_default_timeout(10_000)
    log_in(host, base_url, HOST)
    host.goto(f"{base_url}/projects/{project_id}")
    row = host.locator("table tbody tr", has_text="苫小牧 太郎")
    assert "確認済み" in row.locator(".presented-badges").inner_text()
    assert "データ分析実践" in row.inner_text()
    host.context.close()
