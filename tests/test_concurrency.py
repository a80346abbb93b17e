"""SQLite under concurrent writers: BEGIN IMMEDIATE makes writers queue instead of failing (SC-22)."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from talentbank.db import make_engine

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
app = make_test_app(sys.argv[1], Path(sys.argv[2]), REDIS_URL=sys.argv[3])
client = app.test_client()
codes = [client.post("/login", data={"email": "shared@example.jp", "password": "wrong"}).status_code
         for _ in range(int(sys.argv[4]))]
print(" ".join(map(str, codes)))
"""


def _worker(database_url: str, folder, redis_url: str, attempts: int) -> list[int]:
    folder.mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", _FAIL_LOGINS, database_url, str(folder), redis_url, str(attempts)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return [int(code) for code in result.stdout.split()]


def test_rate_limits_are_shared_between_processes_through_redis(database_url, tmp_path):
    """Two worker processes with TALENTBANK_REDIS_URL count login failures together."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    try:
        assert _worker(database_url, tmp_path / "a", url, 10) == [422] * 10
        assert _worker(database_url, tmp_path / "b", url, 2) == [429, 429]
    finally:
        redis.Redis.from_url(url).flushdb()


def test_without_redis_each_process_counts_alone(database_url, tmp_path):
    assert _worker(database_url, tmp_path / "a", "", 10) == [422] * 10
    assert _worker(database_url, tmp_path / "b", "", 1) == [422]
