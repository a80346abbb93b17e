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
