"""SQLite under concurrent writers: BEGIN IMMEDIATE makes writers queue instead of failing (SC-22)."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from talentbank import db as tb_db
from talentbank.credentials import achievements, issuers, issuing
from talentbank.credentials.context import issuer_context
from talentbank.credentials.inputs import AchievementInput, AwardInput
from talentbank.db import make_engine
from talentbank.models import Credential, Organisation, User
from tests.factories import make_organisation

WRITERS = 8
TRANSACTIONS = 100


def _writer(url: str, number: int, results) -> None:
    engine = make_engine(url)
    locked = 0
    for step in range(TRANSACTIONS):
        try:
            with engine.begin() as connection:
                # read-then-write: the pattern that fails with a deferred BEGIN
                current = connection.execute(sa.text("SELECT value FROM counter WHERE id = 1")).scalar_one()
                connection.execute(sa.text("UPDATE counter SET value = :v WHERE id = 1"), {"v": current + 1})
                connection.execute(sa.text("INSERT INTO log (writer, step) VALUES (:w, :s)"), {"w": number, "s": step})
        except sa.exc.OperationalError:
            locked += 1
    engine.dispose()
    results.put(locked)


def test_eight_concurrent_writers_never_see_database_is_locked(tmp_path):
    url = f"sqlite:///{tmp_path / 'concurrency.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)"))
        connection.execute(sa.text("CREATE TABLE log (writer INTEGER, step INTEGER)"))
        connection.execute(sa.text("INSERT INTO counter VALUES (1, 0)"))
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [context.Process(target=_writer, args=(url, n, results)) for n in range(WRITERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    locked = sum(results.get(timeout=5) for _ in processes)
    with engine.connect() as connection:
        value = connection.execute(sa.text("SELECT value FROM counter")).scalar_one()
        rows = connection.execute(sa.text("SELECT count(*) FROM log")).scalar_one()
    engine.dispose()
    assert locked == 0
    assert value == rows == WRITERS * TRANSACTIONS  # no lost update either


_FAIL_LOGINS = """
import os, sys
from tests.conftest import make_test_app
from pathlib import Path
app = make_test_app(sys.argv[1], Path(sys.argv[2]), REDIS_URL=sys.argv[3], RATELIMIT_KEY_PREFIX=sys.argv[5])
client = app.test_client()
codes = [client.post("/login", data={"email": "shared@example.jp", "password": "wrong"}).status_code
         for _ in range(int(sys.argv[4]))]
print(" ".join(map(str, codes)))
"""


def _worker(database_url: str, folder, redis_url: str, attempts: int, prefix: str = "") -> list[int]:
    folder.mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", _FAIL_LOGINS, database_url, str(folder), redis_url, str(attempts), prefix],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return [int(code) for code in result.stdout.split()]


def test_rate_limits_are_shared_between_processes_through_redis(database_url, tmp_path):
    """Two worker processes with TALENTBANK_REDIS_URL count login failures together. The counters carry a
    prefix of this run's own, so another run on the same Redis (the SQLite and PostgreSQL halves of
    `make test` run at once) neither adds to them nor clears them."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    prefix = f"test-{uuid.uuid4().hex}"
    server = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    try:
        assert _worker(database_url, tmp_path / "a", url, 10, prefix) == [422] * 10
        assert _worker(database_url, tmp_path / "b", url, 2, prefix) == [429, 429]
        assert any(True for _ in server.scan_iter(f"*{prefix}*"))  # the counters were in Redis
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)


def test_without_redis_each_process_counts_alone(database_url, tmp_path):
    assert _worker(database_url, tmp_path / "a", "", 10) == [422] * 10
    assert _worker(database_url, tmp_path / "b", "", 1) == [422]


ISSUERS = 2
AWARDS_EACH = 800  # two random batches this big would share an index ~5 times (800² / 131,072)


def test_concurrent_issuers_to_one_status_list_never_share_an_index(app, db):
    """Two issuers run `issue_credentials` on one status list at the same moment (threads, each its
    own connection): both succeed and every credential has its own index. The list row is locked
    while a batch picks its indexes (FOR NO KEY UPDATE on PostgreSQL; SQLite queues writers)."""
    school = make_organisation(db, kind="school", verified=True)
    owner_id, school_id = school.memberships[0].user_id, school.id
    db.commit()
    with app.test_request_context():
        owner, organisation = tb_db.session.get(User, owner_id), tb_db.session.get(Organisation, school_id)
        issuers.setup_issuer(tb_db.session, owner, organisation, issuer_context())
        achievement = achievements.create_achievement(tb_db.session, owner, organisation, AchievementInput(
            name="並行発行", description="d", criteria="c", tags="", expiry_months=None, proof_format="jwt",
            skill_code="dssp2-35", skill_level=2, skill_code_2="", skill_level_2=1))  # fmt: skip
        tb_db.session.commit()
        achievement_id = str(achievement.public_id)
    start = threading.Barrier(ISSUERS)
    errors: list[BaseException] = []

    def issue(number: int) -> None:
        awards = [(AwardInput(email=f"t{number}-{n}@example.jp", name="並行", evidence_url="", narrative=""), None)
                  for n in range(AWARDS_EACH)]  # fmt: skip
        with app.test_request_context():
            start.wait()
            try:
                session = tb_db.session
                issued = issuing.issue_credentials(session, session.get(User, owner_id),
                                                    achievements.get_achievement(session, achievement_id), awards,
                                                    issuer_context())  # fmt: skip
                time.sleep(0.2)  # keep the batch open while the other issuer is at work
                session.commit()
                assert len(issued) == AWARDS_EACH
            except BaseException as error:
                errors.append(error)

    threads = [threading.Thread(target=issue, args=(n,)) for n in range(ISSUERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.expire_all()
    rows = db.execute(sa.select(Credential.status_list_id, Credential.status_index)).all()
    assert len(rows) == len(set(rows)) == ISSUERS * AWARDS_EACH
