"""In-app notifications: each notification e-mail to a registered person also appears on the site."""

from __future__ import annotations

import sqlalchemy as sa

from talentbank.models import Application, Notification
from tests.factories import make_profile, make_user
from tests.web.test_projects import post_project, publish


def test_every_step_notifies_in_the_app_too(client, db, login, make_client, town):
    owner = town.memberships[0].user
    login(client, owner)
    project_id = post_project(client, town)
    publish(client, project_id)
    person = make_user(db)
    make_profile(db, owner=person, skills={"dssp2-52": 2})
    person_client = make_client()
    login(person_client, person)
    person_client.post(f"/projects/{project_id}/apply", data={"message": "参加したいです"})

    header = client.get("/dashboard").get_data(as_text=True)
    assert 'class="count-badge"' in header and "未読 1件" in header
    page = client.get("/notifications").get_data(as_text=True)
    assert "に応募がありました" in page and "【北海道デジタル人材バンク】" not in page
    assert f'href="/projects/{project_id}"' in page  # points at the page the mail links to
    assert "count-badge" not in person_client.get("/dashboard").get_data(as_text=True)  # not theirs

    application = db.scalar(sa.select(Application))
    client.post(f"/applications/{application.public_id}/accept")
    texts = [n.text for n in db.scalars(sa.select(Notification).where(Notification.user_id == person.id))]
    assert len(texts) == 1 and "返事がありました" in texts[0]

    assert client.post("/notifications/read").status_code == 302
    assert "count-badge" not in client.get("/dashboard").get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Notification).where(Notification.read_at.is_(None))) == 1


def test_notifications_need_a_login(client):
    assert client.get("/notifications").status_code == 302
    assert client.post("/notifications/read").status_code == 302


def test_a_badge_award_notifies_a_registered_recipient_in_their_language(client, db, login, make_client):
    from tests.factories import make_organisation
    from tests.web.test_credentials import award, create_achievement, setup_issuer

    organisation = make_organisation(db, kind="school", verified=True, name="道北工業高等専門学校")
    learner = make_user(db, email="learner@example.jp", locale="en")
    setup_issuer(client, login, organisation)
    achievement_id = create_achievement(client, organisation)
    credential_id = award(client, achievement_id)  # to the learner, who has an account
    award(client, achievement_id, email="no-account@example.jp")

    kept = db.scalars(sa.select(Notification)).all()
    assert [(n.user_id, n.kind) for n in kept] == [(learner.id, "credential_awarded")]
    assert kept[0].url == f"/credentials/{credential_id}"
    assert "badge" in kept[0].text.lower() and "【" not in kept[0].text  # English, without the mail's prefix
    learner_client = make_client()
    login(learner_client, learner)
    assert f'href="/credentials/{credential_id}"' in learner_client.get("/notifications").get_data(as_text=True)
