"""What the load benchmarks share: the app's settings for a benchmark run, and gunicorn started on
loopback and waited for."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def bench_environment(instance: Path, database_url: str, base_url: str) -> dict[str, str]:
    """Settings of a benchmark run: its own instance folder and database, no rate limits, fast hashing."""
    return {
        "TALENTBANK_INSTANCE_PATH": str(instance),
        "TALENTBANK_DATABASE_URL": database_url,
        "TALENTBANK_BASE_URL": base_url,
        "TALENTBANK_SECURE_COOKIES": "0",
        "TALENTBANK_RATELIMIT_ENABLED": "0",
        "TALENTBANK_PASSWORD_HASH": "fast",
    }


def serve(
    app: str, port: int, workers: int, environment: dict[str, str], *, timeout: int | None = None, attempts: int = 300
) -> subprocess.Popen:
    """`gunicorn app` on 127.0.0.1:port (gunicorn's own worker timeout unless `timeout`), once it answers /."""
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", *(["--timeout", str(timeout)] if timeout else []), app]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **environment})  # noqa: S603  (our own gunicorn)
    probe = f"http://127.0.0.1:{port}/"
    for _ in range(attempts):
        try:
            requests.get(probe, timeout=60)
            return server
        except requests.RequestException:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the server at {probe} did not start")
