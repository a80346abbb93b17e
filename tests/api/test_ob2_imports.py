"""Importing Open Badges 2.0 badges through the API (#16): the import endpoint takes the hosted assertion's URL,
a signed assertion (JWS) or a baked image; a badge that fails a check is an RFC 9457 422 with the reason on the
field it came in, and nothing is saved."""

from __future__ import annotations

import io
import json

import sqlalchemy as sa

from talentbank.models import ImportedCredential
from tests.api.conftest import bearer
from tests.factories import make_profile, make_user
from tests.ob2_site import (
    DSS_SKILL,
    HOSTED_URL,
    Ob2Site,
    baked_png,
    example,
    ob2_server,  # noqa: F401 (a fixture)
    ob2_site,  # noqa: F401 (a fixture)
)

PATH = "/api/v1/me/credentials/imported"
EMAIL = "beth@example.jp"


def _person(db, make_token, site: Ob2Site) -> str:
    user = make_user(db, email=EMAIL)
    make_profile(db, owner=user)
    site.reset(EMAIL)
    return make_token(user)


def test_hosted_url_signed_jws_and_baked_png_are_imported(client, db, make_token, ob2_site):  # noqa: F811
    secret = _person(db, make_token, ob2_site)
    response = client.post(PATH, json={"credential": HOSTED_URL}, headers=bearer(secret))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["format"], body["counts"], body["verification"]["verified"]) == ("ob2", True, True)
    assert body["skills"] == [{"code": DSS_SKILL, "level": 1}]
    assert [a["name"] for a in body["other_alignments"]] == ["CCSS.ELA-Literacy.RST.11-12.3", "Problem-Solving"]
    token = ob2_site.signed(EMAIL)
    assert client.post(PATH, json={"credential": token}, headers=bearer(secret)).status_code == 201
    png = baked_png(ob2_site.signed(EMAIL, id="urn:uuid:7d4f2a7e-1c7e-4f7a-9d0b-5d8c1f3a2b61"))
    response = client.post(PATH, data={"image": (io.BytesIO(png), "badge.png")}, headers=bearer(secret),
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 201, response.get_json()
    listed = client.get(PATH, headers=bearer(secret)).get_json()["items"]
    assert [i["format"] for i in listed] == ["ob2", "ob2", "ob2"]


def test_refused_badges_are_a_422_with_the_reason_and_nothing_is_saved(client, db, make_token, ob2_site):  # noqa: F811
    secret = _person(db, make_token, ob2_site)
    ob2_site.publish(HOSTED_URL, Ob2Site.assertion(EMAIL))  # the spec's example as published: expired in 2017
    cases = [
        ({"credential": HOSTED_URL}, "有効期限が切れています"),
        ({"credential": ob2_site.signed("other@example.jp")}, "メールアドレスと一致しません"),
        ({"credential": ob2_site.signed(EMAIL)[:-8] + "AAAAAAAA"}, "電子署名が一致しません"),
        ({"credential": Ob2Site.assertion(EMAIL, verification={"type": "SignedBadge"})}, "署名（JWS）のまま"),
    ]
    for body, reason in cases:
        response = client.post(PATH, json=body, headers=bearer(secret))
        assert response.status_code == 422, response.get_data(as_text=True)
        problem = response.get_json()
        assert response.mimetype == "application/problem+json"
        assert reason in problem["detail"] and reason in problem["fields"]["credential"]
    ob2_site.publish(HOSTED_URL, example("revoked-hosted-assertion"), 410)
    response = client.post(PATH, json={"credential": HOSTED_URL}, headers=bearer(secret))
    assert response.status_code == 422 and "取り消されています" in response.get_json()["detail"]
    assert db.scalar(sa.select(sa.func.count()).select_from(ImportedCredential)) == 0


def test_the_openapi_document_says_ob2_badges_are_accepted(client):
    document = client.get("/api/v1/openapi.json").get_json()
    text = json.dumps(document)
    assert "Open Badges 2.0" in text and "other_alignments" in text
