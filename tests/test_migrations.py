"""The schema lives in Alembic revisions: they run up and down on SQLite and PostgreSQL and match the models."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

from talentbank.cli import alembic_config
from talentbank.db import Base, make_engine
from talentbank.models import Achievement, Credential, ImportedCredential, ProfileSkill, ProofFormat, StatusList
from talentbank.reference.loader import load_reference_data
from tests.factories import make_organisation


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_upgrade_downgrade_upgrade_and_models_match(empty_database_url):
    config = alembic_config(empty_database_url)
    command.upgrade(config, "head")
    assert table_names(empty_database_url) >= set(Base.metadata.tables)
    command.check(config)  # raises if autogenerate would find any difference from the models

    command.downgrade(config, "base")
    assert table_names(empty_database_url) <= {"alembic_version"}

    command.upgrade(config, "head")
    assert table_names(empty_database_url) >= set(Base.metadata.tables)


def test_downgrade_below_0011_writes_vc_jwt_documents_back(empty_database_url):
    """From 0011 on a VC-JWT credential's document lives only in its JWT; going back puts it in the column."""
    config = alembic_config(empty_database_url)
    command.upgrade(config, "head")
    engine = make_engine(empty_database_url)
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:x:1", "name": "データ"}
    payload = {**document, "iss": "did:web:x", "jti": "urn:x:1", "nbf": 1}
    token = ".".join(
        base64.urlsafe_b64encode(part).rstrip(b"=").decode()
        for part in (b'{"alg":"EdDSA"}', json.dumps(payload).encode(), b"signature")
    )
    with Session(engine) as session:
        load_reference_data(session)
        organisation = make_organisation(session, verified=True)
        achievement = Achievement(organisation=organisation, name="a", description="d", criteria="c")
        status_list = StatusList(organisation=organisation, encoded_list="u")
        session.add(Credential(achievement=achievement, status_list=status_list, status_index=1, jwt=token,
                               recipient_email="r@example.jp", recipient_name="r", proof_format=ProofFormat.JWT))  # fmt: skip
        session.commit()
    try:
        command.downgrade(config, "0010")
        with engine.connect() as connection:
            stored = connection.execute(sa.text("SELECT document FROM credentials")).scalar_one()
        assert (json.loads(stored) if isinstance(stored, str) else stored) == document
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def _jwt(payload: dict) -> str:
    return ".".join(
        base64.urlsafe_b64encode(part).rstrip(b"=").decode()
        for part in (b'{"alg":"EdDSA"}', json.dumps(payload).encode(), b"signature")
    )


def test_0012_copies_each_badge_skills_validity_from_its_credential(empty_database_url):
    """Badge rows stored before 0012 get their credential's validUntil (claimed: the credential row;
    imported: the stored document's validUntil, or the JWT's exp), and imports get checked_at."""
    from datetime import UTC, datetime

    from talentbank.models import Profile, User

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0011")
    engine = make_engine(empty_database_url)
    claimed_until = datetime(2027, 3, 31, 12, tzinfo=UTC)
    document_until = datetime(2027, 6, 1, tzinfo=UTC)
    jwt_exp = datetime(2028, 1, 1, tzinfo=UTC)
    imported_at = datetime(2026, 11, 30, 9, tzinfo=UTC)
    # The tables as 0011 left them: the models' columns without the ones 0012 (and 0023) add.
    skills = sa.table("profile_skills", *(sa.column(c.name, c.type) for c in ProfileSkill.__table__.c
                                          if c.name != "valid_until"))  # fmt: skip
    imports = sa.table("imported_credentials", *(sa.column(c.name, c.type) for c in ImportedCredential.__table__.c
                                                 if c.name not in ("valid_until", "checked_at", "badge_format",
                                                                   "other_alignments")))  # fmt: skip
    with Session(engine) as session:
        load_reference_data(session)
        organisation = make_organisation(session, verified=True)
        achievement = Achievement(organisation=organisation, name="a", description="d", criteria="c")
        # status_lists as 0011 knew it: without the `holds` column the learner-records revision adds.
        status_lists = sa.table("status_lists", *(sa.column(c.name, c.type) for c in StatusList.__table__.c
                                                  if c.name != "holds"))  # fmt: skip
        status_list_id = session.execute(
            status_lists.insert()
            .values(public_id=uuid.uuid4(), organisation_id=organisation.id, encoded_list="u", size_bits=131072,
                    updated_at=imported_at)
            .returning(status_lists.c.id)
        ).scalar_one()  # fmt: skip
        credential = Credential(achievement=achievement, status_list_id=status_list_id, status_index=1, jwt=_jwt({}),
                                recipient_email="r@example.jp", recipient_name="r", proof_format=ProofFormat.JWT,
                                valid_until=claimed_until)  # fmt: skip
        session.add(credential)
        user = session.scalars(sa.select(User)).first()
        # Later revisions add profile columns; the copy without them writes the row as 0011 knew it.
        profiles = sa.Table("profiles", sa.MetaData(), *(c._copy() for c in Profile.__table__.c
                                                          if c.name not in ("is_student", "school_name", "shows_learning")))  # fmt: skip
        profile = session.execute(
            profiles.insert().values(user_id=user.id, display_name="r").returning(profiles.c.id, profiles.c.public_id)
        ).one()
        documents = {
            1: json.dumps({"validUntil": "2027-06-01T00:00:00Z", "name": "JSON"}),
            2: _jwt({"vc": {"name": "JWT"}, "exp": int(jwt_exp.timestamp())}),
            3: json.dumps({"name": "no end"}),
        }
        public_ids = {}
        for number, raw in documents.items():
            public_ids[number] = uuid.uuid4()
            session.execute(imports.insert().values(id=number, public_id=public_ids[number], profile_id=profile.id,
                            raw=raw, achievement_name="x", issuer_name="y", is_verified=True, recipient_matches=True,
                            check_codes=[], skills=[], imported_at=imported_at))  # fmt: skip
        evidence = {
            1: f"/credentials/{credential.public_id}",
            2: f"/people/{profile.public_id}#imported-{public_ids[1]}",
            3: f"/people/{profile.public_id}#imported-{public_ids[2]}",
            4: f"/people/{profile.public_id}#imported-{public_ids[3]}",
        }
        codes = {1: "dssp2-35", 2: "dssp2-36", 3: "dssp2-52", 4: "dssp2-40"}
        for number, url in evidence.items():
            session.execute(skills.insert().values(id=number, profile_id=profile.id, skill_code=codes[number],
                            level=2, source="badge", evidence_url=url, created_at=imported_at))  # fmt: skip
        session.execute(skills.insert().values(id=5, profile_id=profile.id, skill_code="dssp2-06", level=1,
                        source="self", evidence_url=None, created_at=imported_at))  # fmt: skip
        session.commit()
    try:
        command.upgrade(config, "0012")
        with Session(engine) as session:
            rows = {row.id: row.valid_until for row in session.scalars(sa.select(ProfileSkill))}
            assert rows == {1: claimed_until, 2: document_until, 3: jwt_exp, 4: None, 5: None}
            at_0012 = sa.select(ImportedCredential.id, ImportedCredential.valid_until, ImportedCredential.checked_at)
            stored = {row.id: (row.valid_until, row.checked_at) for row in session.execute(at_0012)}
            assert stored == {1: (document_until, imported_at), 2: (jwt_exp, imported_at), 3: (None, imported_at)}
        command.downgrade(config, "0011")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("profile_skills")}
        assert "valid_until" not in columns
        assert {"valid_until", "checked_at"}.isdisjoint(
            c["name"] for c in sa.inspect(engine).get_columns("imported_credentials")
        )
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_0015_fills_opened_at_from_the_last_audit_event_that_opened_each_project(empty_database_url):
    """Drafts stay null; a project gets the time of the latest `project.status` event that opened it, else
    its created_at if its status is only reached through open; a cancelled one without such an event stays null."""
    from datetime import UTC, datetime, timedelta

    from talentbank.models import AuditEvent, Project, ProjectPay, ProjectStatus, ProjectWorkMode, Theme

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0014")
    engine = make_engine(empty_database_url)
    created = datetime(2026, 6, 1, 9, tzinfo=UTC)
    first, closed, reopened = (created + timedelta(days=days) for days in (30, 60, 90))
    # The projects table as 0014 left it: the model's columns without opened_at (and later columns).
    later = {"opened_at", "start_slack_days"}
    projects = sa.Table("projects", sa.MetaData(), *(c._copy() for c in Project.__table__.c if c.name not in later))
    statuses = {
        "draft": ProjectStatus.DRAFT,
        "opened": ProjectStatus.OPEN,
        "reopened": ProjectStatus.OPEN,
        "closed_before_the_log": ProjectStatus.CLOSED,
        "open_before_the_log": ProjectStatus.OPEN,
        "cancelled_as_draft": ProjectStatus.CANCELLED,
        "cancelled_after_opening": ProjectStatus.CANCELLED,
        "completed_by_an_erased_account": ProjectStatus.COMPLETED,
    }
    with Session(engine) as session:
        load_reference_data(session)
        organisation = make_organisation(session, verified=True)
        ids, public_ids = {}, {}
        for name, status in statuses.items():
            public_ids[name] = uuid.uuid4()
            ids[name] = session.execute(projects.insert().values(
                public_id=public_ids[name], organisation_id=organisation.id, title=name, problem="p",
                expected_outcome="o", theme=Theme.OTHER, municipality_code="011002", work_mode=ProjectWorkMode.REMOTE,
                hours_per_week=4, starts_on=created.date(), pay_kind=ProjectPay.VOLUNTEER, status=status,
                created_at=created, updated_at=created,
            ).returning(projects.c.id)).scalar_one()  # fmt: skip

        def status_event(name: str, when: datetime, **details) -> AuditEvent:
            return AuditEvent(occurred_at=when, action="project.status", object_type="project",
                              object_id=str(public_ids[name]), details=details)  # fmt: skip

        session.add_all([
            status_event("draft", first, status="cancelled"),  # not a real history, but drafts stay null whatever
            status_event("opened", first, status="open"),
            status_event("reopened", first, status="open"),
            status_event("reopened", closed, status="closed"),
            status_event("reopened", reopened, status="open"),
            status_event("cancelled_as_draft", first, status="cancelled"),
            status_event("cancelled_after_opening", first, status="open"),
            status_event("cancelled_after_opening", closed, status="cancelled"),
            status_event("completed_by_an_erased_account", first),  # details erased with the account
            AuditEvent(occurred_at=first, action="project.status", object_type="project", object_id="not-a-uuid",
                       details={"status": "open"}),
            AuditEvent(occurred_at=reopened, action="project.update", object_type="project",
                       object_id=str(public_ids["opened"]), details={"status": "open"}),
        ])  # fmt: skip
        session.commit()
    try:
        command.upgrade(config, "0015")
        with Session(engine) as session:
            stored = dict(session.execute(sa.select(Project.id, Project.opened_at)).all())
        assert {name: stored[ids[name]] for name in statuses} == {
            "draft": None,
            "opened": first,
            "reopened": reopened,
            "closed_before_the_log": created,
            "open_before_the_log": created,
            "cancelled_as_draft": None,
            "cancelled_after_opening": first,
            "completed_by_an_erased_account": created,
        }
        command.downgrade(config, "0014")
        assert "opened_at" not in {c["name"] for c in sa.inspect(engine).get_columns("projects")}
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_0016_compresses_signed_credentials_with_lz4_on_postgresql(empty_database_url):
    """PostgreSQL compresses the ~3 kB VC-JWTs (and the other signed or mailed text) with lz4 from
    0016 on: half the cost of the default pglz per stored credential. Down to 0015, the default again."""
    if not empty_database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite does not compress columns")
    config = alembic_config(empty_database_url)
    command.upgrade(config, "head")
    engine = make_engine(empty_database_url)
    columns = [("credentials", "jwt"), ("credentials", "document"), ("endorsements", "document"),
               ("imported_credentials", "raw"), ("outbox_messages", "body_text")]  # fmt: skip

    def methods() -> set[str]:
        with engine.connect() as connection:
            return {
                connection.execute(
                    sa.text(
                        "SELECT attcompression FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) AND attname = :c"
                    ),
                    {"t": table, "c": column},
                ).scalar_one()
                for table, column in columns
            }

    try:
        assert methods() == {"l"}
        command.downgrade(config, "0015")
        assert methods() == {""}
        command.upgrade(config, "head")
        assert methods() == {"l"}
    finally:
        engine.dispose()


def test_0021_keeps_every_work_mode_and_travel_limit_and_adds_onsite_days(empty_database_url):
    """0021 adds profiles.onsite_days_per_month (null: no limit said); the three work modes (hybrid now reads
    "both") and the travel limits stay as they were, up and down."""
    from talentbank.models import Profile, User, WorkMode

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0020")
    engine = make_engine(empty_database_url)
    # The profiles table as 0020 left it: the model's columns without onsite_days_per_month.
    profiles = sa.Table("profiles", sa.MetaData(),
                        *(c._copy() for c in Profile.__table__.c if c.name not in ("onsite_days_per_month", "shows_learning")))  # fmt: skip
    before = {WorkMode.REMOTE: None, WorkMode.ONSITE: 30, WorkMode.HYBRID: 120}
    with Session(engine) as session:
        load_reference_data(session)
        for mode, km in before.items():
            user = User(email=f"{mode.value}@example.jp", display_name=mode.value, password_hash="x")
            session.add(user)
            session.flush()
            session.execute(profiles.insert().values(
                public_id=uuid.uuid4(), user_id=user.id, display_name=mode.value, work_mode=mode, max_travel_km=km,
            ))  # fmt: skip
        session.commit()
    try:
        command.upgrade(config, "0021")
        read = sa.select(profiles.c.work_mode, profiles.c.max_travel_km)
        with engine.connect() as conn:
            assert {str(m): km for m, km in conn.execute(read).all()} == {m.value: km for m, km in before.items()}
            assert set(conn.execute(sa.text("SELECT onsite_days_per_month FROM profiles")).scalars()) == {None}
            conn.execute(sa.text("UPDATE profiles SET onsite_days_per_month = 4"))
            conn.commit()
        command.downgrade(config, "0020")
        assert "onsite_days_per_month" not in {c["name"] for c in sa.inspect(engine).get_columns("profiles")}
        with engine.connect() as conn:
            assert {str(m): km for m, km in conn.execute(read).all()} == {m.value: km for m, km in before.items()}
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_0026_every_existing_status_list_holds_badges_and_records_go_on_their_own(empty_database_url):
    """The learner-records revision (#16) marks every existing status list as holding badges; a records list
    and its learner records go on downgrade, and the badges lists stay."""
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0025")
    engine = make_engine(empty_database_url)
    try:
        with Session(engine) as session:
            load_reference_data(session)
            organisation = make_organisation(session, verified=True)
            session.execute(sa.text("INSERT INTO status_lists (public_id, organisation_id, encoded_list, size_bits, "
                                    "updated_at) VALUES (:p, :o, 'u', 8, CURRENT_TIMESTAMP)"),
                            {"p": uuid.uuid4().hex, "o": organisation.id})  # fmt: skip
            session.commit()
        command.upgrade(config, "head")
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT holds FROM status_lists")).scalars().all() == ["badges"]
            connection.execute(sa.text("UPDATE status_lists SET holds = 'records'"))
            connection.commit()
        command.downgrade(config, "0025")
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM status_lists")).scalar_one() == 0
        assert "learner_records" not in table_names(empty_database_url)
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_0024_gives_every_project_30_days_of_start_slack(empty_database_url):
    """0024 adds projects.start_slack_days: existing projects get the 30 days matching assumed for all,
    so no ranking changes; downgrade drops the column and keeps the project."""
    from talentbank.models import Project, ProjectPay, ProjectStatus, ProjectWorkMode, Theme

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0023")
    engine = make_engine(empty_database_url)
    projects = sa.Table("projects", sa.MetaData(),
                        *(c._copy() for c in Project.__table__.c if c.name != "start_slack_days"))  # fmt: skip
    with Session(engine) as session:
        load_reference_data(session)
        town = make_organisation(session)
        session.execute(projects.insert().values(
            public_id=uuid.uuid4(), organisation_id=town.id, title="除雪", problem="p", expected_outcome="o",
            theme=Theme.ADMIN_DX, municipality_code="016331", work_mode=ProjectWorkMode.REMOTE, hours_per_week=4,
            starts_on=sa.func.current_date(), pay_kind=ProjectPay.VOLUNTEER, pay_yen=0, travel_covered=False, seats=1,
            is_internship=False, is_students_only=False, eligibility="", status=ProjectStatus.OPEN,
        ))  # fmt: skip
        session.commit()
    try:
        command.upgrade(config, "0024")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT start_slack_days FROM projects")).scalars().all() == [30]
        command.downgrade(config, "0023")
        assert "start_slack_days" not in {c["name"] for c in sa.inspect(engine).get_columns("projects")}
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT title FROM projects")).scalars().all() == ["除雪"]
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_0025_fills_the_supply_counts_from_the_profiles_stored(empty_database_url):
    """0025 counts the people already stored (each once per skill at their best level, verified if any
    claim is; once per category group and for any skill), as the app then keeps them; downgrade drops
    the tables and the valid_until index. Writes before it (no tables yet) leave the listeners idle."""
    from datetime import UTC, datetime, timedelta

    from talentbank.models import Profile, SkillSource, Visibility
    from tests.factories import make_user
    from tests.supply_oracle import assert_counts_right

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0024")
    engine = make_engine(empty_database_url)
    expired = datetime.now(UTC) - timedelta(days=1)
    people = [  # (home, visibility, hidden, disabled, skills as (code, level, source, valid_until))
        ("011002", Visibility.PUBLIC, False, False, [("dssp2-36", 2, "self", None), ("dssp2-36", 3, "badge", None)]),
        ("011002", Visibility.MEMBERS, False, False, [("dssp2-36", 1, "self", None), ("dssl-01", 2, "project", None)]),
        ("012025", Visibility.PUBLIC, False, False, [("dssp2-35", 4, "badge", expired), ("dssp2-35", 1, "self", None)]),
        ("011002", Visibility.PRIVATE, False, False, [("dssp2-36", 4, "self", None)]),
        ("011002", Visibility.PUBLIC, True, False, [("dssp2-36", 4, "self", None)]),
        ("011002", Visibility.PUBLIC, False, True, [("dssp2-36", 4, "self", None)]),
        (None, Visibility.PUBLIC, False, False, [("dssp2-36", 4, "self", None)]),
    ]
    with Session(engine) as session:
        load_reference_data(session)
        for home, visibility, hidden, disabled, claims in people:
            profile = Profile(user=make_user(session, is_disabled=disabled), display_name="p", visibility=visibility,
                              is_hidden=hidden, home_municipality_code=home)  # fmt: skip
            profile.skills = [ProfileSkill(skill_code=code, level=level, source=SkillSource(source), valid_until=until)
                              for code, level, source, until in claims]  # fmt: skip
            session.add(profile)
        session.commit()
    try:
        command.upgrade(config, "0025")
        with Session(engine) as session:
            cells, groups = assert_counts_right(session)  # read at now (the expired badge left out) and as stored
            assert sum(people for (_sub, group), (people, _v) in groups.items() if group == "*") == 3
            assert (1, 1) in cells.values() and len(cells) == 4
        command.downgrade(config, "0024")
        assert {"supply_cells", "supply_groups"}.isdisjoint(table_names(empty_database_url))
        assert "ix_profile_skills_valid_until" not in {
            i["name"] for i in sa.inspect(engine).get_indexes("profile_skills")
        }
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_0027_fills_the_search_index_audience_and_updated_at(empty_database_url):
    """0027 copies each index row's profile audience (hidden → 0, public → 1, members → 2)
    and updated_at onto the row; downgrade drops both columns and keeps the rows."""
    from datetime import UTC, datetime

    from talentbank.models import Profile, ProfileSearchTerm, User

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0026")
    engine = make_engine(empty_database_url)
    terms = sa.Table("profile_search_terms", sa.MetaData(),
                     *(c._copy() for c in ProfileSearchTerm.__table__.c if c.name in {"profile_id", "term", "weight"}))  # fmt: skip
    people = [("public", False), ("members", False), ("public", True)]
    try:
        with engine.begin() as conn:
            for n, (visibility, hidden) in enumerate(people):
                user_id = conn.execute(User.__table__.insert().values(
                    email=f"m{n}@example.jp", display_name="人材", password_hash="x").returning(User.__table__.c.id)
                ).scalar()  # fmt: skip
                when = datetime(2026, 12, n + 1, 10, tzinfo=UTC)
                profile_id = conn.execute(Profile.__table__.insert().values(
                    user_id=user_id, display_name="人材", headline="酪農", visibility=visibility, is_hidden=hidden,
                    motives=[], updated_at=when).returning(Profile.__table__.c.id)
                ).scalar()  # fmt: skip
                conn.execute(terms.insert().values(profile_id=profile_id, term="酪農", weight=3.0))
        command.upgrade(config, "0027")
        read = sa.select(Profile.visibility, Profile.is_hidden, ProfileSearchTerm.audience,
                         ProfileSearchTerm.updated_at == Profile.updated_at)  # fmt: skip
        read = read.join(Profile, Profile.id == ProfileSearchTerm.profile_id).order_by(Profile.id)
        with engine.connect() as conn:
            rows = [(str(v), bool(h), a, bool(same)) for v, h, a, same in conn.execute(read).all()]
        assert rows == [("public", False, 1, True), ("members", False, 2, True), ("public", True, 0, True)]
        command.downgrade(config, "0026")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("profile_search_terms")}
        assert columns == {"profile_id", "term", "weight"}
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(terms)).scalar() == 3
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_0030_indexes_the_phrases_of_existing_profiles_and_downgrade_drops_them(empty_database_url):
    """The phrases revision (#18) adds each existing profile's phrases (three to eight kanji/katakana
    characters) with the summed weight of their bigrams and the rows' audience and updated_at, as the
    app's `index_rows` writes them; downgrade deletes them and keeps the bigram rows."""
    from datetime import UTC, datetime

    from talentbank.models import Profile, ProfileSearchTerm, User

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0029")
    engine = make_engine(empty_database_url)
    terms = ProfileSearchTerm.__table__
    try:
        with engine.begin() as conn:
            user_id = conn.execute(User.__table__.insert().values(
                email="p@example.jp", display_name="人材", password_hash="x").returning(User.__table__.c.id)
            ).scalar()  # fmt: skip
            when = datetime(2026, 12, 1, 10, tzinfo=UTC)
            profile_id = conn.execute(Profile.__table__.insert().values(
                user_id=user_id, display_name="人材", headline="データ分析", bio="データの分析", visibility="members",
                motives=[], updated_at=when).returning(Profile.__table__.c.id)
            ).scalar()  # fmt: skip
            bigrams = {"人材": 3.0, "デー": 4.0, "ータ": 4.0, "タ分": 3.0, "分析": 4.0}
            conn.execute(terms.insert(), [{"profile_id": profile_id, "term": term, "weight": weight, "audience": 2,
                                           "updated_at": when} for term, weight in bigrams.items()])  # fmt: skip
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rows = {r.term: (r.weight, r.audience, r.updated_at == when) for r in conn.execute(sa.select(terms))}
        assert rows["データ分析"] == (15.0, 2, True) and rows["データ"] == (8.0, 2, True)
        assert rows["タ分析"] == (7.0, 2, True) and len(rows) == len(bigrams) + 6  # データ分析: 3 + 2 + 1 phrases
        command.downgrade(config, "0029")
        with engine.connect() as conn:
            assert set(conn.execute(sa.select(terms.c.term)).scalars()) == set(bigrams)
        command.upgrade(config, "head")
    finally:
        engine.dispose()
