"""Which application steps each project status allows, what cancelling does, and the mail and in-app
notification every step sends (#5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentbank.models import (
    Application,
    ApplicationStatus,
    ContactRelease,
    Direction,
    MembershipRole,
    Notification,
    OrganisationKind,
    Outcome,
    ProjectPay,
    ProjectStatus,
)
from tests.factories import add_member, make_organisation, make_profile, make_project, make_user
from tests.web.helpers import outbox

TODAY = datetime.now(UTC).date()


@pytest.fixture
def town(db):
    town = make_organisation(db, name="上士幌町 デジタル推進係", verified=True)
    add_member(db, town, make_user(db, email="clerk@town.example.jp"))
    return town


@pytest.fixture
def project(db, town):
    return make_project(db, town, title="除雪の問い合わせをWebで")


def person(db, email):
    user = make_user(db, email=email)
    make_profile(db, owner=user, skills={"dssp2-36": 3})
    return user


def logged_in(make_client, login, user):
    client = make_client()
    login(client, user)
    return client


def notices(db, user) -> list[tuple[str, str]]:
    return [
        (n.kind, n.url)
        for n in db.scalars(sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    ]


def kinds(db, address) -> list[str]:
    return [m.kind for m in outbox(db, address)]


def _application(db, user) -> Application:
    db.expire_all()
    return next(a for a in db.scalars(sa.select(Application)) if a.profile.user_id == user.id)


def _set_status(db, project, status):
    project.status = status
    db.flush()


# ---- cancelling ------------------------------------------------------------------------------------------


def test_cancelling_closes_pending_ones_ends_their_releases_and_tells_everyone(client, db, login, make_client, town,
                                                                               project):  # fmt: skip
    applicant, invitee, accepted = (person(db, f"{n}@example.jp") for n in ("applicant", "invitee", "accepted"))
    logged_in(make_client, login, applicant).post(f"/projects/{project.public_id}/apply", data={"message": "参加"})
    logged_in(make_client, login, accepted).post(f"/projects/{project.public_id}/apply")
    login(client, town.memberships[0].user)
    client.post(f"/projects/{project.public_id}/invite/{invitee.profile.public_id}", data={"message": "ぜひ"})
    assert client.post(f"/applications/{_application(db, accepted).public_id}/accept").status_code == 302

    response = client.post(f"/projects/{project.public_id}/status", data={"status": "cancelled"})
    assert response.status_code == 302
    assert _application(db, applicant).status is ApplicationStatus.CLOSED
    assert _application(db, invitee).status is ApplicationStatus.CLOSED
    assert _application(db, accepted).status is ApplicationStatus.ACCEPTED  # mutual consent stays on record
    releases = {r.application_id: r.withdrawn_at for r in db.scalars(sa.select(ContactRelease))}
    assert releases[_application(db, applicant).id] is not None  # the organisation no longer sees it
    assert releases[_application(db, accepted).id] is None
    assert "applicant@example.jp" not in client.get(f"/projects/{project.public_id}").get_data(as_text=True)
    for user in (applicant, invitee, accepted):
        assert kinds(db, user.email)[-1] == "project_cancelled"
        assert notices(db, user)[-1] == ("project_cancelled", f"/projects/{project.public_id}")
    [mail] = [m for m in outbox(db, "applicant@example.jp") if m.kind == "project_cancelled"]
    assert "「除雪の問い合わせをWebで」は中止になりました" in mail.subject
    assert "連絡先はこれ以上組織に伝わりません" in mail.body_text

    # The invitee still sees the (cancelled) project, their closed invitation, and cannot accept it.
    invitee_client = logged_in(make_client, login, invitee)
    page = invitee_client.get(f"/projects/{project.public_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "終了（返事の前にプロジェクトが中止・完了）" in text and "招待を承諾する" not in text
    refused = invitee_client.post(f"/applications/{_application(db, invitee).public_id}/accept")
    assert refused.status_code == 409
    assert _application(db, invitee).status is ApplicationStatus.CLOSED
    assert db.scalar(sa.select(sa.func.count()).select_from(ContactRelease).where(
        ContactRelease.reason == "accepted_invitation")) == 0  # fmt: skip
    # The accepted person may still end the release they gave; a stranger still sees nothing.
    assert logged_in(make_client, login, accepted).post(
        f"/applications/{_application(db, accepted).public_id}/withdraw").status_code == 302  # fmt: skip
    assert make_client().get(f"/projects/{project.public_id}").status_code == 404


# ---- completing ------------------------------------------------------------------------------------------


def test_completing_closes_what_was_never_answered_and_tells_those_people(client, db, login, make_client, town,
                                                                         project):  # fmt: skip
    applicant, invitee, engaged = (person(db, f"{n}@example.jp") for n in ("waiting", "invited", "engaged"))
    logged_in(make_client, login, applicant).post(f"/projects/{project.public_id}/apply", data={"message": "参加"})
    logged_in(make_client, login, engaged).post(f"/projects/{project.public_id}/apply")
    login(client, town.memberships[0].user)
    client.post(f"/projects/{project.public_id}/invite/{invitee.profile.public_id}", data={"message": "ぜひ"})
    assert client.post(f"/applications/{_application(db, engaged).public_id}/accept").status_code == 302
    for target in ("in_progress", "completed"):
        assert client.post(f"/projects/{project.public_id}/status", data={"status": target}).status_code == 302

    assert _application(db, applicant).status is ApplicationStatus.CLOSED
    assert _application(db, invitee).status is ApplicationStatus.CLOSED
    assert _application(db, engaged).status is ApplicationStatus.ACCEPTED  # completion is still to be recorded
    releases = {r.application_id: r.withdrawn_at for r in db.scalars(sa.select(ContactRelease))}
    assert releases[_application(db, applicant).id] is not None
    assert releases[_application(db, engaged).id] is None
    for user in (applicant, invitee):
        assert kinds(db, user.email)[-1] == "project_completed"
        assert notices(db, user)[-1] == ("project_completed", f"/projects/{project.public_id}")
    assert "project_completed" not in kinds(db, engaged.email)
    [mail] = [m for m in outbox(db, "waiting@example.jp") if m.kind == "project_completed"]
    assert "「除雪の問い合わせをWebで」は完了しました" in mail.subject
    assert "連絡先はこれ以上組織に伝わりません" in mail.body_text

    invitee_client = logged_in(make_client, login, invitee)
    text = invitee_client.get(f"/projects/{project.public_id}").get_data(as_text=True)
    assert "終了（返事の前にプロジェクトが中止・完了）" in text and "招待を承諾する" not in text
    assert invitee_client.post(f"/applications/{_application(db, invitee).public_id}/accept").status_code == 409
    assert _application(db, invitee).status is ApplicationStatus.CLOSED
    # The engagement that was accepted can still be recorded as completed.
    url = f"/applications/{_application(db, engaged).public_id}/complete"
    data = {"summary": "フォームを公開した", "skill": ["dssp2-36"], "level_dssp2-36": "3"}
    assert client.post(url, data=data).status_code == 302
    assert _application(db, engaged).status is ApplicationStatus.COMPLETED


def test_only_members_complete_and_nothing_closes_otherwise(client, db, login, make_client, project):
    applicant = person(db, "patient@example.jp")
    logged_in(make_client, login, applicant).post(f"/projects/{project.public_id}/apply")
    _set_status(db, project, ProjectStatus.IN_PROGRESS)
    db.commit()
    stranger = logged_in(make_client, login, make_user(db))
    assert stranger.post(f"/projects/{project.public_id}/status", data={"status": "completed"}).status_code == 403
    assert _application(db, applicant).status is ApplicationStatus.PENDING
    assert "project_completed" not in kinds(db, "patient@example.jp")


# ---- guards by project status ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [ProjectStatus.COMPLETED, ProjectStatus.CANCELLED])
@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_an_invitation_is_not_answered_once_the_project_is_over(client, db, login, make_client, project, status,
                                                                answer):  # fmt: skip
    invitee = person(db, "late@example.jp")
    db.add(Application(project=project, profile=invitee.profile, direction=Direction.INVITED))
    _set_status(db, project, status)
    invitee_client = logged_in(make_client, login, invitee)
    response = invitee_client.post(f"/applications/{_application(db, invitee).public_id}/{answer}")
    assert response.status_code == 409
    if status is ProjectStatus.COMPLETED:
        assert "プロジェクトが「完了」のため、返事はできません。" in response.get_data(as_text=True)
    assert _application(db, invitee).status is ApplicationStatus.PENDING
    assert db.scalar(sa.select(sa.func.count()).select_from(ContactRelease)) == 0
    assert kinds(db, "clerk@town.example.jp") == []


def test_an_organisation_answers_an_application_only_while_the_project_runs(client, db, login, town, project):
    applicant = person(db, "waiting@example.jp")
    db.add(Application(project=project, profile=applicant.profile, direction=Direction.APPLIED))
    _set_status(db, project, ProjectStatus.COMPLETED)
    login(client, town.memberships[0].user)
    assert client.post(f"/applications/{_application(db, applicant).public_id}/accept").status_code == 409
    assert _application(db, applicant).status is ApplicationStatus.PENDING
    assert "承諾する</button>" not in client.get(f"/projects/{project.public_id}").get_data(as_text=True)
    _set_status(db, project, ProjectStatus.IN_PROGRESS)
    assert client.post(f"/applications/{_application(db, applicant).public_id}/accept").status_code == 302


def test_completion_waits_for_the_work_to_be_under_way(client, db, login, town, project):
    engaged = person(db, "engaged@example.jp")
    db.add(Application(project=project, profile=engaged.profile, direction=Direction.APPLIED,
                       status=ApplicationStatus.ACCEPTED))  # fmt: skip
    login(client, town.memberships[0].user)
    url = f"/applications/{_application(db, engaged).public_id}/complete"
    data = {"summary": "フォームを公開した", "skill": ["dssp2-36"], "level_dssp2-36": "3"}
    assert "完了を記録</a>" not in client.get(f"/projects/{project.public_id}").get_data(as_text=True)
    refused = client.post(url, data=data)
    assert refused.status_code == 409
    assert "完了を記録できるのはプロジェクトが進行中か完了のときです（今は「募集中」）。" in refused.get_data(
        as_text=True
    )
    assert db.scalar(sa.select(sa.func.count()).select_from(Outcome)) == 0
    assert _application(db, engaged).status is ApplicationStatus.ACCEPTED
    for status in (ProjectStatus.CANCELLED, ProjectStatus.CLOSED):
        _set_status(db, project, status)
        assert client.post(url, data=data).status_code == 409
    _set_status(db, project, ProjectStatus.COMPLETED)  # recording afterwards is fine
    assert client.post(url, data=data).status_code == 302
    assert _application(db, engaged).status is ApplicationStatus.COMPLETED


def test_applying_needs_an_open_project_before_its_deadline(client, db, login, make_client, town):
    applicant = person(db, "eager@example.jp")
    past = make_project(db, town, deadline=TODAY - timedelta(days=1))
    running = make_project(db, town, status=ProjectStatus.IN_PROGRESS)
    applicant_client = logged_in(make_client, login, applicant)
    for project in (past, running):
        response = applicant_client.post(f"/projects/{project.public_id}/apply")
        assert response.status_code == 409
        assert "このプロジェクトは今は応募を受け付けていません。" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Application)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(ContactRelease)) == 0


def test_only_members_cancel(client, db, login, make_client, project):
    applicant = person(db, "stays@example.jp")
    logged_in(make_client, login, applicant).post(f"/projects/{project.public_id}/apply")
    stranger = logged_in(make_client, login, make_user(db))
    assert stranger.post(f"/projects/{project.public_id}/status", data={"status": "cancelled"}).status_code == 403
    assert _application(db, applicant).status is ApplicationStatus.PENDING
    assert "project_cancelled" not in kinds(db, "stays@example.jp")


# ---- a notification for every step ---------------------------------------------------------------------------


def test_withdrawn_application_is_told_to_the_organisation(client, db, login, make_client, town, project):
    applicant = person(db, "leaving@example.jp")
    applicant_client = logged_in(make_client, login, applicant)
    applicant_client.post(f"/projects/{project.public_id}/apply")
    assert applicant_client.post(f"/applications/{_application(db, applicant).public_id}/withdraw").status_code == 302
    for member in (m.user for m in town.memberships):
        assert kinds(db, member.email) == ["application_received", "application_withdrawn"]
        assert notices(db, member)[-1] == ("application_withdrawn", f"/projects/{project.public_id}")
    [mail] = [m for m in outbox(db, "clerk@town.example.jp") if m.kind == "application_withdrawn"]
    assert "取り下げられました" in mail.subject


def test_organisation_withdrawing_is_told_to_the_person(client, db, login, town, project):
    invitee = person(db, "dropped@example.jp")
    login(client, town.memberships[0].user)
    client.post(f"/projects/{project.public_id}/invite/{invitee.profile.public_id}")
    client.post(f"/applications/{_application(db, invitee).public_id}/withdraw")
    assert kinds(db, "dropped@example.jp") == ["invitation_received", "application_withdrawn"]
    assert [kind for kind, _url in notices(db, invitee)] == ["invitation_received", "application_withdrawn"]


@pytest.mark.parametrize(("answer", "word"), [("accept", "承諾"), ("decline", "辞退")])
def test_answered_invitation_is_told_to_the_organisation(client, db, login, make_client, town, project, answer, word):
    invitee = person(db, f"{answer}@example.jp")
    login(client, town.memberships[0].user)
    client.post(f"/projects/{project.public_id}/invite/{invitee.profile.public_id}")
    invitee_client = logged_in(make_client, login, invitee)
    assert invitee_client.post(f"/applications/{_application(db, invitee).public_id}/{answer}").status_code == 302
    for member in (m.user for m in town.memberships):
        assert kinds(db, member.email) == ["invitation_answered"]
        assert notices(db, member) == [("invitation_answered", f"/projects/{project.public_id}")]
    [mail] = outbox(db, "clerk@town.example.jp")
    assert f"{invitee.profile.display_name} さんが招待に返事をしました：{word}" in mail.body_text
    assert kinds(db, invitee.email) == ["invitation_received"]  # the person answering is not mailed about it


def test_completed_engagement_is_told_to_the_person(client, db, login, town, project):
    engaged = person(db, "done@example.jp")
    db.add(Application(project=project, profile=engaged.profile, direction=Direction.APPLIED,
                       status=ApplicationStatus.ACCEPTED))  # fmt: skip
    _set_status(db, project, ProjectStatus.IN_PROGRESS)
    login(client, town.memberships[0].user)
    response = client.post(
        f"/applications/{_application(db, engaged).public_id}/complete",
        data={"summary": "フォームを公開した", "skill": ["dssp2-36"], "level_dssp2-36": "3"},
    )
    assert response.status_code == 302
    assert kinds(db, "done@example.jp") == ["engagement_completed"]
    [(kind, url)] = notices(db, engaged)
    assert kind == "engagement_completed" and url.startswith(f"/people/{engaged.profile.public_id}")


def test_allocation_round_tells_the_host_organisation_who_was_placed(client, db, login):
    prefecture = make_organisation(db, kind=OrganisationKind.PREFECTURE, verified=True, name="北海道庁")
    staff = make_user(db)
    add_member(db, prefecture, staff, MembershipRole.MEMBER)
    host = make_organisation(db, verified=True, name="帯広市")
    host_member = make_user(db, email="host-member@obihiro.example.jp")
    add_member(db, host, host_member)
    internship = {"is_internship": True, "pay_kind": ProjectPay.INTERNSHIP, "pay_yen": 0, "seats": 2}
    placed_on = make_project(db, host, title="農業データのインターン", **internship)
    make_profile(db, display_name="配属 一郎", skills={"dssp2-36": 4})
    make_profile(db, display_name="配属 二郎", skills={"dssp2-36": 3})
    login(client, staff)
    created = client.post(f"/orgs/{prefecture.public_id}/allocation",
                          data={"name": "2027年夏", "projects": [str(placed_on.public_id)], "method": "stable"})  # fmt: skip
    assert client.post(created.headers["Location"] + "/publish").status_code == 302
    for member in (host.memberships[0].user, host_member):
        [mail] = outbox(db, member.email)
        assert mail.kind == "allocation_placed" and "「農業データのインターン」に配属がありました" in mail.subject
        assert "・配属 一郎" in mail.body_text and "・配属 二郎" in mail.body_text
        assert notices(db, member) == [("allocation_placed", f"/projects/{placed_on.public_id}")]
    assert outbox(db, staff.email) == []  # the round's own staff are not the host
