"""The command line: setup, idempotent reference and demo loading, admin creation, backup and restore."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank import create_app
from talentbank.models import Municipality, Organisation, Skill, Subprefecture, ToolTag, User


@pytest.fixture
def fresh_app(tmp_path, monkeypatch):
    monkeypatch.setenv("TALENTBANK_INSTANCE_PATH", str(tmp_path))
    return create_app({"PASSWORD_HASH": "fast", "TESTING": True})  # SQLite in the instance folder


def counts(app) -> dict[str, int]:
    engine = app.extensions["talentbank.engine"]
    with Session(engine) as session:
        return {
            model.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Subprefecture, Municipality, Skill, ToolTag, User, Organisation)
        }


def test_setup_loads_everything_once(fresh_app):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "demo data loaded" in result.output
    first = counts(fresh_app)
    assert first["subprefectures"] == 14 and first["municipalities"] == 179
    assert first["skills"] == 139 and first["tool_tags"] >= 40
    assert first["users"] >= 30 and first["organisations"] >= 6

    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0 and "demo data loaded" not in result.output
    assert runner.invoke(args=["load-demo"]).output.strip() == "demo data: 0 rows created"
    assert counts(fresh_app) == first


def test_load_reference_is_idempotent(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["upgrade-db"])
    first = runner.invoke(args=["load-reference"])
    assert "'created'" in first.output
    second = runner.invoke(args=["load-reference"])
    assert "'created'" not in second.output and "'updated'" not in second.output
    assert "'unchanged'" in second.output


def test_municipality_codes_have_valid_check_digits(fresh_app):
    fresh_app.test_cli_runner().invoke(args=["setup", "--no-demo"])
    with Session(fresh_app.extensions["talentbank.engine"]) as session:
        for municipality in session.scalars(sa.select(Municipality)):
            digits = [int(d) for d in municipality.code[:5]]
            total = sum(d * w for d, w in zip(digits, [6, 5, 4, 3, 2], strict=True))
            check = (11 - total % 11) % 10
            assert int(municipality.code[5]) == check, municipality.name_ja


def test_create_admin(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["setup", "--no-demo"])
    result = runner.invoke(
        args=["create-admin", "--email", "Root@Example.jp"],
        env={"TALENTBANK_ADMIN_PASSWORD": "a strong admin passphrase"},
    )
    assert result.exit_code == 0, result.output
    with Session(fresh_app.extensions["talentbank.engine"]) as session:
        admin = session.scalar(sa.select(User).where(User.email == "root@example.jp"))
        assert admin.is_admin and admin.email_verified_at is not None
    weak = runner.invoke(
        args=["create-admin", "--email", "x@example.jp"], env={"TALENTBANK_ADMIN_PASSWORD": "password"}
    )
    assert weak.exit_code != 0


def test_backup_and_restore(empty_database_url, tmp_path, monkeypatch):
    """SQLite backup API, or pg_dump/pg_restore when the suite runs on PostgreSQL."""
    monkeypatch.setenv("TALENTBANK_INSTANCE_PATH", str(tmp_path))
    app = create_app({"PASSWORD_HASH": "fast", "TESTING": True, "DATABASE_URL": empty_database_url})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    before = counts(app)
    backup = tmp_path / "talentbank.backup"
    result = runner.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    engine = app.extensions["talentbank.engine"]
    with engine.begin() as connection:
        connection.execute(sa.delete(Organisation))
    assert counts(app)["organisations"] == 0
    result = runner.invoke(args=["restore", "--yes", str(backup)])
    assert result.exit_code == 0, result.output
    assert counts(app) == before
    engine.dispose()


def test_demo_accounts_can_log_in(fresh_app):
    from talentbank.demo import ADMIN_EMAIL, DEMO_PASSWORD

    fresh_app.test_cli_runner().invoke(args=["setup"])
    fresh_app.config.update(WTF_CSRF_ENABLED=False, SECURE_COOKIES=False, SESSION_COOKIE_SECURE=False)
    client = fresh_app.test_client()
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "サイト管理" in client.get("/admin/").get_data(as_text=True)


def test_demo_internship_admits_its_students_and_ranks_only_them(fresh_app):
    """The demo shows the students-only rule at work: its internship is students-only, three people
    are students, and the internship's matches are those students alone."""
    from datetime import UTC, datetime

    from talentbank.models import Profile, Project
    from talentbank.projects import ranking

    fresh_app.test_cli_runner().invoke(args=["setup"])
    with Session(fresh_app.extensions["talentbank.engine"]) as session:
        internship = session.scalar(sa.select(Project).where(Project.is_internship.is_(True)))
        assert internship.is_students_only
        students = set(session.scalars(sa.select(Profile.id).where(Profile.is_student.is_(True))))
        assert len(students) == 3
        found = ranking.matches_for_project(session, internship, k=20, today=datetime.now(UTC).date(), k_near=20)
        matches = found.matches
        assert matches and {profile.id for profile, _match in matches} <= students
        # the demo shows near misses too: a remote-only student and one who lives too far
        stops = {profile.user.email.split("@")[0]: match.blocker.code for profile, match in found.near_misses}
        assert stops.get("inoue") == "no_onsite" and stops.get("shimizu") == "beyond_travel"


def test_demo_learning_closes_the_loop(fresh_app):
    """The demo shows 学びの場 end to end: three opportunities (one a PBL class on 上士幌町's drone
    project), 林 completed the KOSEN course and holds its badge, and 山田, who misses data analysis for
    帯広市's dairy project, is shown the prefecture's applied course as the way to close it."""
    from datetime import UTC, datetime

    from talentbank.learning import paths
    from talentbank.models import Enrolment, EnrolmentStatus, LearningOpportunity, Profile

    fresh_app.test_cli_runner().invoke(args=["setup"])
    with Session(fresh_app.extensions["talentbank.engine"]) as session:
        offered = session.scalars(sa.select(LearningOpportunity)).all()
        assert len(offered) == 3 and any(o.project_id for o in offered)
        completed = session.scalars(sa.select(Enrolment).where(Enrolment.status == EnrolmentStatus.COMPLETED)).all()
        assert len(completed) == 1 and completed[0].credential_id is not None
        yamada = session.scalar(sa.select(Profile).join(User).where(User.email.like("yamada@%")))
        found = paths.paths_for_person(session, yamada, today=datetime.now(UTC).date())
        titles = {s.opportunity.title for p in found.paths for s in p.suggestions}
        assert "北海道DX人材育成講座：データ分析 応用" not in titles, "山田 is enrolled in it already"
        everyone = session.scalars(sa.select(Profile)).all()
        suggested = {s.opportunity.title for person in everyone
                     for p in paths.paths_for_person(session, person, today=datetime.now(UTC).date()).paths
                     for s in p.suggestions}  # fmt: skip
        assert "北海道DX人材育成講座：データ分析 応用" in suggested, "the demo shows a gap path to the course"


def test_demo_badge_was_delivered_to_a_wallet_and_its_holder_sees_it(fresh_app):
    from talentbank.demo import DEMO_DOMAIN, DEMO_PASSWORD
    from talentbank.demo_data import BADGE_RECIPIENTS
    from talentbank.models import WalletDelivery

    fresh_app.test_cli_runner().invoke(args=["setup"])
    with Session(fresh_app.extensions["talentbank.engine"]) as session:
        delivery = session.scalar(sa.select(WalletDelivery))
        assert delivery.holder_did.startswith("did:key:z6Mk")
        credential_id = delivery.credential.public_id
    fresh_app.config.update(WTF_CSRF_ENABLED=False, SECURE_COOKIES=False, SESSION_COOKIE_SECURE=False)
    client = fresh_app.test_client()
    email = f"{BADGE_RECIPIENTS[0]}@{DEMO_DOMAIN}"
    assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    page = client.get(f"/credentials/{credential_id}").get_data(as_text=True)
    assert "ウォレットへの送付" in page and "did:key:z6Mk" in page


def test_recount_supply_repairs_counts_changed_by_hand(fresh_app):
    from tests.supply_oracle import assert_counts_right

    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0  # the demo people are counted as they are seeded
    engine = fresh_app.extensions["talentbank.engine"]
    with Session(engine) as session:
        cells, groups = assert_counts_right(session)
        assert cells and groups
    with engine.begin() as connection:  # SQL outside the app: no listener sees it
        connection.execute(sa.text("UPDATE supply_groups SET people = people + 7"))
        connection.execute(sa.text("DELETE FROM supply_cells"))
    result = runner.invoke(args=["recount-supply"])
    assert result.exit_code == 0 and "supply counts rebuilt" in result.output
    with Session(engine) as session:
        assert assert_counts_right(session) == (cells, groups)
