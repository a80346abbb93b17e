"""Issuing, claiming, verifying and revoking Open Badges 3.0 credentials through the app."""

import json
import re

import jwt
import pytest
import sqlalchemy as sa

import badges
from talentbank.models import Achievement, Credential, IssuerKey, ProfileSkill, SkillSource
from tests.factories import add_member, make_organisation, make_profile, make_user
from tests.web.helpers import outbox

ACHIEVEMENT = {
    "name": "データ分析基礎（Python）",
    "description": "Pythonでデータを集計・可視化できる。",
    "criteria": "30時間の講座を修了し、課題を提出した。",
    "tags": "python, データ分析",
    "expiry_months": "",
    "proof_format": "jwt",
    "skill_code": "dssp2-35",
    "skill_level": "2",
    "skill_code_2": "",
    "skill_level_2": "1",
}


@pytest.fixture
def school(db):
    return make_organisation(db, kind="school", verified=True, name="道北工業高等専門学校")


def setup_issuer(client, login, school):
    login(client, school.memberships[0].user)
    assert client.post(f"/orgs/{school.public_id}/issuer").status_code == 302


def create_achievement(client, school, **changes) -> str:
    response = client.post(f"/orgs/{school.public_id}/achievements/new", data={**ACHIEVEMENT, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def award(client, achievement_id: str, email="learner@example.jp", name="学習 太郎") -> str:
    response = client.post(
        f"/achievements/{achievement_id}/award",
        data={"email": email, "name": name, "evidence_url": "https://example.jp/work"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


@pytest.mark.parametrize("proof_format", ["jwt", "di"])
def test_issue_claim_and_the_skill_becomes_badge_verified(client, db, login, make_client, school, proof_format):
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school, proof_format=proof_format)
    credential_id = award(client, achievement_id)
    credential = db.scalar(sa.select(Credential))
    assert credential.proof_format.value == proof_format
    assert "learner@example.jp" not in json.dumps(credential.document)
    assert "learner@example.jp" not in (credential.jwt or "")
    assert credential.document["id"] == f"http://localhost/credentials/{credential_id}"
    assert credential.document["credentialStatus"]["statusListIndex"] == str(credential.status_index)
    assert badges.schema_errors(credential.document) == []
    [message] = outbox(db, "learner@example.jp")
    assert f"/credentials/{credential_id}" in message.body_text

    page = client.get(f"/credentials/{credential_id}").get_data(as_text=True)
    assert "この証明書は本物で、有効です。" in page and "学習 太郎" in page

    learner = make_user(db, email="learner@example.jp")
    profile = make_profile(db, owner=learner, skills={"dssp2-35": 1})
    learner_client = make_client()
    login(learner_client, learner)
    response = learner_client.post(f"/credentials/{credential_id}/claim")
    assert response.status_code == 302
    db.expire_all()
    entries = {(s.skill_code, s.source): s for s in db.scalars(sa.select(ProfileSkill))}
    badge_entry = entries[("dssp2-35", SkillSource.BADGE)]
    assert badge_entry.level == 2 and badge_entry.evidence_url == f"/credentials/{credential_id}"
    assert ("dssp2-35", SkillSource.SELF) in entries
    profile_page = learner_client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert "バッジで検証" in profile_page and f"/credentials/{credential_id}" in profile_page


@pytest.mark.parametrize("proof_format", ["jwt", "di"])
def test_a_vc_jwt_document_is_stored_once_in_its_jwt(client, db, login, school, proof_format):
    setup_issuer(client, login, school)
    credential_id = award(client, create_achievement(client, school, proof_format=proof_format))
    credential = db.scalar(sa.select(Credential))
    stored = db.scalar(sa.select(Credential.__table__.c.document))
    if proof_format == "jwt":
        assert stored is None
        payload = jwt.decode(credential.jwt, options={"verify_signature": False})
        claims = ("iss", "jti", "nbf", "sub", "exp")
        assert credential.document == {name: value for name, value in payload.items() if name not in claims}
    else:
        assert stored == credential.document and "proof" in stored
    assert credential.document["id"] == f"http://localhost/credentials/{credential_id}"
    downloaded = client.get(f"/credentials/{credential_id}/credential.json").get_data(as_text=True)
    assert json.loads(downloaded) == credential.document


def test_claim_requires_the_recipients_address(client, db, login, make_client, school):
    setup_issuer(client, login, school)
    credential_id = award(client, create_achievement(client, school))
    other = make_user(db, email="someone-else@example.jp")
    make_profile(db, owner=other)
    other_client = make_client()
    login(other_client, other)
    assert other_client.post(f"/credentials/{credential_id}/claim").status_code == 422
    assert db.scalar(sa.select(Credential)).profile_id is None


def test_revoke_shows_everywhere_and_withdraws_the_skill(client, db, login, make_client, school):
    setup_issuer(client, login, school)
    credential_id = award(client, create_achievement(client, school))
    learner = make_user(db, email="learner@example.jp")
    make_profile(db, owner=learner)
    learner_client = make_client()
    login(learner_client, learner)
    learner_client.post(f"/credentials/{credential_id}/claim")
    assert db.scalar(sa.select(ProfileSkill).where(ProfileSkill.source == SkillSource.BADGE)) is not None

    response = client.post(f"/credentials/{credential_id}/revoke", data={"reason": "誤発行"})
    assert response.status_code == 302
    page = client.get(f"/credentials/{credential_id}").get_data(as_text=True)
    assert "取り消されました" in page and "発行者によって取り消されています。" in page
    assert db.scalar(sa.select(ProfileSkill).where(ProfileSkill.source == SkillSource.BADGE)) is None
    # the public status list says so too
    credential = db.scalar(sa.select(Credential))
    status = client.get(f"/status/{credential.status_list.public_id}").get_json()
    bits = badges.decode_bitstring(status["credentialSubject"]["encodedList"])
    assert badges.get_bit(bits, credential.status_index)


def test_only_members_of_a_verified_issuer_may_issue(client, db, login, make_client, school):
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    outsider = make_user(db)
    outsider_client = make_client()
    login(outsider_client, outsider)
    response = outsider_client.post(
        f"/achievements/{achievement_id}/award", data={"email": "x@example.jp", "name": "x"}
    )
    assert response.status_code == 403
    assert outsider_client.post(f"/orgs/{school.public_id}/achievements/new", data=ACHIEVEMENT).status_code == 403
    member = make_user(db)
    add_member(db, school, member)
    member_client = make_client()
    login(member_client, member)
    assert member_client.post(f"/orgs/{school.public_id}/issuer/rotate").status_code == 403  # owners only
    award(member_client, achievement_id)  # members may award
    unverified = make_organisation(db, kind="school")
    login(outsider_client, unverified.memberships[0].user)
    assert outsider_client.post(f"/orgs/{unverified.public_id}/issuer").status_code == 403
    assert db.scalar(sa.select(sa.func.count()).select_from(Credential)) == 1


def test_bad_achievement_and_award_input_saves_nothing(client, db, login, school):
    setup_issuer(client, login, school)
    for change in [
        {"skill_code": "nonsense"},
        {"skill_code": ""},
        {"name": ""},
        {"expiry_months": "0"},
        {"skill_code_2": "dssp2-35"},
        {"proof_format": "none"},
    ]:
        response = client.post(f"/orgs/{school.public_id}/achievements/new", data={**ACHIEVEMENT, **change})
        assert response.status_code == 422, change
    assert db.scalar(sa.select(sa.func.count()).select_from(Achievement)) == 0
    achievement_id = create_achievement(client, school)
    for form in [
        {"email": "bad", "name": "x"},
        {"email": "a@example.jp", "name": ""},
        {"email": "a@example.jp", "name": "x", "evidence_url": "javascript:alert(1)"},
    ]:
        assert client.post(f"/achievements/{achievement_id}/award", data=form).status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(Credential)) == 0


def test_key_rotation_keeps_old_credentials_valid_and_compromise_breaks_them(client, db, login, school):
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    before = award(client, achievement_id)
    client.post(f"/orgs/{school.public_id}/issuer/rotate")
    after = award(client, achievement_id)
    for credential_id in (before, after):
        assert "この証明書は本物で、有効です。" in client.get(f"/credentials/{credential_id}").get_data(as_text=True)
    did = client.get(f"/issuers/{school.public_id}/did.json").get_json()
    assert len(did["assertionMethod"]) == 4  # two keys, each as Multikey and JWK
    client.post(f"/orgs/{school.public_id}/issuer/rotate", data={"compromised": "1"})
    assert "この証明書は確認できませんでした。" in client.get(f"/credentials/{after}").get_data(as_text=True)
    assert "この証明書は本物で、有効です。" in client.get(f"/credentials/{before}").get_data(as_text=True)
    keys = db.scalars(sa.select(IssuerKey)).all()
    assert all(key.private_key_encrypted[:1] == b"g" for key in keys)  # Fernet tokens, never raw keys


def test_verify_page_and_api_for_pasted_and_baked_credentials(client, db, login, make_client, school):
    setup_issuer(client, login, school)
    credential_id = award(client, create_achievement(client, school))
    visitor = make_client()
    token = visitor.get(f"/credentials/{credential_id}/credential.jwt").get_data(as_text=True)
    page = visitor.post("/verify", data={"credential": token}).get_data(as_text=True)
    assert "この証明書は本物で、有効です。" in page and "電子署名は正しく" in page

    png = visitor.get(f"/credentials/{credential_id}/badge.png").data
    assert badges.extract_png(png) == token
    from io import BytesIO

    page = visitor.post(
        "/verify", data={"image": (BytesIO(png), "badge.png")}, content_type="multipart/form-data"
    ).get_data(as_text=True)
    assert "この証明書は本物で、有効です。" in page
    svg = visitor.get(f"/credentials/{credential_id}/badge.svg").data
    api = visitor.post(
        "/api/v1/verify", data={"image": (BytesIO(svg), "badge.svg")}, content_type="multipart/form-data"
    )
    assert api.status_code == 200 and api.get_json()["verified"] is True

    result = visitor.post("/api/v1/verify", json={"credential": token}).get_json()
    assert result["verified"] is True
    assert [c["check"] for c in result["checks"]][:2] == ["parse", "schema"]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    result = visitor.post("/api/v1/verify", json={"credential": tampered}).get_json()
    assert result["verified"] is False


def test_verify_bad_input_is_a_clear_4xx(client):
    assert client.post("/api/v1/verify", json={"nope": 1}).status_code == 422
    assert client.post("/api/v1/verify", data="not json", content_type="application/json").status_code == 400
    assert client.post("/api/v1/verify", json={"credential": 5}).status_code == 422
    body = client.post("/api/v1/verify", json={"credential": "garbage"}).get_json()
    assert body["verified"] is False and body["checks"][0]["code"] in {"parse_error", "jwt_malformed"}
    from io import BytesIO

    response = client.post(
        "/api/v1/verify", data={"image": (BytesIO(b"not an image"), "x.png")}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and response.get_json()["code"] == "invalid"
    page = client.post("/verify", data={"credential": ""})
    assert page.status_code == 422


def _upload(client, path: str, data: bytes, filename: str, *, api_headers=None):
    from io import BytesIO

    return client.post(
        path, data={"image": (BytesIO(data), filename)}, content_type="multipart/form-data", headers=api_headers or {}
    )


def _credential_files(client, db, login, make_client, school) -> dict[str, tuple[bytes, str]]:
    """What a holder downloads from the credential pages: the signed JSON (Data Integrity), the VC-JWT
    and both baked images, each named as the download names it."""
    setup_issuer(client, login, school)
    di_id = award(client, create_achievement(client, school, proof_format="di"), email="owner@example.jp")
    jwt_id = award(client, create_achievement(client, school, name="クラウド基礎"), email="owner@example.jp")
    visitor = make_client()
    return {
        "json": (visitor.get(f"/credentials/{di_id}/credential.json").data, "credential.json"),
        "jwt": (visitor.get(f"/credentials/{jwt_id}/credential.jwt").data, "credential.jwt"),
        "png": (visitor.get(f"/credentials/{jwt_id}/badge.png").data, "badge.png"),
        "svg": (visitor.get(f"/credentials/{di_id}/badge.svg").data, "badge.svg"),
    }


GARBAGE_FILES = [
    (b"\x00\x01\x02\xff not a credential", "credential.json", "ファイルから証明書を読み取れませんでした"),
    ("メモ：あとで提出する".encode(), "credential.jwt", "ファイルから証明書を読み取れませんでした"),
    (b'{"unterminated": ', "credential.json", "ファイルのJSONを読み取れませんでした"),
    (b'{"a":' * 100_000, "credential.json", "ファイルのJSONを読み取れませんでした"),  # deeper than the parser goes
    (b"\x89PNG\r\n\x1a\n broken", "badge.png", "ファイルから証明書を読み取れませんでした"),
    (b"MZ\x90\x00", "setup.exe", "バッジ画像（PNG・SVG）か、証明書のファイル（JSON・JWT）を選んでください。"),
]


def test_verify_page_reads_json_jwt_png_and_svg_files(client, db, login, make_client, school):
    files = _credential_files(client, db, login, make_client, school)
    visitor = make_client()
    for kind, (data, filename) in files.items():
        response = _upload(visitor, "/verify", data, filename)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "この証明書は本物で、有効です。" in page, kind
        assert ("クラウド基礎" if kind in {"jwt", "png"} else ACHIEVEMENT["name"]) in page, kind
        api = _upload(visitor, "/api/v1/verify", data, filename)
        assert api.status_code == 200 and api.get_json()["verified"] is True, kind
    # The name does not decide: the JWT saved as .json is still read as a JWT.
    assert _upload(visitor, "/api/v1/verify", files["jwt"][0], "saved.json").get_json()["verified"] is True


@pytest.mark.parametrize(("data", "filename", "message"), GARBAGE_FILES)
def test_verify_page_and_api_refuse_files_with_no_credential(client, data, filename, message):
    response = _upload(client, "/verify", data, filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'class="field-error"' in page and "検証結果" not in page
    api = _upload(client, "/api/v1/verify", data, filename)
    assert api.status_code == 422 and api.mimetype == "application/problem+json"
    assert "image" in api.get_json()["fields"]


def test_a_badge_image_without_a_credential_says_so(client, db, login, school):
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    plain = client.get(f"/achievements/{achievement_id}/image.png").data
    response = _upload(client, "/verify", plain, "badge.png")
    assert response.status_code == 422
    assert "この画像には証明書が埋め込まれていません。" in response.get_data(as_text=True)


def test_import_reads_json_jwt_png_and_svg_files(client, db, login, make_client, school):
    from talentbank.models import ImportedCredential

    files = _credential_files(client, db, login, make_client, school)
    person = make_user(db, email="owner@example.jp")
    make_profile(db, owner=person)
    importer = make_client()
    login(importer, person)
    for kind, (data, filename) in files.items():
        response = _upload(importer, "/me/credentials/import", data, filename)
        assert response.status_code == 200, kind
        assert "検証に成功しました" in response.get_data(as_text=True), kind
    imported = db.scalars(sa.select(ImportedCredential).order_by(ImportedCredential.id)).all()
    assert [i.counts for i in imported] == [True] * 4
    assert [i.achievement_name for i in imported] == [ACHIEVEMENT["name"], "クラウド基礎", "クラウド基礎",
                                                     ACHIEVEMENT["name"]]  # fmt: skip


@pytest.mark.parametrize(("data", "filename", "message"), GARBAGE_FILES)
def test_import_refuses_files_with_no_credential_and_saves_nothing(client, db, login, data, filename, message):
    from talentbank.models import ImportedCredential

    person = make_user(db)
    make_profile(db, owner=person)
    login(client, person)
    response = _upload(client, "/me/credentials/import", data, filename)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(ImportedCredential)) == 0


def test_status_list_failure_is_unknown_never_valid(app, client):
    """A foreign credential whose status list cannot be fetched is never reported valid."""
    from datetime import UTC, datetime, timedelta

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    issuer = badges.did_key(key.public_key())
    unsigned = badges.build_credential(
        badges.CredentialInput(
            issuer=badges.IssuerProfile(id=issuer, name="Elsewhere University"),
            achievement=badges.AchievementInput(
                id="https://elsewhere.example/a/1", name="GIS", description="GIS", criteria_narrative="Passed."
            ),
            recipient=badges.Recipient(email="someone@example.jp"),
            valid_from=datetime.now(UTC) - timedelta(days=1),
            id="urn:uuid:6f1c3a4e-9a53-4bd6-8f55-0d3b1f1d2b77",
            status=badges.StatusEntry(status_list_credential="https://elsewhere.example/status/1", status_list_index=7),
        )
    )
    token = badges.sign_jwt(unsigned, key, kid=badges.did_key_verification_method(key.public_key()))
    fetched = []

    def unreachable(url):
        fetched.append(url)
        raise OSError("unreachable")

    app.extensions["talentbank.fetch"] = unreachable
    try:
        result = client.post("/api/v1/verify", json={"credential": token}).get_json()
    finally:
        del app.extensions["talentbank.fetch"]
    codes = {check["check"]: check["code"] for check in result["checks"]}
    assert codes["proof"] == "proof_valid"
    assert codes["status"] == "status_unknown"
    assert result["verified"] is False
    assert fetched == ["https://elsewhere.example/status/1"]


def test_did_document_and_status_list_are_public_json(client, db, login, school):
    setup_issuer(client, login, school)
    did = client.get(f"/issuers/{school.public_id}/did.json")
    assert did.status_code == 200 and did.mimetype == "application/did+json"
    assert did.get_json()["id"].startswith("did:web:localhost:issuers:")
    assert client.get("/issuers/00000000-0000-4000-8000-000000000000/did.json").status_code == 404
    assert client.get("/status/not-a-uuid").status_code == 404
    assert re.match(r"did:web:", did.get_json()["verificationMethod"][0]["controller"])


CSV = (
    "email,name,evidence,narrative\n"
    "a@example.jp,青木 一郎,https://example.jp/a,よくできました\n"
    "b@example.jp,馬場 二郎,,\n"
    "not-an-email,誤り 三郎,,\n"
    "c@example.jp,千葉 四郎,javascript:alert(1),\n"
    "d@example.jp,土井 五郎,https://example.jp/d,\n"
)


def test_bulk_award_previews_then_issues_only_good_rows_once(client, db, login, school):
    from io import BytesIO

    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    preview = client.post(
        f"/achievements/{achievement_id}/bulk",
        data={"action": "preview", "csv": (BytesIO(CSV.encode("cp932")), "awards.csv")},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "発行する：3件" in page and "誤りがあり発行しない：2件" in page
    assert "メールアドレスの形式が正しくありません" in page and "根拠のURLは" in page
    assert db.scalar(sa.select(sa.func.count()).select_from(Credential)) == 0  # preview issues nothing
    carried = page.split('<textarea name="rows" hidden aria-hidden="true">')[1].split("</textarea>")[0]
    import html

    response = client.post(
        f"/achievements/{achievement_id}/bulk", data={"action": "issue", "rows": html.unescape(carried)}
    )
    assert response.status_code == 302
    issued = db.scalars(sa.select(Credential.recipient_email).order_by(Credential.recipient_email)).all()
    assert issued == ["a@example.jp", "b@example.jp", "d@example.jp"]
    # the same file again: nothing new
    again = client.post(
        f"/achievements/{achievement_id}/bulk",
        data={"action": "preview", "csv": (BytesIO(CSV.encode()), "awards.csv")},
        content_type="multipart/form-data",
    )
    assert "発行済みのため飛ばす：3件" in again.get_data(as_text=True)
    client.post(f"/achievements/{achievement_id}/bulk", data={"action": "issue", "rows": html.unescape(carried)})
    assert db.scalar(sa.select(sa.func.count()).select_from(Credential)) == 3


def test_bulk_award_refuses_unusable_files(client, db, login, school):
    from io import BytesIO

    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    for data in [b"", b"email,name\n", b"\xff\xfe\x00garbage\x80\x81"]:
        response = client.post(
            f"/achievements/{achievement_id}/bulk",
            data={"action": "preview", "csv": (BytesIO(data), "x.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422, data
    assert client.post(f"/achievements/{achievement_id}/bulk", data={"action": "preview"}).status_code == 422
    odd_url = client.post(  # urlsplit raises on an unbalanced "[": a row error, not a server error
        f"/achievements/{achievement_id}/bulk",
        data={"action": "preview", "csv": (BytesIO(b"a@example.jp,A,http://[x.jp,\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert odd_url.status_code == 200 and "根拠のURLは" in odd_url.get_data(as_text=True)


def test_bulk_revoke(client, db, login, school):
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    first, second = award(client, achievement_id, "x@example.jp"), award(client, achievement_id, "y@example.jp")
    response = client.post(
        f"/achievements/{achievement_id}/revoke",
        data={"credential": [first, second], "reason": "講座の評価をやり直すため"},
    )
    assert response.status_code == 302
    assert all(c.revoked_at is not None for c in db.scalars(sa.select(Credential)))
    assert client.post(f"/achievements/{achievement_id}/revoke", data={"credential": [first]}).status_code == 302


def _foreign_credential(email: str, *, skill_code="dssp2-36", level=3, tamper=False, valid_from=None, valid_until=None):
    """A credential from another issuer (did:key), aligned to a DSS skill as our context allows;
    valid from a day ago (or `valid_from`) until `valid_until`, if given."""
    from datetime import UTC, datetime, timedelta

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    unsigned = badges.build_credential(
        badges.CredentialInput(
            issuer=badges.IssuerProfile(id=badges.did_key(key.public_key()), name="Sapporo AI Academy"),
            achievement=badges.AchievementInput(
                id="https://academy.example/achievements/ml",
                name="機械学習入門",
                description="ML basics",
                criteria_narrative="Passed the exam.",
                alignments=(
                    badges.Alignment(
                        target_name="機械学習・深層学習",
                        target_url=f"https://academy.example/skills/{skill_code}",
                        target_code=skill_code,
                        skill_level=level,
                    ),
                ),
            ),
            recipient=badges.Recipient(email=email),
            valid_from=valid_from or datetime.now(UTC) - timedelta(days=1),
            valid_until=valid_until,
            id="urn:uuid:3a1f1a52-0b7e-4f2e-9d41-1f0f5c0a8e11",
        )
    )
    token = badges.sign_jwt(unsigned, key, kid=badges.did_key_verification_method(key.public_key()))
    if tamper:
        token = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    return token


def test_import_a_foreign_credential_verifies_then_counts(client, db, login):
    from talentbank.models import ImportedCredential

    person = make_user(db, email="owner@example.jp")
    profile = make_profile(db, owner=person)
    login(client, person)
    response = client.post("/me/credentials/import", data={"credential": _foreign_credential("owner@example.jp")})
    assert response.status_code == 200
    assert "検証に成功しました" in response.get_data(as_text=True)
    badge = db.scalar(sa.select(ProfileSkill).where(ProfileSkill.source == SkillSource.BADGE))
    assert badge.skill_code == "dssp2-36" and badge.level == 3
    page = client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert "機械学習入門" in page and "Sapporo AI Academy" in page
    imported = db.scalar(sa.select(ImportedCredential))
    assert client.post(f"/me/credentials/imported/{imported.public_id}/delete").status_code == 302
    assert db.scalar(sa.select(ProfileSkill).where(ProfileSkill.source == SkillSource.BADGE)) is None


@pytest.mark.parametrize(
    ("email", "tamper", "message"),
    [
        ("someone-else@example.jp", False, "あなたのメールアドレス宛てではない"),
        ("owner@example.jp", True, "検証に失敗した"),
    ],
)
def test_imports_that_fail_stay_unverified(client, db, login, email, tamper, message):
    person = make_user(db, email="owner@example.jp")
    make_profile(db, owner=person)
    login(client, person)
    response = client.post("/me/credentials/import", data={"credential": _foreign_credential(email, tamper=tamper)})
    assert message in response.get_data(as_text=True)
    assert db.scalar(sa.select(ProfileSkill).where(ProfileSkill.source == SkillSource.BADGE)) is None


def test_import_garbage_is_a_clear_error(client, db, login):
    person = make_user(db)
    make_profile(db, owner=person)
    login(client, person)
    assert client.post("/me/credentials/import", data={"credential": ""}).status_code == 422


def test_prefecture_endorses_an_achievement(client, db, login, make_client, school):
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    prefecture = make_organisation(db, kind="prefecture", verified=True, name="北海道 デジタル推進局")
    pref_client = make_client()
    login(pref_client, prefecture.memberships[0].user)
    pref_client.post(f"/orgs/{prefecture.public_id}/issuer")
    page = pref_client.get(f"/achievements/{achievement_id}").get_data(as_text=True)
    assert "このバッジを推薦する" in page
    response = pref_client.post(
        f"/achievements/{achievement_id}/endorse",
        data={"endorser": str(prefecture.public_id), "comment": "道のDX人材育成の基準に合致しています。"},
    )
    assert response.status_code == 302
    page = client.get(f"/achievements/{achievement_id}").get_data(as_text=True)
    assert "北海道 デジタル推進局" in page and "署名を確認済み" in page
    from talentbank.models import Endorsement

    endorsement = db.scalar(sa.select(Endorsement))
    assert badges.schema_errors(endorsement.document) == []
    assert "EndorsementCredential" in endorsement.document["type"]
    assert client.get(f"/endorsements/{endorsement.public_id}").get_json()["id"].endswith(str(endorsement.public_id))
    # the issuer cannot endorse itself, and nobody endorses twice
    again = pref_client.post(
        f"/achievements/{achievement_id}/endorse", data={"endorser": str(prefecture.public_id), "comment": "again"}
    )
    assert again.status_code == 302 and db.scalar(sa.select(sa.func.count()).select_from(Endorsement)) == 1
    outsider = make_client()
    login(outsider, make_user(db))
    denied = outsider.post(
        f"/achievements/{achievement_id}/endorse", data={"endorser": str(prefecture.public_id), "comment": "x"}
    )
    assert denied.status_code == 403


def _endorse(db, login, make_client, achievement_id: str, name="北海道 デジタル推進局"):
    prefecture = make_organisation(db, kind="prefecture", verified=True, name=name)
    pref_client = make_client()
    login(pref_client, prefecture.memberships[0].user)
    assert pref_client.post(f"/orgs/{prefecture.public_id}/issuer").status_code == 302
    response = pref_client.post(
        f"/achievements/{achievement_id}/endorse",
        data={"endorser": str(prefecture.public_id), "comment": "道のDX人材育成の基準に合致しています。"},
    )
    assert response.status_code == 302
    from talentbank.models import Endorsement

    return db.scalar(sa.select(Endorsement).where(Endorsement.endorser_id == prefecture.id))


def _endorsement_block(page: str, endorser: str) -> str:
    match = re.search(r'<article class="endorsement">(.*?)</article>', page, re.S)
    assert match and endorser in match.group(1), page
    return match.group(1)


def test_the_credential_page_shows_the_achievements_endorsements_each_verified(client, db, login, make_client, school):
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    credential_id = award(client, achievement_id)
    visitor = make_client()
    assert "推薦日" not in visitor.get(f"/credentials/{credential_id}").get_data(as_text=True)
    endorsement = _endorse(db, login, make_client, achievement_id)

    page = visitor.get(f"/credentials/{credential_id}").get_data(as_text=True)
    block = _endorsement_block(page, "北海道 デジタル推進局")
    assert "署名を確認済み" in block and "署名を確認できません" not in block
    assert f'<time datetime="{endorsement.created_at.isoformat()}">' in block
    assert "道のDX人材育成の基準に合致しています。" in block
    assert f"/endorsements/{endorsement.public_id}" in block

    # A document that no longer matches its signature shows as unverified, here and on the achievement page.
    endorsement.document = {**endorsement.document, "name": "書き換えられた推薦"}
    db.commit()
    for path in (f"/credentials/{credential_id}", f"/achievements/{achievement_id}"):
        block = _endorsement_block(visitor.get(path).get_data(as_text=True), "北海道 デジタル推進局")
        assert "署名を確認できません" in block and "署名を確認済み" not in block


def test_the_linkedin_link_encodes_every_value(client, db, login, school):
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    school.name = "道北 R&D #1 高専 a+b=c"
    db.commit()
    setup_issuer(client, login, school)
    name = "AI & データ #基礎 C++ 1+1=2 ％20"
    credential_id = award(client, create_achievement(client, school, name=name))
    page = client.get(f"/credentials/{credential_id}").get_data(as_text=True)
    [href] = re.findall(r'href="(https://www\.linkedin\.com/[^"]*)"', page)
    link = urlsplit(unescape(href))
    assert (link.netloc, link.path, link.fragment) == ("www.linkedin.com", "/profile/add", "")
    query = parse_qs(link.query, strict_parsing=True)
    credential = db.scalar(sa.select(Credential))
    assert query == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": [name],
        "organizationName": ["道北 R&D #1 高専 a+b=c"],
        "issueYear": [str(credential.issued_at.year)],
        "issueMonth": [str(credential.issued_at.month)],
        "certUrl": [f"http://localhost/credentials/{credential_id}"],
        "certId": [credential_id],
    }


def test_public_verification_is_rate_limited(app, client):
    app.config["VERIFY_LIMIT"] = "3 per minute"
    try:
        codes = [client.post("/api/v1/verify", json={"credential": "x"}).status_code for _ in range(4)]
    finally:
        app.config["VERIFY_LIMIT"] = "60 per minute"
    assert codes == [200, 200, 200, 429]


def test_award_by_picking_a_profile_keeps_the_email_hidden(client, db, login, school):
    from talentbank.models import Visibility

    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    person = make_user(db, email="hidden-learner@example.jp")
    profile = make_profile(db, owner=person, display_name="選ばれた 学生")
    response = client.post(
        f"/achievements/{achievement_id}/award-profile",
        data={"pick-profile": f"http://localhost/people/{profile.public_id}"},
    )
    assert response.status_code == 302
    credential = db.scalar(sa.select(Credential))
    assert credential.recipient_email == "hidden-learner@example.jp" and credential.recipient_name == "選ばれた 学生"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "hidden-learner@example.jp" not in page
    assert "hidden-learner@example.jp" not in client.get(f"/achievements/{achievement_id}").get_data(as_text=True)
    private = make_profile(db, visibility=Visibility.PRIVATE)
    refused = client.post(
        f"/achievements/{achievement_id}/award-profile", data={"pick-profile": str(private.public_id)}
    )
    assert refused.status_code == 422 and "見つかりません" in refused.get_data(as_text=True)
    assert (
        client.post(f"/achievements/{achievement_id}/award-profile", data={"pick-profile": "nonsense"}).status_code
        == 422
    )
    assert db.scalar(sa.select(sa.func.count()).select_from(Credential)) == 1


def test_bulk_award_in_slices_for_the_progress_bar(client, db, login, school):
    """The page's script posts the previewed rows slice by slice; each slice reports its counts, and a
    repeated slice issues nothing twice."""
    import html
    from io import BytesIO

    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    preview = client.post(
        f"/achievements/{achievement_id}/bulk",
        data={"action": "preview", "csv": (BytesIO(CSV.encode()), "awards.csv")},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert 'data-bulk-issue data-total-rows="3"' in page and "<progress" in page  # the three good rows
    rows = html.unescape(page.split('<textarea name="rows" hidden aria-hidden="true">')[1].split("</textarea>")[0])

    def post_slice(start: int, size: int, issued_so_far: int = 0):
        return client.post(
            f"/achievements/{achievement_id}/bulk",
            data={"action": "issue", "rows": rows, "batch_start": start, "batch_size": size,
                  "issued_so_far": issued_so_far},
            headers={"Accept": "application/json"},
        )  # fmt: skip

    first = post_slice(0, 2).get_json()
    assert first == {"rows": 2, "issued": 2, "skipped": 0, "invalid": 0, "total_rows": 3, "done": False}
    assert db.scalar(sa.select(sa.func.count()).select_from(Credential)) == 2
    assert post_slice(0, 2).get_json()["issued"] == 0  # a retried slice: nothing twice
    last = post_slice(2, 2, issued_so_far=2).get_json()
    assert last == {"rows": 1, "issued": 1, "skipped": 0, "invalid": 0, "total_rows": 3, "done": True}
    assert db.scalar(sa.select(sa.func.count()).select_from(Credential)) == 3
    assert "3件のバッジを発行しました" in client.get(f"/achievements/{achievement_id}").get_data(as_text=True)
    assert post_slice("x", 3).status_code == 422


def test_bulk_slices_check_who_may_issue(client, db, login, make_client, school):
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    stranger = make_client()
    login(stranger, make_user(db))
    response = stranger.post(
        f"/achievements/{achievement_id}/bulk",
        data={"action": "issue", "rows": "a@example.jp,A,,\n", "batch_start": 0, "batch_size": 1},
    )
    assert response.status_code == 403
    assert db.scalar(sa.select(sa.func.count()).select_from(Credential)) == 0
