"""Database plumbing: declarative Base, the UTC datetime type, the engine and the per-request session.

SQLite (the embedded default) gets WAL (checkpointed every 16 MB), foreign keys, a busy timeout, and
write transactions that start with BEGIN IMMEDIATE so concurrent writers queue on the busy timeout
instead of failing with "database is locked" when a read lock is upgraded. Safe-method requests
(GET/HEAD) begin DEFERRED so readers never wait for writers.
"""

from __future__ import annotations

import enum
import json
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores naive text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(kind: type[enum.Enum], length: int) -> sa.Enum:
    """A column type storing a Python enum by its value as plain VARCHAR (no native enum type), so
    SQLite and PostgreSQL hold the same text and revisions stay identical on both."""
    return sa.Enum(kind, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def utcnow() -> datetime:
    return datetime.now(UTC)


# "IMMEDIATE" for anything that may write; the app sets "DEFERRED" for safe-method requests.
sqlite_begin_mode: ContextVar[str] = ContextVar("sqlite_begin_mode", default="IMMEDIATE")


class AppSession(Session):
    """A session bound to the engine of the current Flask app, so several apps can live in one process."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Engine:
        from flask import current_app

        return current_app.extensions["talentbank.engine"]


# One session per request (thread); removed when the app context ends.
session = scoped_session(sessionmaker(class_=AppSession, expire_on_commit=False))


def make_engine(url: str, *, busy_timeout_ms: int = 5000, **kwargs: Any) -> Engine:
    """Create an engine; SQLite engines get the pragmas and BEGIN IMMEDIATE described above."""
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True, **kwargs)
    engine = sa.create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that we can emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Checkpoint (copy the WAL into the database and fsync) at 16 MB of WAL, not the default 4 MB: a
        # 500-credential batch writes ~3 MB, so the default checkpointed every other bulk-award batch.
        cursor.execute("PRAGMA wal_autocheckpoint=4096")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql(f"BEGIN {sqlite_begin_mode.get()}")

    return engine


def init_app(app: Any) -> None:
    """Create the app's engine; the request's session ends with the app context."""
    engine = make_engine(app.config["DATABASE_URL"], busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"])
    app.extensions["talentbank.engine"] = engine

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        session.remove()


def count_rows(session: Session, select: sa.Select[Any]) -> int:
    """How many rows `select` returns: a COUNT over it as a subquery, without its ORDER BY (which
    changes nothing in a count)."""
    return session.scalar(sa.select(sa.func.count()).select_from(select.order_by(None).subquery())) or 0


def insert_rows(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (all with the same keys) in one go; the session's pending changes are flushed first.

    Values go through the columns' types as in any INSERT, then straight to the driver: SQLite gets one
    executemany; PostgreSQL (psycopg) a COPY FROM STDIN in the session's transaction (an executemany
    there sends one INSERT per row, which psycopg's pipeline makes cheap on the wire but not in Python).
    Anything else, or rows that leave out a column with a Python-side default, goes through `sa.insert`.
    """
    if not rows:
        return
    session.flush()  # rows may refer to objects added to the session but not yet written
    connection = session.connection()
    dialect = connection.dialect
    missing = [c.name for c in table.columns if c.default is not None and c.key not in rows[0]]
    if missing or dialect.driver not in ("psycopg", "pysqlite"):
        session.execute(sa.insert(table), rows)
        return
    columns = [column for column in table.columns if column.key in rows[0]]  # the order INSERT lists them in
    processors = [_bind_processor(column, dialect) for column in columns]
    columns_values = [_column_values(rows, c.key, process) for c, process in zip(columns, processors, strict=True)]
    values = list(zip(*columns_values, strict=True))
    if dialect.driver == "pysqlite":
        connection.exec_driver_sql(_insert_sql(table, tuple(column.key for column in columns), dialect), values)
        return
    from psycopg import sql

    copy_statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(column.name) for column in columns)
    )
    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(copy_statement) as copy:
            for row in values:
                copy.write_row(row)
    except dialect.loaded_dbapi.Error as error:  # as SQLAlchemy would raise it (IntegrityError, ...)
        statement = copy_statement.as_string(driver)
        raise sa.exc.DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error) from error


@lru_cache(maxsize=64)
def _insert_sql(table: sa.Table, column_keys: tuple[str, ...], dialect: sa.Dialect) -> str:
    """The INSERT of these columns, compiled once (each compile cost ~0.3 ms, three per issued batch)."""
    return str(sa.insert(table).compile(dialect=dialect, column_keys=list(column_keys)))


def _column_values(rows: list[dict[str, Any]], key: str, process: Any) -> list[Any]:
    """One column's bound values; a value that every row shares (one object: a batch's time, its
    achievement, its audit details) is processed once. Without a processor the values go as they are.
    (Read and compared with C-level `map`s: a Python loop per row and column cost ~1 us a row each.)"""
    values = list(map(itemgetter(key), rows))
    first = values[0]
    if process is None:
        return values
    if len(set(map(id, values))) == 1:  # one object in every row
        return [process(first)] * len(rows)
    return list(map(process, values))


def _bind_processor(column: sa.Column[Any], dialect: sa.Dialect) -> Any:
    if dialect.driver == "psycopg" and isinstance(column.type, sa.JSON):
        # JSON text, as SQLAlchemy writes it (None is JSON null unless none_as_null); COPY parses it.
        none_as_null = column.type.none_as_null
        return lambda value: None if value is None and none_as_null else json.dumps(value)
    return column.type._cached_bind_processor(dialect)  # None: the value goes to the driver as it is
