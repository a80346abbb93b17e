"""Importing Open Badges 2.0 badges on the import page (#16): by the hosted assertion's URL, a baked PNG or SVG
(baked by 1EdTech's own openbadges-bakery, not by us) or a pasted signed assertion (JWS, RS256), each checked
by the OB 2.0 rules against the spec's examples served on loopback; every refusal says why and saves nothing;
the daily refresh re-checks them."""

from __future__ import annotations

import base64
import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import rsa

from talentbank.credentials import imports, issuers, ob2
from talentbank.db import utcnow
from talentbank.errors import Invalid, NotFound
from talentbank.models import ImportedCredential, ProfileSkill, SkillSource
from tests.factories import make_profile, make_user
from tests.ob2_site import (
    DSS_SKILL,
    FUTURE,
    HOSTED_URL,
    ISSUER_URL,
    REVOCATION_URL,
    Ob2Site,
    baked_png,
    baked_svg,
    example,
    ob2_server,  # noqa: F401 (a fixture)
    ob2_site,  # noqa: F401 (a fixture)
    png_bytes,
)

EMAIL = "beth@example.jp"
PAGE = "/me/credentials/import"


def imported_rows(db) -> list[ImportedCredential]:
    db.expire_all()
    return list(db.scalars(sa.select(ImportedCredential)))


def badge_skills(db) -> list[str]:
    return [s.skill_code for s in db.scalars(sa.select(ProfileSkill).where(ProfileSkill.source == SkillSource.BADGE))]


@pytest.fixture
def person(db, client, login, ob2_site):  # noqa: F811
    user = make_user(db, email=EMAIL)
    make_profile(db, owner=user)
    login(client, user)
    ob2_site.reset(EMAIL)
    return user


def test_a_hosted_badge_by_its_url_counts_its_dss_alignment_and_shows_the_others(client, db, person, ob2_site):  # noqa: F811
    page = client.get(PAGE).get_data(as_text=True)
    assert 'name="assertion_url"' in page and "Open Badges 2.0" in page
    response = client.post(PAGE, data={"assertion_url": HOSTED_URL})
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "検証に成功しました" in page and "Problem-Solving" in page
    [row] = imported_rows(db)
    assert (row.badge_format, row.raw, row.counts) == ("ob2", HOSTED_URL, True)
    assert row.skills == [{"code": DSS_SKILL, "level": 1}]
    assert [a["name"] for a in row.other_alignments] == ["CCSS.ELA-Literacy.RST.11-12.3", "Problem-Solving"]
    assert (row.achievement_name, row.issuer_name) == ("Awesome Robotics Badge", "An Example Badge Issuer")
    assert badge_skills(db) == [DSS_SKILL]
    fetched = {"/beths-robotics-badge.json", "/robotics-badge.json", "/organization.json"}
    assert fetched <= set(ob2_site.requests)  # through the app's fetcher, over HTTPS on loopback
    profile = client.get(f"/people/{row.profile.public_id}").get_data(as_text=True)
    assert "Awesome Robotics Badge" in profile and "Open Badges 2.0" in profile and "Problem-Solving" in profile
    again = client.post(PAGE, data={"assertion_url": HOSTED_URL})
    assert again.status_code == 422 and "すでに取り込んでいます" in again.get_data(as_text=True)
    assert len(imported_rows(db)) == 1


def test_baked_png_and_svg_and_a_pasted_jws_are_imported(client, db, person, ob2_site):  # noqa: F811
    hosted = json.dumps(Ob2Site.assertion(EMAIL, expires=FUTURE))
    token = ob2_site.signed(EMAIL)
    png = client.post(PAGE, data={"image": (io.BytesIO(baked_png(hosted)), "badge.png")},
                      content_type="multipart/form-data")  # fmt: skip
    assert png.status_code == 200, png.get_data(as_text=True)
    svg = client.post(PAGE, data={"image": (io.BytesIO(baked_svg(token)), "badge.svg")},
                      content_type="multipart/form-data")  # fmt: skip
    assert svg.status_code == 200, svg.get_data(as_text=True)
    rows = imported_rows(db)
    assert [r.raw for r in rows] == [HOSTED_URL, token] and all(r.counts for r in rows)
    other = ob2_site.signed(EMAIL, id="urn:uuid:0b1c5f3e-6a0d-4c59-9f1e-2a7d7c3b9e10")
    pasted = client.post(PAGE, data={"credential": other})
    assert pasted.status_code == 200, pasted.get_data(as_text=True)
    assert len(imported_rows(db)) == 3 and badge_skills(db) == [DSS_SKILL]


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["badge"] = "https://example.org/robotics-badge.json"
    claims["evidence"] = "https://example.org/someone-elses-work.html"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _revoke_signed(site: Ob2Site) -> str:
    listing = example("revocation-list")
    listing["revokedAssertions"].append(
        {"id": "urn:uuid:a953081a-4bbd-4927-9653-7219bca00e3b", "revocationReason": "x"}
    )
    site.publish(REVOCATION_URL, listing)
    return site.signed(EMAIL)


def _hosted(site: Ob2Site, document: dict, status: int = 200, url: str = HOSTED_URL) -> str:
    site.publish(url, document, status)
    return HOSTED_URL


def _outside_allowed_origins(site: Ob2Site) -> str:
    site.publish(ISSUER_URL, {**example("issuer"), "verification": {"allowedOrigins": "badges.example.net"}})
    return HOSTED_URL


def _other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


REFUSALS = {
    # the spec's own example assertion as published: it expired on 2017-06-30
    "expired": (lambda s: _hosted(s, Ob2Site.assertion(EMAIL)), "有効期限が切れています"),
    "revoked (revoked: true)": (lambda s: _hosted(s, example("revoked-hosted-assertion")), "取り消されています"),
    "revoked (410 Gone)": (lambda s: _hosted(s, example("revoked-hosted-assertion"), 410), "取り消されています"),
    "wrong recipient": (
        lambda s: _hosted(s, Ob2Site.assertion("other@example.jp", expires=FUTURE)),
        "メールアドレスと一致しません",
    ),
    "id is not the URL": (
        lambda s: _hosted(s, Ob2Site.assertion(EMAIL, id="https://example.org/b.json", expires=FUTURE)),
        "取得したURLと一致しません",
    ),
    "outside allowedOrigins": (_outside_allowed_origins, "発行者の認めたサイト"),
    "not found": (lambda s: "https://example.org/no-such-badge.json", "取得できませんでした"),
    "tampered signed": (lambda s: _tampered(s.signed(EMAIL)), "電子署名が一致しません"),
    "signed by another key": (lambda s: s.signed(EMAIL, key=_other_key()), "電子署名が一致しません"),
    "signed, revoked in the list": (_revoke_signed, "取り消されています"),
    "signed, expired": (lambda s: s.signed(EMAIL, expires="2017-06-30T23:59:59Z"), "有効期限が切れています"),
    "signed, wrong recipient": (lambda s: s.signed("other@example.jp"), "メールアドレスと一致しません"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_each_refusal_says_why_and_saves_nothing(client, db, person, ob2_site, case):  # noqa: F811
    prepare, reason = REFUSALS[case]
    submitted = prepare(ob2_site)
    field = "assertion_url" if submitted.startswith("https://") else "credential"
    response = client.post(PAGE, data={field: submitted})
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    assert "このバッジは取り込めません" in page and reason in page
    assert imported_rows(db) == [] and badge_skills(db) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "ファイルから証明書を読み取れませんでした"),  # a PNG that is not one
        (None, "埋め込まれていません"),  # a real PNG with nothing baked in
        (b"<svg xmlns='http://www.w3.org/2000/svg'><!ENTITY x 'y'></svg>", "ファイルから証明書を読み取れませんでした"),
    ],
)
def test_a_bad_image_is_a_form_error_and_nothing_is_saved(client, db, person, data, message):
    image = (io.BytesIO(data if data is not None else png_bytes()), "badge.png")
    response = client.post(PAGE, data={"image": image}, content_type="multipart/form-data")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert imported_rows(db) == []


def test_an_unconfirmed_address_or_another_profile_cannot_import(app, db, ob2_site):  # noqa: F811
    unconfirmed = make_user(db, email="new@example.jp", verified=False)
    ob2_site.reset("new@example.jp")
    ctx = issuers.IssuerContext(base_url="http://localhost", fernet=app.extensions["talentbank.fernet"],
                                fetch=ob2_site.fetch)  # fmt: skip
    with pytest.raises(Invalid, match="メールアドレスの確認"):
        ob2.import_ob2(db, unconfirmed, make_profile(db, owner=unconfirmed), HOSTED_URL, ctx)
    owner = make_user(db)
    with pytest.raises(NotFound):
        ob2.import_ob2(db, make_user(db), make_profile(db, owner=owner), HOSTED_URL, ctx)
    assert imported_rows(db) == []


def test_the_daily_refresh_rechecks_ob2_imports(app, db, ob2_site):  # noqa: F811
    person = make_user(db, email=EMAIL)
    profile = make_profile(db, owner=person)
    ob2_site.reset(EMAIL)
    ctx = issuers.IssuerContext(base_url="http://localhost", fernet=app.extensions["talentbank.fernet"],
                                fetch=ob2_site.fetch)  # fmt: skip
    now = utcnow()
    hosted, _ = imports.import_credential(db, person, profile, HOSTED_URL, ctx, now=now)
    signed, _ = imports.import_credential(db, person, profile, ob2_site.signed(EMAIL), ctx, now=now)
    assert hosted.counts and signed.counts and badge_skills(db) == [DSS_SKILL]

    summary = imports.refresh_credentials(db, ctx, now=now + timedelta(days=1))
    assert (summary.checked, summary.still_counting) == (2, 2)

    del ob2_site.documents["/organization.json"]  # the issuer's site is down: the verdict is kept a while
    assert imports.refresh_credentials(db, ctx, now=now + timedelta(days=2)).unreachable == 2
    ob2_site.reset(EMAIL)
    ob2_site.publish(HOSTED_URL, example("revoked-hosted-assertion"), 410)
    _revoke_signed(ob2_site)
    summary = imports.refresh_credentials(db, ctx, now=now + timedelta(days=3))
    assert (summary.checked, summary.stopped_counting, summary.profiles_changed) == (2, 2, 1)
    assert not hosted.counts and hosted.check_codes == ["revoked"] and signed.check_codes == ["revoked"]
    assert badge_skills(db) == []
