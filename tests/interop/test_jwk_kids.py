"""talentbank verifies VC-JWTs that jose signed with the key forms OB 3.0 §8.2.3 allows (issue 21).

The keys are served over HTTPS on loopback (issuer.test → 127.0.0.1, the loopback allowance the fetch
tests use); the app fetches them through `fetch.fetch_json` with its usual limits. Each token is pasted
into the public verify page, in Japanese and in English.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from badges import AchievementInput, CredentialInput, IssuerProfile, Recipient, build_credential
from badges.vc_jwt import expected_claims
from talentbank.credentials.fetch import fetch_json
from talentbank.db import utcnow
from tests.https_site import json_handler, serve_https
from tests.interop.test_interop import _node_or_skip, _run_node
from tests.web.test_fetch import HOST

CASES = {
    # token name -> (verified?, the sentence shown in Japanese, in English)
    "https-kid": (True, "この証明書は本物で、有効です。", None),
    "jwks-kid": (True, "この証明書は本物で、有効です。", None),
    "published-jwk-header": (True, "この証明書は本物で、有効です。", None),
    "wrong-key": (False, "電子署名が一致しません。", "signature does not match"),
    "unpublished-jwk": (False, "発行者が公開している鍵（DIDドキュメントまたは鍵セット）ではありません。",
                        "is not one the issuer publishes"),
    "unreachable-kid": (False, "発行者の公開鍵のURLにつながりませんでした", "public key URL could not be reached"),
}  # fmt: skip


@pytest.fixture(scope="module")
def key_site(tmp_path_factory):
    """HTTPS on 127.0.0.1 for issuer.test, serving what sign_jwk.mjs publishes; and the jose tokens."""
    node = _node_or_skip()
    documents: dict[str, object] = {}
    handler = json_handler(lambda path: (200, documents[path]) if path in documents else None)
    server, tls = serve_https(handler, HOST, tmp_path_factory.mktemp("jwk-tls"))
    origin = f"https://{HOST}:{server.server_port}"
    now = utcnow().replace(microsecond=0)
    credential = build_credential(
        CredentialInput(
            issuer=IssuerProfile(f"{origin}/issuer", "北海道高専 / Hokkaido KOSEN"),
            achievement=AchievementInput(id=f"{origin}/achievements/1", name="データ分析基礎",
                                         description="Pythonで集計できる。", criteria_narrative="講座を修了した。"),
            recipient=Recipient(email="learner@example.jp"),
            valid_from=now - timedelta(hours=1),
            id=f"{origin}/credentials/1",
        )
    )  # fmt: skip
    signed = _run_node(node, "sign_jwk.mjs", stdin=json.dumps(
        {"origin": origin, "credential": credential, "claims": expected_claims(credential)}, ensure_ascii=False))  # fmt: skip
    documents.update(signed["documents"])
    yield signed["tokens"], lambda url: fetch_json(url, resolve=lambda host, port: "127.0.0.1", tls=tls)
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name", list(CASES))
def test_jose_signed_vc_jwt_key_forms_on_the_verify_page(app, client, key_site, name):
    tokens, loopback_fetch = key_site
    verified, japanese, english = CASES[name]
    app.extensions["talentbank.fetch"] = loopback_fetch
    try:
        page = client.post("/verify", data={"credential": tokens[name]}).get_data(as_text=True)
        assert japanese in page
        assert ("この証明書は本物で、有効です。" in page) is verified
        if english:
            client.post("/locale", data={"locale": "en"})
            page = client.post("/verify", data={"credential": tokens[name]}).get_data(as_text=True)
            assert english in page
    finally:
        app.extensions.pop("talentbank.fetch", None)
