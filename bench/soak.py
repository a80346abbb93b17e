"""Soak: a mixed load on loopback against gunicorn, then an integrity check of the database.

Run:  .venv/bin/python bench/soak.py [--seconds 600] [--workers 2] [--clients 8] [--database-url postgresql://...]

Builds a fresh database (a temporary SQLite file unless --database-url names an empty PostgreSQL
database: it is wiped), seeds an issuing school, an achievement, open projects and people with API
tokens, starts `gunicorn wsgi:app`, and drives it from `--clients` threads with a mix of browsing
(home, projects, people search), API reads (projects, skills), verifying a credential, applying to a
project, awarding a badge and updating a profile. Rate limits are off (they would turn the load into
429s; they have their own tests). Prints requests, throughput, responses by status, errors (5xx and
failed connections) and p50/p99 per kind; at the end every awarded credential must be in the
database exactly once and verify, and the database must pass tests/integrity.py (SQLite's integrity_check and
foreign_key_check; on PostgreSQL amcheck's bt_index_check over every index, and no foreign key pointing at nothing).
Target (issue #19): 0 server errors.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.seeding import reset_database  # noqa: E402
from bench.serving import bench_environment, serve  # noqa: E402
from talentbank import create_app  # noqa: E402
from talentbank.accounts.tokens import create_token  # noqa: E402
from talentbank.config import resolve_database_url  # noqa: E402
from talentbank.credentials import issuers  # noqa: E402
from talentbank.credentials.context import issuer_context  # noqa: E402
from talentbank.models import Credential, OrganisationKind  # noqa: E402
from talentbank.reference.loader import load_reference_data  # noqa: E402
from tests.factories import make_organisation, make_profile, make_project  # noqa: E402
from tests.integrity import check_database  # noqa: E402

PEOPLE = 20
PROJECTS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(url: str, environment: dict[str, str], base_url: str) -> dict:
    """A migrated database with an issuer, an achievement, projects and people -> what the load uses."""
    reset_database(url)
    os.environ.update(environment)
    app = create_app({"DATABASE_URL": url})
    from talentbank import db

    with app.app_context(), app.test_request_context(base_url=base_url):
        session = db.session
        load_reference_data(session)
        school = make_organisation(session, kind=OrganisationKind.SCHOOL, verified=True, name="ソーク高専")
        owner = school.memberships[0].user
        issuers.setup_issuer(session, owner, school, issuer_context())
        projects = [str(make_project(session, school, title=f"ソーク案件{n}").public_id) for n in range(PROJECTS)]
        people = [make_profile(session, skills={"dssp2-36": 2}) for _ in range(PEOPLE)]
        _token, issuer_secret = create_token(session, owner, name="soak", scopes=["read", "write", "issue"], days=30)
        person_secrets = [
            create_token(session, person.user, name="soak", scopes=["read", "write"], days=30)[1] for person in people
        ]
        session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {issuer_secret}"}
    achievement = {
        "name": "ソーク修了",
        "description": "負荷試験",
        "criteria": "走った",
        "skills": [{"code": "dssp2-36", "level": 2}],
    }
    created = client.post(f"/api/v1/organisations/{school.public_id}/achievements", json=achievement, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    achievement_id = created.get_json()["id"]
    awarded = client.post(f"/api/v1/achievements/{achievement_id}/credentials",
                          json={"email": "first@example.jp", "name": "最初 の人"}, headers=headers)  # fmt: skip
    assert awarded.status_code == 201, awarded.get_data(as_text=True)
    with app.app_context():
        document = db.session.scalars(sa.select(Credential)).one()
        credential = document.jwt or document.document
    return {
        "issuer": issuer_secret,
        "people": person_secrets,
        "projects": projects,
        "achievement": achievement_id,
        "credential": credential,
        "app": app,
    }


def request_mix(seed: dict, rng: random.Random, counter) -> tuple[str, str, str, dict]:
    """(kind, method, path, keyword arguments for requests) of one request."""
    person = {"Authorization": f"Bearer {rng.choice(seed['people'])}"}
    issuer = {"Authorization": f"Bearer {seed['issuer']}"}
    number = next(counter)
    choices = [
        (30, ("browse", "GET", rng.choice(["/", "/projects", f"/projects/{rng.choice(seed['projects'])}"]), {})),
        (15, ("search", "GET", rng.choice(["/people?q=データ", "/people?skill=dssp2-36", "/projects?remote=1"]), {})),
        (20, ("api read", "GET", rng.choice(["/api/v1/projects", "/api/v1/skills?per_page=50"]), {"headers": person})),
        (10, ("verify", "POST", "/api/v1/verify", {"json": {"credential": seed["credential"]}})),
        (8, ("apply", "POST", f"/api/v1/projects/{rng.choice(seed['projects'])}/applications",
             {"json": {"message": "参加したいです"}, "headers": person})),
        (7, ("award", "POST", f"/api/v1/achievements/{seed['achievement']}/credentials",
             {"json": {"email": f"soak{number}@example.jp", "name": f"ソーク {number}"}, "headers": issuer})),
        (10, ("api write", "POST", "/api/v1/me/profile/outcomes",
              {"json": {"title": f"成果{number}", "skill_codes": ["dssp2-36"], "skill_level": 2}, "headers": person})),
    ]  # fmt: skip
    weights = [weight for weight, _ in choices]
    return rng.choices([choice for _, choice in choices], weights=weights)[0]


def drive(base: str, seed: dict, seconds: float, clients: int) -> tuple[dict, dict, dict]:
    statuses: collections.Counter = collections.Counter()
    latencies: dict[str, list[float]] = collections.defaultdict(list)
    awarded = collections.Counter()
    counter = iter(range(10**9))
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        rng = random.Random(index)
        session = requests.Session()
        while time.monotonic() < deadline:
            with lock:
                kind, method, path, options = request_mix(seed, rng, counter)
            started = time.perf_counter()
            try:
                response = session.request(method, base + path, timeout=30, **options)
                status = response.status_code
            except requests.RequestException:
                status = "connection error"
            elapsed = time.perf_counter() - started
            with lock:
                statuses[status] += 1
                latencies[kind].append(elapsed)
                if kind == "award" and status == 201:
                    awarded["ok"] += 1

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, latencies, awarded


def integrity(app, url: str, awarded: int) -> list[str]:
    from talentbank import db

    problems = []
    with app.app_context():
        session = db.session
        count = session.scalar(sa.select(sa.func.count()).select_from(Credential))
        if count != awarded + 1:  # + the one awarded while seeding
            problems.append(f"{count} credentials stored, {awarded + 1} awarded")
        emails = session.scalars(sa.select(Credential.recipient_email)).all()
        if len(emails) != len(set(emails)):
            problems.append("a recipient holds two credentials")
        database = check_database(session.connection())
        session.commit()
        print(f"database check: {database.summary()}")
        problems += database.problems
        if database.skipped and url.startswith("postgresql"):
            problems.append(database.skipped)
        documents = session.scalars(sa.select(Credential).order_by(Credential.id.desc()).limit(20)).all()
        samples = [document.jwt or document.document for document in documents]
    client = app.test_client()
    for sample in samples:
        result = client.post("/api/v1/verify", json={"credential": sample}).get_json()
        if not result.get("verified"):
            problems.append("a stored credential does not verify")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database-url", default="")
    arguments = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="talentbank-soak-"))
    url = resolve_database_url(arguments.database_url, str(instance))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = bench_environment(instance, url, base)
    seed = prepare(url, environment, base)
    server = serve("wsgi:app", port, arguments.workers, environment, attempts=100)
    try:
        started = time.monotonic()
        statuses, latencies, awarded = drive(base, seed, arguments.seconds, arguments.clients)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = sum(statuses.values())
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"soak: {database}, gunicorn {arguments.workers} workers, {arguments.clients} clients, {elapsed:.0f} s")
    print(f"requests: {total} ({total / elapsed:.0f}/s)")
    print("responses by status:", dict(sorted(statuses.items(), key=lambda item: str(item[0]))))
    errors = {status: count for status, count in statuses.items() if not isinstance(status, int) or status >= 500}
    print(f"errors (5xx, connection): {sum(errors.values())} {errors or ''}")
    every = sorted(value for values in latencies.values() for value in values)
    print(
        f"latency all: p50 {statistics.median(every) * 1000:.0f} ms, p99 {every[int(len(every) * 0.99)] * 1000:.0f} ms"
    )
    for kind, values in sorted(latencies.items()):
        values.sort()
        print(f"  {kind:10} {len(values):6} requests, p50 {statistics.median(values) * 1000:5.0f} ms, "
              f"p99 {values[int(len(values) * 0.99)] * 1000:5.0f} ms")  # fmt: skip
    problems = integrity(seed["app"], url, awarded["ok"])
    print(f"integrity: {'ok' if not problems else '; '.join(problems)} ({awarded['ok'] + 1} credentials awarded)")
    sys.exit(1 if errors or problems else 0)


if __name__ == "__main__":
    main()
