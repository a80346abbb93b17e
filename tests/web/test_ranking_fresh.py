"""Rankings see every edit at once without rebuilding the index: changed profiles go into its delta."""

from __future__ import annotations

from datetime import date, timedelta

from talentbank.db import utcnow
from talentbank.models import Visibility
from talentbank.projects import ranking
from tests.factories import make_organisation, make_profile, make_project, make_user

TODAY = date(2026, 11, 22)


def ranked_names(db, project) -> list[str]:
    db.commit()
    return [profile.display_name for profile, _match in ranking.matches_for_project(db, project, today=TODAY).matches]


def test_edits_additions_and_deletions_show_in_the_next_ranking_without_a_rebuild(db):
    town = make_organisation(db, verified=True)
    project = make_project(db, town, needs=(("dssp2-36", 4, True),))
    first = make_profile(db, display_name="一人目", skills={"dssp2-36": 2})
    make_profile(db, display_name="二人目", skills={"dssp2-36": 3})
    assert ranked_names(db, project) == ["二人目", "一人目"]
    built = ranking._cache[str(db.get_bind().url)].index

    third = make_profile(db, display_name="三人目", skills={"dssp2-36": 4})
    assert ranked_names(db, project)[0] == "三人目"

    first.skills[0].level = 4
    first.updated_at = utcnow()
    db.delete(third)
    assert ranked_names(db, project) == ["一人目", "二人目"]

    first.visibility = Visibility.PRIVATE
    first.updated_at = utcnow()
    assert ranked_names(db, project) == ["二人目"]
    assert ranking._cache[str(db.get_bind().url)].index is built  # never rebuilt


def test_a_change_that_commits_late_with_an_older_stamp_is_not_missed(db):
    town = make_organisation(db, verified=True)
    project = make_project(db, town, needs=(("dssp2-36", 4, True),))
    late = make_profile(db, display_name="遅れた人", skills={"dssp2-36": 1})
    make_profile(db, display_name="先の人", skills={"dssp2-36": 2})
    assert ranked_names(db, project) == ["先の人", "遅れた人"]
    # Its transaction stamped the row before the other one's, but committed after this ranking.
    late.skills[0].level = 4
    late.updated_at = utcnow() - timedelta(seconds=2)
    assert ranked_names(db, project)[0] == "遅れた人"


def test_the_index_is_rebuilt_once_the_delta_grows_large(db, monkeypatch):
    monkeypatch.setattr(ranking, "REBUILD_AFTER", 1)
    town = make_organisation(db, verified=True)
    project = make_project(db, town, needs=(("dssp2-36", 4, True),))
    make_profile(db, display_name="一人目", skills={"dssp2-36": 3})
    ranked_names(db, project)
    built = ranking._cache[str(db.get_bind().url)].index
    make_profile(db, display_name="二人目", skills={"dssp2-36": 2})
    make_profile(db, display_name="三人目", skills={"dssp2-36": 4})
    ranked_names(db, project)  # the delta now holds two
    assert ranked_names(db, project) == ["三人目", "一人目", "二人目"]
    assert ranking._cache[str(db.get_bind().url)].index is not built


def test_a_claimed_badge_raises_the_person_in_the_next_ranking(client, db, login, make_client):
    """Claiming changes skill rows only; the profile's stamp moves too, so the index takes it in."""
    from tests.web.test_credentials import award, create_achievement, setup_issuer

    school = make_organisation(db, kind="school", verified=True)
    town = make_organisation(db, verified=True)
    project = make_project(db, town, needs=(("dssp2-35", 2, True),))
    learner = make_user(db, email="learner@example.jp")
    people = [make_profile(db, owner=learner, display_name="学習者", skills={"dssp2-35": 1}),
              make_profile(db, display_name="他の人", skills={"dssp2-35": 2})]  # fmt: skip
    for person in people:  # edited long ago: past the window in which recent stamps are re-read
        person.updated_at = utcnow() - timedelta(hours=1)
    assert ranked_names(db, project) == ["他の人", "学習者"]
    setup_issuer(client, login, school)
    credential_id = award(client, create_achievement(client, school, skill_level="3"))
    learner_client = make_client()
    login(learner_client, learner)
    assert learner_client.post(f"/credentials/{credential_id}/claim").status_code == 302
    db.expire_all()
    assert ranked_names(db, project) == ["学習者", "他の人"]
