"""How long a project waits for a person to start (projects.start_slack_days, #17): the guided form,
its bad input, the project page, and the matches it changes (late starters become near misses)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from talentbank.models import Project, WorkMode
from tests.factories import make_profile
from tests.web.test_projects import PROJECT, TODAY, post_project, project_count, publish


def test_the_form_saves_the_slack_and_blank_means_30(client, db, login, town):
    login(client, town.memberships[0].user)
    page = client.get(f"/orgs/{town.public_id}/projects/new").get_data(as_text=True)
    assert 'name="start_slack_days"' in page and 'value="30"' in page and 'id="start_slack_days-hint"' in page
    project_id = post_project(client, town, start_slack_days="10")
    project = db.scalar(sa.select(Project))
    assert project.start_slack_days == 10
    assert "開始日から10日後までに参加できる人を候補にします" in client.get(f"/projects/{project_id}").get_data(
        as_text=True
    )
    post_project(client, town, start_slack_days="", title="空欄のとき")
    assert db.scalar(sa.select(Project).where(Project.title == "空欄のとき")).start_slack_days == 30


@pytest.mark.parametrize("value", ["-1", "366", "三十"])
def test_bad_slack_is_refused_and_nothing_saved(client, db, login, town, value):
    login(client, town.memberships[0].user)
    response = client.post(f"/orgs/{town.public_id}/projects/new", data={**PROJECT, "start_slack_days": value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="start_slack_days-error"' in page and ("0〜365" in page or "整数" in page or "integer" in page)
    assert project_count(db) == 0


def test_a_late_starter_is_ranked_or_a_near_miss_by_the_project_slack(client, db, login, town):
    starts = TODAY + timedelta(days=30)  # PROJECT's start date
    make_profile(db, display_name="20日遅れの人", work_mode=WorkMode.HYBRID, max_travel_km=20, skills={"dssp2-52": 3},
                 home_municipality_code="016331", hours_per_week=8, earliest_start=starts + timedelta(days=20))  # fmt: skip
    login(client, town.memberships[0].user)
    waits = post_project(client, town, start_slack_days="30", title="30日待てる")
    hurries = post_project(client, town, start_slack_days="10", title="10日だけ待てる")
    publish(client, waits)
    publish(client, hurries)
    ranked, _near = client.get(f"/projects/{waits}/matches?near=1").get_data(as_text=True).split('id="near-heading"')
    assert "20日遅れの人" in ranked
    ranked, near = client.get(f"/projects/{hurries}/matches?near=1").get_data(as_text=True).split('id="near-heading"')
    assert "20日遅れの人" not in ranked and "開始日に間に合いません（20日遅れ、許容10日）" in near
