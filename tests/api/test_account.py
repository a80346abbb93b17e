"""The caller's own account over the API: who am I, and notifications."""

from __future__ import annotations

import sqlalchemy as sa

from talentbank.models import Notification
from tests.api.conftest import bearer
from tests.factories import make_organisation, make_profile, make_project, make_user


def test_me_lists_memberships_and_scopes(client, db, make_token):
    user = make_user(db)
    town = make_organisation(db, owner=user, verified=True, name="上士幌町")
    body = client.get("/api/v1/me", headers=bearer(make_token(user, scopes=("read", "issue")))).get_json()
    assert body["memberships"][0]["organisation_id"] == str(town.public_id)
    assert body["memberships"][0]["role"] == "owner" and body["scopes"] == ["issue", "read"]
    assert body["profile_id"] is None


def test_notifications_follow_applications_and_can_be_marked_read(client, db, make_token):
    owner = make_user(db)
    town = make_organisation(db, owner=owner, verified=True)
    project = make_project(db, town, title="除雪DX")
    person = make_user(db)
    make_profile(db, owner=person, skills={"dssp2-36": 2})
    applied = client.post(
        f"/api/v1/projects/{project.public_id}/applications",
        json={"message": "ぜひ"},
        headers=bearer(make_token(person)),
    )
    assert applied.status_code == 201, applied.get_data(as_text=True)

    headers = bearer(make_token(owner))
    page = client.get("/api/v1/me/notifications?unread=true", headers=headers).get_json()
    assert page["total"] == 1 and "除雪DX" in page["items"][0]["text"]
    assert page["items"][0]["url"] == f"/projects/{project.public_id}"
    assert client.get("/api/v1/me/notifications", headers=bearer(make_token(person))).get_json()["total"] == 0

    read = client.post("/api/v1/me/notifications/read", headers=headers)
    assert read.status_code == 200 and read.get_json() == {"marked": 1}
    assert client.get("/api/v1/me/notifications?unread=true", headers=headers).get_json()["total"] == 0
    assert db.scalar(sa.select(Notification.read_at)) is not None
    read_only = bearer(make_token(owner, scopes=("read",)))
    assert client.post("/api/v1/me/notifications/read", headers=read_only).status_code == 403


def test_export_is_the_same_document_as_the_page(client, db, make_token, login):
    user = make_user(db, display_name="書き出し 太郎")
    make_profile(db, owner=user, skills={"dssp2-36": 2})
    make_organisation(db, owner=user, name="書き出し町")
    response = client.get("/api/v1/me/export", headers=bearer(make_token(user)))
    assert response.status_code == 200 and response.mimetype == "application/json"
    exported = response.get_json()
    assert exported["format"] == "talentbank-personal-data/1" and exported["account"]["email"] == user.email
    assert exported["profile"]["display_name"] == "書き出し 太郎"
    assert exported["memberships"][0]["organisation"] == "書き出し町"
    assert [t["name"] for t in exported["api_tokens"]] == ["test"]
    login(client, user)
    page = client.get("/me/data/export.json").get_json()
    # The same document (logging in since adds activity and a login time, nothing else differs).
    assert set(exported) == set(page)
    assert (exported["profile"], exported["memberships"]) == (page["profile"], page["memberships"])


def test_export_needs_the_caller(client, db, make_token):
    response = client.get("/api/v1/me/export")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    response = client.get("/api/v1/me/export", headers=bearer(make_token(scopes=("write",))))
    assert response.status_code == 403
