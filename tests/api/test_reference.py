"""The read-only reference and organisation operations: skill search and lookup, the 179 municipalities
and the subprefecture filter, and organisations' public fields (never a member's address or a key)."""

from __future__ import annotations

import sqlalchemy as sa

from talentbank.models import IssuerKey, OrganisationKind
from tests.api.conftest import bearer
from tests.factories import add_member, make_organisation, make_user

ORGANISATION_FIELDS = {
    "id",
    "name",
    "name_en",
    "kind",
    "municipality_code",
    "description",
    "website",
    "verified",
    "verified_at",
    "url",
}


def codes(client, query: str) -> list[str]:
    response = client.get("/api/v1/skills", query_string={"q": query})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["code"] for item in response.get_json()["items"]]


def test_skill_search_finds_tool_tags_and_japanese_names(client):
    # kintone is a tool tag of two DSS items; 機械学習 names one item and tags another.
    assert codes(client, "kintone") == ["dssp2-06", "dssp2-52"]
    assert codes(client, "KINTONE ") == ["dssp2-06", "dssp2-52"]  # case and surrounding spaces do not matter
    assert codes(client, "機械学習") == ["dssp2-34", "dssp2-36"]
    assert codes(client, "machine learning") == ["dssp2-34", "dssp2-36"]  # an English tag alias too
    assert codes(client, "存在しない技能") == []


def test_skill_list_pages_through_the_whole_taxonomy(client):
    first = client.get("/api/v1/skills?per_page=50").get_json()
    second = client.get("/api/v1/skills?per_page=50&page=2").get_json()
    assert first["total"] == second["total"] > 50 and first["page"] == 1 and second["page"] == 2
    listed = [item["code"] for item in first["items"] + second["items"]]
    assert len(listed) == len(set(listed)) == first["total"]


def test_one_skill(client):
    response = client.get("/api/v1/skills/dssp2-36")
    assert response.status_code == 200
    skill = response.get_json()
    assert skill["code"] == "dssp2-36" and skill["standard"] == "DSS-P"
    assert skill["name_ja"] == "機械学習・深層学習" and skill["name_en"] == "Machine Learning and Deep Learning"
    assert "機械学習" in skill["tags"] and skill["url"].endswith("/skills/dssp2-36")
    missing = client.get("/api/v1/skills/dssp9-99")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_municipalities_are_all_179_and_filter_by_subprefecture(client):
    every = client.get("/api/v1/municipalities").get_json()["items"]
    assert len(every) == len({m["code"] for m in every}) == 179
    assert len({m["subprefecture"] for m in every}) == 14
    kamikawa = client.get("/api/v1/municipalities?subprefecture=kamikawa").get_json()["items"]
    assert len(kamikawa) == 23 and {m["subprefecture"] for m in kamikawa} == {"kamikawa"}
    assert "旭川市" in {m["name_ja"] for m in kamikawa} and "帯広市" not in {m["name_ja"] for m in kamikawa}
    assert kamikawa == [m for m in every if m["subprefecture"] == "kamikawa"]
    unknown = client.get("/api/v1/municipalities?subprefecture=nowhere")  # as the project search says
    assert unknown.status_code == 422 and set(unknown.get_json()["fields"]) == {"subprefecture"}
    bad = client.get("/api/v1/municipalities?prefecture=hokkaido")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert set(bad.get_json()["fields"]) == {"prefecture"}


def test_organisations_show_public_fields_only(client, db, make_token):
    owner = make_user(db, email="owner-secret@example.jp")
    school = make_organisation(db, owner=owner, kind=OrganisationKind.SCHOOL, verified=True, name="旭川の学校")
    add_member(db, school, make_user(db, email="member-secret@example.jp"))
    make_organisation(db, name="未確認の会社", kind=OrganisationKind.COMPANY)
    secret = make_token(owner, scopes=("read", "issue"))
    db.commit()
    assert client.post(f"/api/v1/organisations/{school.public_id}/issuer", headers=bearer(secret)).status_code == 201
    public_key = db.scalar(sa.select(IssuerKey.public_key_multibase))

    listed = client.get("/api/v1/organisations")
    one = client.get(f"/api/v1/organisations/{school.public_id}")
    assert listed.status_code == one.status_code == 200
    page = listed.get_json()
    assert page["total"] == 2 and {o["name"] for o in page["items"]} == {"旭川の学校", "未確認の会社"}
    assert all(set(item) == ORGANISATION_FIELDS for item in page["items"])
    assert set(one.get_json()) == ORGANISATION_FIELDS and one.get_json()["name"] == "旭川の学校"
    verified = client.get("/api/v1/organisations?verified=true").get_json()["items"]
    assert [o["name"] for o in verified] == ["旭川の学校"]
    assert [o["name"] for o in client.get("/api/v1/organisations?kind=company").get_json()["items"]] == ["未確認の会社"]
    # Neither anonymous readers nor the owner's own token see addresses or key material here.
    for response in (listed, one, client.get("/api/v1/organisations", headers=bearer(secret))):
        text = response.get_data(as_text=True)
        assert "secret@example.jp" not in text and "@" not in text
        assert public_key not in text and "private" not in text.lower() and "key" not in text.lower()
