"""The public verify page takes Open Badges 2.0 badges too (#16): a hosted assertion by its URL, or a signed
assertion (JWS), checked by the OB 2.0 rules against the spec's examples served on loopback, for anyone (no
recipient to expect); a revoked or expired one is shown as not verified, with why."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale

from talentbank.db import utcnow
from tests.ob2_site import (  # noqa: F401 (fixtures)
    HOSTED_URL,
    ob2_server,
    ob2_site,
)

PAGE = "/verify"


def test_a_hosted_badge_by_its_url_verifies_for_anyone(client, ob2_site):  # noqa: F811
    ob2_site.reset("beth@example.jp")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'name="assertion_url"' in page
    response = client.post(PAGE, data={"assertion_url": HOSTED_URL})
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "この証明書は本物で、有効です。" in page and "Open Badges 2.0" in page
    assert "recipient_matches" not in page  # nobody to expect on the public page


def test_a_pasted_signed_assertion_verifies_and_an_expired_one_does_not(client, ob2_site):  # noqa: F811
    ob2_site.reset("beth@example.jp")
    response = client.post(PAGE, data={"credential": ob2_site.signed("beth@example.jp")})
    assert response.status_code == 200
    assert "この証明書は本物で、有効です。" in response.get_data(as_text=True)
    expired = ob2_site.signed("beth@example.jp", expires=(utcnow() - timedelta(days=1)).isoformat())
    with force_locale("en"):
        response = client.post(PAGE, data={"credential": expired})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "この証明書は確認できませんでした。" in page and "expired" in page
