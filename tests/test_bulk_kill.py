"""SC-20: kill -9 during bulk issuance of 1,000 badges (SQLite, or PostgreSQL with TALENTBANK_TEST_DATABASE_URL).

A worker subprocess (tests/bulk_worker.py) does what the bulk-award view does on "issue": skip the
rows whose idempotency key was already used, issue the rest in batches, commit per batch. It is
killed with SIGKILL at random points inside a batch (after the K-th "begin" line, plus a random
part of a batch's duration), re-run, killed again ... and finally left to finish. Then:

- after every kill: the database holds whole batches only (the count is the last reported progress,
  or that plus the batch in flight when the kill hit its COMMIT), credentials == mails == audit events,
  and the next run's "already issued" equals what is in the database;
- at the end: exactly 1,000 credentials, no duplicate idempotency key or status-list index, every
  CSV row's key present with its recipient, exactly one `credential_awarded` mail and one audit event
  per credential, all 1,000 verify, the worker's final progress == the count, and the database passes
  `PRAGMA integrity_check` / `foreign_key_check` (SQLite) or amcheck `bt_index_check(heapallindexed)`
  + `verify_heapam` (PostgreSQL; falls back to consistency queries when amcheck is unavailable).

TALENTBANK_BULK_KILLS (default 3; the nightly run uses >= 20) and TALENTBANK_KILL_SEED (to replay a
run; the seed is printed) tune it.
"""

from __future__ import annotations

import csv
import io
import math
import os
import queue
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from talentbank import db
from talentbank.cli import upgrade_database
from talentbank.credentials import achievements, bulk, issuers, records, verification
from talentbank.credentials.context import issuer_context
from talentbank.credentials.inputs import AchievementInput
from talentbank.db import make_engine
from talentbank.models import AuditEvent, Credential, OrganisationKind, OutboxMessage
from talentbank.reference.loader import load_reference_data
from tests.bulk_worker import worker_app
from tests.factories import make_organisation, make_user

ROOT = Path(__file__).resolve().parents[1]
WORKER = ROOT / "tests" / "bulk_worker.py"
ROWS = 1000
BATCH = 50
KILLS = int(os.environ.get("TALENTBANK_BULK_KILLS", "3"))
APPLICATION_NAME = "tb_bulk_kill_worker"
CREDENTIAL_LINK = re.compile(r"/credentials/([0-9a-f-]{36})")


# ---- the CSV ----------------------------------------------------------------------------------------


def award_csv(count: int) -> str:
    """A header and `count` rows; some with evidence URLs, narratives with commas, quotes and line breaks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "name", "evidence", "narrative"])
    for n in range(count):
        evidence = f"https://example.jp/portfolio/{n}" if n % 3 == 0 else ""
        narrative = ""
        if n % 4 == 1:
            narrative = f"課題{n}を完了、発表も行った。"
        elif n % 4 == 2:
            narrative = f'"{n}" 件目：データ分析,\n可視化まで'
        writer.writerow([f"Learner{n}@Example.jp", f"受講者 {n}番", evidence, narrative])
    return buffer.getvalue()


# ---- the worker subprocess ----------------------------------------------------------------------------


@dataclass
class Run:
    """One worker process and what it printed (each line with the time it arrived)."""

    process: subprocess.Popen
    lines: list[tuple[float, list[str]]] = field(default_factory=list)
    _queue: queue.Queue = field(default_factory=queue.Queue)

    @classmethod
    def start(cls, args: list[str], stderr_path: Path) -> Run:
        with stderr_path.open("a") as stderr:  # a file: an unread stderr pipe could fill and block the worker
            process = subprocess.Popen(
                [sys.executable, str(WORKER), *args],
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                cwd=ROOT,
            )
        run = cls(process)
        threading.Thread(target=run._read, daemon=True).start()
        return run

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put((time.monotonic(), line.split()))
        self._queue.put(None)

    def next_line(self, timeout: float) -> list[str] | None:
        """The next line's words, or None at the end of the output."""
        item = self._queue.get(timeout=timeout)
        if item is None:
            return None
        self.lines.append(item)
        return item[1]

    def kill(self) -> int:
        alive = self.process.poll() is None
        if alive:
            os.kill(self.process.pid, signal.SIGKILL)
        returncode = self.process.wait(timeout=30)
        while self.next_line(timeout=30) is not None:  # what was still in the pipe
            pass
        return returncode if alive else 0

    def batch_seconds(self) -> list[float]:
        started: float | None = None
        durations = []
        for moment, words in self.lines:
            if words[0] == "begin":
                started = moment
            elif words[0] == "progress" and started is not None:
                durations.append(moment - started)
        return durations


def progress_of(run: Run) -> tuple[int, int | None]:
    """(issued according to the last committed batch, size of a batch begun but not reported committed)."""
    reported = None
    in_flight = None
    for _, words in run.lines:
        if words[0] in {"progress", "done"}:
            reported, in_flight = int(words[1]), None
        elif words[0] == "start":
            reported = int(words[1])
        elif words[0] == "begin":
            in_flight = int(words[2])
    assert reported is not None, f"the worker printed no start line: {run.lines}"
    return reported, in_flight


# ---- database observations (from the parent, outside the app) ------------------------------------------


def counts(engine: sa.Engine, achievement_id: int) -> tuple[int, int, int]:
    """(credentials, credential_awarded mails, credential.issue audit events) as committed."""
    with engine.connect() as connection:
        credentials = connection.scalar(
            sa.select(sa.func.count()).select_from(Credential).where(Credential.achievement_id == achievement_id)
        )
        mails = connection.scalar(
            sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "credential_awarded")
        )
        audits = connection.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "credential.issue")
        )
    return credentials, mails, audits


def wait_for_dead_backend(engine: sa.Engine) -> None:
    """PostgreSQL: the killed worker's backend finishes (aborts, or completes a COMMIT it had received)."""
    if engine.dialect.name != "postgresql":
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            left = connection.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": APPLICATION_NAME},
            )
        if not left:
            return
        time.sleep(0.05)
    raise AssertionError("the killed worker's PostgreSQL backend is still there after 20 s")


def integrity_problems(url: str, engine: sa.Engine) -> tuple[str, list]:
    """What the database's own checker says is wrong (empty list when nothing)."""
    if engine.dialect.name == "sqlite":
        connection = sqlite3.connect(sa.engine.make_url(url).database)
        try:
            integrity = connection.execute("PRAGMA integrity_check").fetchall()
            foreign_keys = connection.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            connection.close()
        return "PRAGMA integrity_check + foreign_key_check", [r for r in integrity if r != ("ok",)] + foreign_keys
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        available = connection.scalar(sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'amcheck'"))
        if available:
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            # bt_index_check raises on a corrupt index; heapallindexed also checks every heap tuple is indexed.
            connection.execute(
                sa.text(
                    "SELECT bt_index_check(c.oid, true) FROM pg_index i"
                    " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE a.amname = 'btree' AND n.nspname = 'public'"
                )
            ).all()
            problems = connection.execute(
                sa.text(
                    "SELECT t.tablename, v.* FROM pg_tables t,"
                    " LATERAL verify_heapam(format('%I.%I', t.schemaname, t.tablename)::regclass) v"
                    " WHERE t.schemaname = 'public'"
                )
            ).all()
            return "amcheck bt_index_check(heapallindexed) + verify_heapam", list(problems)
        # Without amcheck: rows that break what the constraints promise, read through the heap.
        problems = connection.execute(
            sa.text(
                "SELECT 'orphan status list', c.id FROM credentials c"
                " LEFT JOIN status_lists s ON s.id = c.status_list_id WHERE s.id IS NULL"
                " UNION ALL SELECT 'orphan achievement', c.id FROM credentials c"
                " LEFT JOIN achievements a ON a.id = c.achievement_id WHERE a.id IS NULL"
            )
        ).all()
        return "consistency queries (amcheck unavailable)", list(problems)


# ---- the test ------------------------------------------------------------------------------------------


def test_kill_9_during_bulk_issuance_loses_and_duplicates_nothing(empty_database_url, tmp_path, monkeypatch):
    seed = int(os.environ.get("TALENTBANK_KILL_SEED") or random.SystemRandom().randrange(2**32))
    rng = random.Random(seed)
    url = empty_database_url
    upgrade_database(url)
    instance = tmp_path / "instance"
    instance.mkdir()
    monkeypatch.setenv("TALENTBANK_INSTANCE_PATH", str(instance))
    app = worker_app(url, str(instance))  # the same instance folder as the worker: the same Fernet key

    with app.test_request_context():
        load_reference_data(db.session)
        owner = make_user(db.session, email="issuer@school.example.jp")
        school = make_organisation(db.session, owner=owner, kind=OrganisationKind.SCHOOL, verified=True)
        issuers.setup_issuer(db.session, owner, school, issuer_context())
        achievement = achievements.create_achievement(
            db.session, owner, school,
            AchievementInput(name="データ分析基礎", description="Pythonによるデータ分析", criteria="講座を修了",
                             tags="python", expiry_months=None, proof_format="jwt", skill_code="dssp2-35",
                             skill_level=2, skill_code_2="", skill_level_2=1),
        )  # fmt: skip
        db.session.commit()
        achievement_pk, achievement_public_id = achievement.id, str(achievement.public_id)
        text = award_csv(ROWS)
        rows = bulk.parse_award_csv(text)
    assert len(rows) == ROWS and all(row.is_valid for row in rows), [r.errors for r in rows if r.errors][:3]
    row_of_key = {row.idempotency_key(achievement_public_id): row for row in rows}
    assert len(row_of_key) == ROWS
    csv_path = tmp_path / "awards.csv"
    csv_path.write_text(text, encoding="utf-8")

    worker_url = url
    if url.startswith("postgresql"):
        worker_url = (
            sa.engine.make_url(url)
            .update_query_dict({"application_name": APPLICATION_NAME})
            .render_as_string(hide_password=False)
        )
    args = [worker_url, achievement_public_id, str(csv_path), str(instance), str(BATCH)]
    stderr_path = tmp_path / "worker.stderr"
    observer = make_engine(url)
    history: list[str] = []
    runs: list[Run] = []
    landed_mid_batch = 0

    def fail(message: str) -> str:
        return f"{message} (seed {seed}; history {history}; worker stderr tail: {stderr_path.read_text()[-2000:] if stderr_path.exists() else ''})"

    try:
        estimate = 0.05  # seconds per batch, refined from what the runs print
        for kill in range(1, KILLS + 1):
            before = counts(observer, achievement_pk)
            remaining = math.ceil((ROWS - before[0]) / BATCH)
            # Leave work for the later runs: the K-th batch of this run, well before its last one.
            last_choice = max(1, min(remaining - 2, remaining // (KILLS - kill + 2)))
            target = rng.randint(1, last_choice)
            run = Run.start(args, stderr_path)
            runs.append(run)
            while True:
                words = run.next_line(timeout=60)
                assert words is not None, fail(f"kill {kill}: the worker ended before batch {target}")
                if words[0] == "start":
                    assert int(words[1]) == before[0], fail(f"kill {kill}: worker saw {words[1]} already issued")
                if words[0] == "begin" and int(words[1]) == target:
                    break
            delay = rng.uniform(0, 1.1 * estimate)
            time.sleep(delay)
            returncode = run.kill()
            assert returncode == -signal.SIGKILL, fail(f"kill {kill}: the worker was not killed ({returncode})")
            wait_for_dead_backend(observer)
            reported, in_flight = progress_of(run)
            after = counts(observer, achievement_pk)
            assert after[0] == after[1] == after[2], fail(f"kill {kill}: credentials/mails/audits {after}")
            if in_flight is None:
                where = "between batches"
                assert after[0] == reported, fail(f"kill {kill}: {after[0]} stored, {reported} reported")
            elif after[0] == reported:
                where, landed_mid_batch = "mid-batch, rolled back", landed_mid_batch + 1
            elif after[0] == reported + in_flight:
                where, landed_mid_batch = "mid-batch, committed before the kill", landed_mid_batch + 1
            else:
                raise AssertionError(fail(f"kill {kill}: a partial batch: {after[0]} stored, {reported} reported"))
            history.append(
                f"kill {kill} at batch {target}+{delay * 1000:.0f}ms of ~{estimate * 1000:.0f}ms: {where}, {after[0]} stored"
            )
            durations = run.batch_seconds()
            if durations:
                estimate = statistics.median(durations)

        before = counts(observer, achievement_pk)
        final = Run.start(args, stderr_path)
        runs.append(final)
        while final.next_line(timeout=120) is not None:
            pass
        assert final.process.wait(timeout=30) == 0, fail("the final run failed")
        starts = [int(w[1]) for _, w in final.lines if w[0] == "start"]
        progress = [int(w[1]) for _, w in final.lines if w[0] == "progress"]
        done = [int(w[1]) for _, w in final.lines if w[0] == "done"]
        assert starts == [before[0]], fail(f"final run: started with {starts}, {before[0]} in the database")
        assert progress == sorted(progress) and done == [ROWS], fail(f"final run: progress {progress}, done {done}")
        history.append(f"final run: {before[0]} already issued, issued {ROWS - before[0]}")
    finally:
        for leftover in runs:  # a failed assertion must not leave a worker writing
            if leftover.process.poll() is None:
                leftover.process.kill()
                leftover.process.wait(timeout=30)
        observer.dispose()

    with app.test_request_context():
        session = db.session
        credentials = list(session.scalars(sa.select(Credential).where(Credential.achievement_id == achievement_pk)))
        assert len(credentials) == ROWS, fail(f"{len(credentials)} credentials")
        # 0 duplicates (the unique constraints should make these impossible; checked anyway)
        duplicate_keys = session.execute(
            sa.select(Credential.idempotency_key, sa.func.count())
            .where(Credential.achievement_id == achievement_pk)
            .group_by(Credential.idempotency_key)
            .having(sa.func.count() > 1)
        ).all()
        duplicate_indexes = session.execute(
            sa.select(Credential.status_list_id, Credential.status_index, sa.func.count())
            .group_by(Credential.status_list_id, Credential.status_index)
            .having(sa.func.count() > 1)
        ).all()
        assert duplicate_keys == [] and duplicate_indexes == [], fail("duplicates")
        # 0 lost: every row's key, with that row's recipient
        by_key = {c.idempotency_key: c for c in credentials}
        assert set(by_key) == set(row_of_key), fail("keys differ from the CSV's")
        for key, row in row_of_key.items():
            credential = by_key[key]
            assert (credential.recipient_email, credential.recipient_name) == (row.award.email, row.award.name)
        # exactly one claim mail per credential, to its recipient, and one audit event each
        mails = list(session.scalars(sa.select(OutboxMessage)))
        assert len(mails) == ROWS and {m.kind for m in mails} == {"credential_awarded"}, fail(f"{len(mails)} mails")
        linked = Counter(CREDENTIAL_LINK.search(m.body_text).group(1) for m in mails)
        by_public_id = {str(c.public_id): c for c in credentials}
        assert set(linked) == set(by_public_id) and max(linked.values()) == 1, fail("mails do not match credentials")
        assert all(m.to_address == by_public_id[CREDENTIAL_LINK.search(m.body_text).group(1)].recipient_email
                   for m in mails)  # fmt: skip
        audited = Counter(
            session.scalars(sa.select(AuditEvent.object_id).where(AuditEvent.action == "credential.issue"))
        )
        assert set(audited) == set(by_public_id) and max(audited.values()) == 1, fail("audit events")
        # 100% verify (signature, status, recipient)
        context = issuer_context()
        failures = []
        for credential in credentials:
            result = verification.verify_credential(
                session, records.stored_form(credential), context, expected_email=credential.recipient_email
            )
            if not result.verified:
                failures.append((str(credential.public_id), result))
        assert failures == [], fail(f"{len(failures)} do not verify, e.g. {failures[:2]}")
        session.commit()

    checker, problems = integrity_problems(url, app.extensions["talentbank.engine"])
    app.extensions["talentbank.engine"].dispose()
    assert problems == [], fail(f"{checker}: {problems[:5]}")
    print(f"\nSC-20 seed {seed}, {landed_mid_batch}/{KILLS} kills mid-batch, {checker} ok: " + "; ".join(history))
