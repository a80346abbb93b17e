"""Pages under load: every page of issue #18 driven by wrk against gunicorn, next to a bare Flask app.

Run:  .venv/bin/python bench/http_pages.py [--people 100000] [--seconds 5] [--database-url postgresql://...]

Seeds a realistic database (bench/seeding.py: 100,000 people with skills, outcomes and badges, 5,000
projects, 200,000 credentials; a temporary SQLite file unless --database-url names an EMPTY
PostgreSQL database, which is wiped), starts the app under gunicorn and, in the same run and with
the same gunicorn settings, a one-route Flask app reading one row of the same database
(bench/bare_app.py). Each page gets a short warm-up, then `--seconds` of Debian's `wrk` at
`--connections` connections; before and after each, the bench waits until the server is idle again
(/healthz answers quickly), so that no page inherits the backlog of the one before, and /supply-demand,
the slowest, comes last. Prints GET/s, p50, p99 and the share of bare Flask (measured before
and after the pages; their mean is the reference), the non-2xx count, and the peak RSS of each worker.
(The issue calls it bench/http.py; that name would shadow the standard library's `http` in every
script of this folder, which Python puts first on sys.path, and werkzeug imports http.server.)
Targets (issue #18, 100,000 people): p99 < 100 ms everywhere; single reads ≥ 25 % of bare, search,
lists and match pages ≥ 10 %.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.seeding import PASSWORD, seed_talent_bank  # noqa: E402
from bench.serving import bench_environment, serve  # noqa: E402

SINGLE_READ = 0.25
LIST_OR_SEARCH = 0.10
LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def prepare(url: str, base: str, arguments, *, reuse: bool) -> tuple[dict, dict]:
    """Seed the database; return (pages: label -> (path, headers, share target), the seeded counts)."""
    from bench.seeding import is_seeded, landmarks, reset_database
    from talentbank import create_app, db
    from talentbank.accounts.tokens import create_token
    from talentbank.cli import upgrade_database
    from talentbank.credentials.context import issuer_context
    from talentbank.models import Skill, Subprefecture, User

    started = time.perf_counter()
    fresh = not (reuse and is_seeded(url, arguments.people))
    if fresh:
        reset_database(url)
    else:
        upgrade_database(url)
        print(f"reusing the seeded database {url}")
    app = create_app({"DATABASE_URL": url})
    with app.app_context(), app.test_request_context(base_url=base):
        if fresh:
            seed_talent_bank(db.session, issuer_context(), people=arguments.people, projects=arguments.projects,
                             credentials=arguments.credentials)  # fmt: skip
        seeded = landmarks(db.session)
        owner = db.session.get(User, seeded.owner_user_id)
        _token, secret = create_token(db.session, owner, name="bench", scopes=["read"], days=30)
        skill = db.session.scalars(sa.select(Skill.code).order_by(Skill.position)).first()
        region = db.session.scalars(sa.select(Subprefecture.id).order_by(Subprefecture.position)).first()
        db.session.commit()
    print(
        f"seeded in {time.perf_counter() - started:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in seeded.counts.items())
    )
    project, person, credential = seeded.project, seeded.profiles[0], seeded.credentials[0]
    token = {"Authorization": f"Bearer {secret}"}
    pages = {
        "/": ("/", {}, LIST_OR_SEARCH),
        "/people": ("/people", {}, LIST_OR_SEARCH),
        "/people?q=データ分析": ("/people?q=データ分析", {}, LIST_OR_SEARCH),
        "/people?q=酪農 (two characters)": ("/people?q=酪農", {}, LIST_OR_SEARCH),
        "/people skill + level + region": (f"/people?skill={skill}&level=2&subprefecture={region}", {}, LIST_OR_SEARCH),
        "a public profile": (f"/people/{person}", {}, SINGLE_READ),
        "/projects": ("/projects", {}, LIST_OR_SEARCH),
        "/projects search (skill, remote)": (f"/projects?skill={skill}&remote=1", {}, LIST_OR_SEARCH),
        "a project page": (f"/projects/{project}", {}, SINGLE_READ),
        "its match page (owner)": (f"/projects/{project}/matches", {"Cookie": "<owner>"}, LIST_OR_SEARCH),
        "a credential page": (f"/credentials/{credential}", {}, SINGLE_READ),
        "verify by id (GET /api/v1/credentials/<id>)": (f"/api/v1/credentials/{credential}", {}, SINGLE_READ),
        "GET /api/v1/profiles": ("/api/v1/profiles", {}, LIST_OR_SEARCH),
        "GET /api/v1/profiles/<id>": (f"/api/v1/profiles/{person}", {}, SINGLE_READ),
        "GET /api/v1/projects": ("/api/v1/projects", {}, LIST_OR_SEARCH),
        "GET /api/v1/projects/<id>/matches": (f"/api/v1/projects/{project}/matches", token, LIST_OR_SEARCH),
        # Last: the slowest page, so that a backlog it leaves cannot eat into another page's run.
        "/supply-demand": ("/supply-demand", {}, LIST_OR_SEARCH),
    }
    return pages, {"owner": seeded.owner_email, "counts": seeded.counts}


def owner_cookie(base: str, email: str) -> str:
    """Log the project's owner in through the login form; the Cookie header their browser would send."""
    browser = requests.Session()
    page = browser.get(base + "/login", timeout=30).text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    response = browser.post(base + "/login", data={"csrf_token": csrf.group(1), "email": email, "password": PASSWORD},
                            allow_redirects=False, timeout=30)  # fmt: skip
    assert response.status_code == 302, response.text[:500]
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def wrk(url: str, headers: dict, seconds: float, connections: int) -> dict:
    """One wrk run: requests per second, p50 and p99 in ms, and how many answers were not 2xx/3xx."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    url = quote(url, safe=":/?=&%")  # wrk takes ASCII only
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    percentiles = {
        m[0]: float(m[1]) * LATENCY_UNITS[m[2]]
        for m in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    }
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": percentiles.get("50", float("nan")),  # no answer at all within the run: nan
        "p99": percentiles.get("99", float("nan")),
        "failed": int(failed.group(1)) if failed else 0,
        "socket": errors.group(1) if errors else "",
    }


def wait_until_idle(base: str, *, quick_ms: float = 50, calm: int = 3, limit: float = 300) -> float:
    """Wait until the server has worked off the backlog of the previous page: gunicorn's sync workers
    keep answering the requests wrk left queued after it stopped, and the next page's run would wait
    behind them (and measure nothing). Idle means `calm` answers in a row of /healthz (one SELECT 1)
    each within `quick_ms`. Returns the seconds waited."""
    started = time.perf_counter()
    quick = 0
    while quick < calm:
        if time.perf_counter() - started > limit:
            raise SystemExit(f"{base} was still busy after {limit:.0f} s")
        sent = time.perf_counter()
        try:
            requests.get(base + "/healthz", timeout=limit)
        except requests.RequestException:
            quick = 0
            time.sleep(0.2)
            continue
        quick = quick + 1 if (time.perf_counter() - sent) * 1000 <= quick_ms else 0
    return time.perf_counter() - started


def worker_peaks(master: subprocess.Popen) -> list[float]:
    """Peak resident memory (VmHWM, MB) of each worker of a gunicorn master."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)
    return peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=5_000)
    parser.add_argument("--credentials", type=int, default=200_000)
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per page (whole seconds)")
    parser.add_argument("--warmup", type=int, default=1, help="wrk warm-up per page (whole seconds), not counted")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=5118, help="the app's port")
    parser.add_argument("--bare-port", type=int, default=5218, help="the bare Flask app's port")
    parser.add_argument("--only", default="", help="only the pages whose label contains this")
    parser.add_argument("--database-url", default="", help="an EMPTY PostgreSQL database (it is wiped)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the seeded database for the next run and use it if it holds --people people "
                             "(SQLite: a file in the temporary folder named after --people)")  # fmt: skip
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    instance = Path(tempfile.mkdtemp(prefix="talentbank-http-"))
    kept = Path(tempfile.gettempdir()) / f"talentbank-http-{arguments.people}.db"
    url = arguments.database_url or f"sqlite:///{kept if arguments.reuse else instance / 'talentbank.db'}"
    base, bare = f"http://127.0.0.1:{arguments.port}", f"http://127.0.0.1:{arguments.bare_port}"
    environment = bench_environment(instance, url, base)
    os.environ.update(environment)
    pages, seeded = prepare(url, base, arguments, reuse=arguments.reuse)
    servers = []
    try:
        servers.append(serve("wsgi:app", arguments.port, arguments.workers, environment, timeout=120))
        servers.append(serve("bench.bare_app:app", arguments.bare_port, arguments.workers, environment, timeout=120))
        cookie = owner_cookie(base, seeded["owner"])
        run = lambda target, headers: wrk(target, headers, arguments.seconds, arguments.connections)  # noqa: E731
        wrk(bare + "/", {}, arguments.warmup, arguments.connections)
        bare_before = run(bare + "/", {})
        rows = []
        for label, (path, headers, target) in pages.items():
            if arguments.only and arguments.only not in label:
                continue
            headers = {name: cookie if value == "<owner>" else value for name, value in headers.items()}
            wait_until_idle(base)
            wrk(base + path, headers, arguments.warmup, arguments.connections)
            wait_until_idle(base)  # the warm-up's own backlog is not part of the run
            rows.append((label, run(base + path, headers), target))
            waited = wait_until_idle(base)
            if waited > 1:
                print(f"{label}: the server took {waited:.0f} s to work off the backlog after the run")
        bare_after = run(bare + "/", {})
        app_peaks, bare_peaks = worker_peaks(servers[0]), worker_peaks(servers[1])
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    reference = (bare_before["rate"] + bare_after["rate"]) / 2
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"\nbench/http_pages.py: {database}, {arguments.people:,} people, gunicorn {arguments.workers} sync workers, "
          f"wrk {arguments.connections} connections, {arguments.seconds:g} s per page after {arguments.warmup:g} s warm-up")  # fmt: skip
    print(f"bare Flask (one route, one row of the same database): {bare_before['rate']:.0f} GET/s before the pages, "
          f"{bare_after['rate']:.0f} after; reference {reference:.0f}; p99 {bare_before['p99']:.1f} / {bare_after['p99']:.1f} ms")  # fmt: skip
    print("\n| page | GET/s | p50 ms | p99 ms | share of bare | target share | holds | non-2xx |")
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    for label, figures, target in rows:
        share = figures["rate"] / reference
        holds = "yes" if figures["p99"] < 100 and share >= target and not figures["failed"] else "no"
        print(f"| {label} | {figures['rate']:.0f} | {figures['p50']:.1f} | {figures['p99']:.1f} | {share:.1%} | "
              f"{target:.0%} | {holds} | {figures['failed']}{' ' + figures['socket'] if figures['socket'] else ''} |")  # fmt: skip
    print(f"\npeak RSS per worker: app {', '.join(f'{mb:.0f} MB' for mb in app_peaks)}; "
          f"bare {', '.join(f'{mb:.0f} MB' for mb in bare_peaks)}")  # fmt: skip
    print("targets: p99 < 100 ms on every page; single reads ≥ 25 % of bare, search, lists and match pages ≥ 10 %")


if __name__ == "__main__":
    main()
