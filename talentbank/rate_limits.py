"""Where the rate limits count: Redis when `REDIS_URL` is set, else the database, so that a limit holds
across every gunicorn worker and machine. In-process memory only for the test suite (or when
`RATELIMIT_STORAGE = "memory"` is chosen for a single process).

The database storage implements the `limits` interface for the fixed-window strategy Flask-Limiter uses:
one row per window in `rate_limit_counters`, incremented by an atomic upsert. With PostgreSQL the
table lives in the main database. With SQLite it lives in its own file beside the database
(`rate_limits.db` in the instance folder): a request's own transaction may hold the main file's write
lock while Flask-Limiter counts (it deducts failed logins after the view), and a second writer on the
same file would wait for it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, ClassVar

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite

from talentbank.db import make_engine
from talentbank.models import RateLimitCounter

SCHEME = "talentbank+database"
_TABLE = RateLimitCounter.__table__


class DatabaseStorage(Storage):
    """Rate-limit counters in a SQL table (PostgreSQL or SQLite)."""

    STORAGE_SCHEME: ClassVar[list[str]] = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, *, url: str = "", **_: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.engine = make_engine(url)
        if self.engine.dialect.name == "sqlite":
            _TABLE.create(self.engine, checkfirst=True)
        self._insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert

    @property
    def base_exceptions(self) -> type[Exception]:
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        statement = self._insert(_TABLE).values(key=key, count=amount, expires_at=now + expiry)
        statement = statement.on_conflict_do_update(
            index_elements=[_TABLE.c.key],
            set_={
                # A window that has ended starts again with this hit.
                "count": sa.case((_TABLE.c.expires_at <= now, amount), else_=_TABLE.c.count + amount),
                "expires_at": sa.case((_TABLE.c.expires_at <= now, now + expiry), else_=_TABLE.c.expires_at),
            },
        ).returning(_TABLE.c.count)
        with self.engine.begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def _live(self, key: str) -> sa.Row[Any] | None:
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(_TABLE.c.count, _TABLE.c.expires_at).where(
                    _TABLE.c.key == key, _TABLE.c.expires_at > time.time()
                )
            ).first()

    def get(self, key: str) -> int:
        row = self._live(key)
        return int(row.count) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._live(key)
        return float(row.expires_at) if row else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.select(sa.func.count()).select_from(_TABLE))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(_TABLE.delete()).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(_TABLE.delete().where(_TABLE.c.key == key))


def storage_settings(config: dict[str, Any], instance_path: str) -> dict[str, Any]:
    """Flask-Limiter's RATELIMIT_STORAGE_URI and _OPTIONS for the configured storage."""
    choice = config["RATELIMIT_STORAGE"]
    if choice == "auto":
        choice = "redis" if config["REDIS_URL"] else "memory" if config.get("TESTING") else "database"
    if choice == "redis":
        if not config["REDIS_URL"]:
            raise ValueError("RATELIMIT_STORAGE = redis needs TALENTBANK_REDIS_URL")
        return {"RATELIMIT_STORAGE_URI": config["REDIS_URL"], "RATELIMIT_STORAGE_OPTIONS": {}}
    if choice == "memory":
        return {"RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_STORAGE_OPTIONS": {}}
    if choice != "database":
        raise ValueError(f"RATELIMIT_STORAGE must be auto, redis, database or memory, not {choice!r}")
    url = config["DATABASE_URL"]
    if url.startswith("sqlite"):
        url = f"sqlite:///{Path(instance_path) / 'rate_limits.db'}"
    return {"RATELIMIT_STORAGE_URI": f"{SCHEME}://", "RATELIMIT_STORAGE_OPTIONS": {"url": url}}


def describe(storage_uri: str) -> str:
    """Which storage the limits use, for /admin: redis, database or memory."""
    if storage_uri.startswith(SCHEME):
        return "database"
    return "memory" if storage_uri.startswith("memory") else "redis"
