"""Into a wallet in a real browser (#16): a learner claims a badge, opens 「ウォレットに追加」 with the
transaction code on, an independent OpenID4VCI client (tests/interop/oid4vci_client.mjs, on
`@openid4vc/openid4vci`) plays the wallet with the offer URI and the code the page shows, and the
badge's page then lists both deliveries with the wallet's key."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from talentbank.credentials import achievements, issuers, issuing
from talentbank.credentials.inputs import AchievementInput, AwardInput
from talentbank.wallet.metadata import JWT_CONFIGURATION, LDP_CONFIGURATION
from tests.browser.test_journeys import log_in
from tests.factories import make_organisation, make_profile, make_user
from tests.interop.test_interop import _node_or_skip, _run_node

LEARNER = "holder@wallet.example.jp"


def test_a_learner_puts_a_claimed_badge_into_a_wallet_and_sees_the_delivery(browser, live_server):
    node = _node_or_skip()
    base_url, app = live_server
    with Session(app.extensions["talentbank.engine"]) as session, app.test_request_context():
        teacher = make_user(session, email="sensei@wallet.example.jp", display_name="高専 教員")
        kosen = make_organisation(session, owner=teacher, kind="school", verified=True, name="釧路工業高等専門学校")
        learner = make_user(session, email=LEARNER, display_name="釧路 花子")
        make_profile(session, owner=learner)
        ctx = issuers.IssuerContext(base_url, app.extensions["talentbank.fernet"])
        issuers.setup_issuer(session, teacher, kosen, ctx)
        badge = achievements.create_achievement(session, teacher, kosen, AchievementInput(
            name="データ可視化入門", description="データをグラフにできる。", criteria="課題を提出した。", tags="",
            expiry_months=None, proof_format="di", skill_code="dssp2-35", skill_level=2, skill_code_2="",
            skill_level_2=0))  # fmt: skip
        award = AwardInput(email=LEARNER, name="釧路 花子", evidence_url="", narrative="")
        credential_id = issuing.issue_credential(session, teacher, badge, award, ctx).public_id
        session.commit()

    page = browser.new_context(locale="ja-JP").new_page()
    page.set_default_timeout(10_000)
    log_in(page, base_url, LEARNER)
    page.goto(f"{base_url}/credentials/{credential_id}")
    page.get_by_role("button", name="プロフィールに追加する").click()
    page.wait_for_url("**/people/**")
    page.goto(f"{base_url}/credentials/{credential_id}")
    wallet_section = page.locator("#wallet")
    assert wallet_section.get_by_role("radio", name="使う", exact=False).is_checked()
    assert not wallet_section.get_by_text("ウォレットへの送付").is_visible()
    wallet_section.get_by_role("button", name="ウォレットに追加").click()
    page.get_by_role("heading", name="ウォレットに追加：データ可視化入門").wait_for()
    assert page.get_by_label("ウォレット用のQRコード").locator("svg").is_visible()
    offer_uri = page.locator("#offer-uri").input_value()
    assert page.get_by_role("link", name="ウォレットで開く").get_attribute("href") == offer_uri
    tx_code = page.locator("#tx-code").inner_text()

    job = {"offer_uri": offer_uri, "tx_code": tx_code, "key": "did:key"}
    (run,) = _run_node(node, "oid4vci_client.mjs", stdin=json.dumps({"jobs": [job]}))
    assert run["error"] is None, run["error"]
    assert set(run["credentials"]) == {JWT_CONFIGURATION, LDP_CONFIGURATION}
    assert run["credentials"][LDP_CONFIGURATION]["credentialSubject"]["id"] == run["holder_did"]

    page.get_by_role("link", name="バッジのページに戻る（送付の記録を見る）").click()
    page.get_by_role("heading", name="ウォレットへの送付").wait_for()
    rows = page.locator("table.deliveries tbody tr")
    assert rows.count() == 2
    assert {rows.nth(i).locator("td").nth(1).inner_text() for i in range(2)} == {JWT_CONFIGURATION, LDP_CONFIGURATION}
    assert run["holder_did"][:40] in rows.first.locator("code").inner_text()
    page.context.close()
