"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL when
TALENTBANK_TEST_DATABASE_URL is set), the app, a test session, a client, `login`, and `town` (a verified
municipality that posts projects).

Isolation: every test starts from the migrated schema with reference data loaded; the rows a test
writes are deleted afterwards (reference tables are kept). Requests and the test session commit for
real, so SQLite's BEGIN IMMEDIATE and PostgreSQL's transactions behave as in production.

Every OpenBadgeCredential and EndorsementCredential a test leaves in the database (all that the app
issued during it: credentials are never deleted but with their achievement) is validated against the
bundled official OB 3.0 JSON Schema before the rows go (`issued_documents`): an invalid one fails
that test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from badges.schema import ACHIEVEMENT_SCHEMA, ENDORSEMENT_SCHEMA, schema_errors
from badges.vc_jwt import credential_from_payload, read_payload_unverified
from talentbank import create_app
from talentbank import db as tb_db
from talentbank.cli import upgrade_database
from talentbank.config import resolve_database_url
from talentbank.db import Base, make_engine
from talentbank.extensions import limiter
from talentbank.models import Credential, Endorsement
from talentbank.projects import ranking
from talentbank.reference.loader import load_reference_data
from tests.factories import PASSWORD, make_organisation
from tests.integrity import check_database

REFERENCE_TABLES = {"subprefectures", "municipalities", "skills", "tool_tags", "tool_tag_skills", "alembic_version"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "timed: a timed requirement (e.g. 1,000 rows in a minute); in CI, a few seconds")
    config.addinivalue_line(
        "markers",
        "planted_credentials: the test writes placeholder credential rows itself (none issued by the app), "
        "so `issued_documents` does not check them",
    )


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The run's migrated database; once the run is over, it must pass tests/integrity.py (amcheck on PostgreSQL)."""
    url = os.environ.get("TALENTBANK_TEST_DATABASE_URL")
    if url:
        url = resolve_database_url(url, "")
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        load_reference_data(session)
        session.commit()
    engine.dispose()
    yield url
    engine = make_engine(url)
    with engine.connect() as connection:
        result = check_database(connection)
        connection.commit()
    engine.dispose()
    if result.problems:
        pytest.fail(f"the test database is not sound after the run: {result.summary()}", pytrace=False)


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A brand-new database of the kind under test (a throwaway PostgreSQL database, or a SQLite file)."""
    server_url = os.environ.get("TALENTBANK_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    server = sa.engine.make_url(resolve_database_url(server_url, ""))
    name = f"tb_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def make_test_app(database_url: str, tmp_path: Path, **overrides: object) -> Flask:
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PASSWORD_HASH": "fast",
        "SECURE_COOKIES": False,
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        # One session-wide app answers every test from 127.0.0.1; the limit's own test lowers it.
        "WALLET_PROTOCOL_LIMIT": "100000 per minute",
    }
    config.update(overrides)
    os.environ["TALENTBANK_INSTANCE_PATH"] = str(tmp_path)
    return create_app(config)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_test_app(database_url, tmp_path_factory.mktemp("instance"))


class CommittingClient(FlaskClient):
    """Commits the test session before each request and expires it after, so both sides agree."""

    test_session: Session | None = None

    def open(self, *args, **kwargs):  # type: ignore[override]
        if self.test_session is not None:
            self.test_session.commit()
        try:
            return super().open(*args, **kwargs)
        finally:
            # The request ran in this thread's context; the test's own reads must not hold
            # SQLite's write lock while the next request wants it.
            tb_db.sqlite_begin_mode.set("DEFERRED")
            if self.test_session is not None:
                self.test_session.expire_all()


def _delete_test_rows(engine: sa.Engine) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with engine.begin() as connection:
        for table in tables:
            connection.execute(table.delete())


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    engine = app.extensions["talentbank.engine"]
    tb_db.sqlite_begin_mode.set("DEFERRED")
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        tb_db.session.remove()
        _delete_test_rows(engine)
        ranking.forget()
        limiter.reset()


class IssuedDocuments:
    """Checks the credential documents in the database against the official OB 3.0 JSON Schemas:
    each credential's Data Integrity JSON and its VC-JWT payload's credential (OpenBadgeCredential,
    achievement credential schema), and each endorsement's EndorsementCredential (endorsement schema)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.checked = 0

    def problems(self) -> list[str]:
        """One line per invalid document: which row, which part, the schema's first complaints."""
        found: list[str] = []
        self.checked = 0
        with self.engine.connect() as connection:
            credentials = connection.execute(
                sa.select(Credential.public_id, Credential.stored_document, Credential.jwt).order_by(Credential.id)
            )
            for public_id, document, token in credentials:
                parts = []
                if document is not None:
                    parts.append(("Data Integrity JSON", document))
                if token:
                    parts.append(("VC-JWT payload", credential_from_payload(read_payload_unverified(token))))
                if not parts:
                    found.append(f"credential {public_id}: no document and no JWT")
                for part, value in parts:
                    self.checked += 1
                    if errors := schema_errors(value, ACHIEVEMENT_SCHEMA):
                        found.append(f"credential {public_id} ({part}): {'; '.join(errors[:3])}")
            endorsements = connection.execute(
                sa.select(Endorsement.public_id, Endorsement.document).order_by(Endorsement.id)
            )
            for public_id, document in endorsements:
                self.checked += 1
                if errors := schema_errors(document, ENDORSEMENT_SCHEMA):
                    found.append(f"endorsement {public_id}: {'; '.join(errors[:3])}")
        return found


@pytest.fixture(autouse=True)
def issued_documents(request: pytest.FixtureRequest) -> Iterator[IssuedDocuments | None]:
    """For every test with the database: after it, every document it issued validates, or it fails.

    It takes `db` itself, so it is finished (and checks) before `db` deletes the test's rows.
    """
    if "db" not in request.fixturenames or request.node.get_closest_marker("planted_credentials"):
        yield None
        return
    request.getfixturevalue("db")
    checker = IssuedDocuments(request.getfixturevalue("app").extensions["talentbank.engine"])
    yield checker
    if problems := checker.problems():
        pytest.fail("issued documents fail the official OB 3.0 JSON Schema:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def make_client(app: Flask, db: Session):
    """Another browser (its own cookies) sharing the test session."""

    def _make_client(flask_app: Flask | None = None) -> CommittingClient:
        flask_app = flask_app or app
        flask_app.test_client_class = CommittingClient
        test_client = flask_app.test_client()
        test_client.test_session = db
        return test_client

    return _make_client


@pytest.fixture
def client(make_client) -> CommittingClient:
    return make_client()


@pytest.fixture
def csrf_enabled(app: Flask) -> Iterator[None]:
    """Turn CSRF protection on (it is off for the other tests' convenience)."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def town(db: Session):
    """A verified municipality (its owner is `town.memberships[0].user`) that posts projects."""
    return make_organisation(db, name="上士幌町 デジタル推進係", verified=True)


@pytest.fixture
def login():
    def _login(client: FlaskClient, user, password: str = PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return _login
