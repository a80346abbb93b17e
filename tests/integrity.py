"""Is the database sound? The checks the soak (bench/soak.py) and the suite (tests/test_database_integrity.py)
run after load: on SQLite `PRAGMA integrity_check` and `foreign_key_check`; on PostgreSQL amcheck's
`bt_index_check(index, heapallindexed => true)` over every B-tree index of the app's schema (each index's
structure, and every heap row found in its index) and a check that no foreign key points at nothing.

amcheck ships with PostgreSQL (Debian's postgresql package included); creating the extension needs a role
allowed to (the tests' and the soak's `postgres` role is). Where it cannot be created, `check_database`
says so in `skipped` rather than pretending the indexes were checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

BTREE_INDEXES = """
SELECT c.oid::regclass::text
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE am.amname = 'btree' AND n.nspname = current_schema() AND c.relpersistence <> 't' AND i.indisvalid
ORDER BY 1
"""


@dataclass
class Integrity:
    """What was checked (`checked`: indexes on PostgreSQL, tables on SQLite) and what was wrong."""

    problems: list[str] = field(default_factory=list)
    checked: int = 0
    skipped: str = ""

    def summary(self) -> str:
        what = f"{self.checked} indexes checked with amcheck" if self.checked else "integrity_check"
        if self.skipped:
            what = f"amcheck not run: {self.skipped}"
        return ("ok" if not self.problems else "; ".join(self.problems)) + f" ({what})"


def check_database(connection: sa.Connection) -> Integrity:
    """Check the database `connection` is on; leaves nothing behind but the amcheck extension."""
    if connection.dialect.name == "sqlite":
        return _check_sqlite(connection)
    return _check_postgres(connection)


def _check_sqlite(connection: sa.Connection) -> Integrity:
    result = Integrity()
    verdicts = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
    if verdicts != ["ok"]:
        result.problems.append("integrity_check: " + "; ".join(verdicts[:5]))
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        result.problems.append(f"foreign_key_check: {len(broken)} rows point at nothing (first: {tuple(broken[0])})")
    return result


def _check_postgres(connection: sa.Connection) -> Integrity:
    result = Integrity()
    result.problems += _dangling_foreign_keys(connection)
    schema = _amcheck_schema(connection)
    if schema is None:
        result.skipped = "the amcheck extension is not available to this role"
        return result
    for index in connection.exec_driver_sql(BTREE_INDEXES).scalars():
        try:
            with connection.begin_nested():
                connection.execute(sa.text(f'SELECT "{schema}".bt_index_check(CAST(:index AS regclass), true)'),
                                   {"index": index})  # fmt: skip
        except sa.exc.DBAPIError as error:
            result.problems.append(f"{index}: {str(error.orig).splitlines()[0]}")
        result.checked += 1
    return result


def _amcheck_schema(connection: sa.Connection) -> str | None:
    """The schema the amcheck functions live in, creating the extension if it can; None if it cannot."""
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS amcheck")
    except sa.exc.DBAPIError:
        return None
    return connection.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'"
    ).scalar()


def _dangling_foreign_keys(connection: sa.Connection) -> list[str]:
    """Rows whose foreign key names a row that is not there (constraints can be deferred or dropped)."""
    problems = []
    inspector = sa.inspect(connection)
    for table in inspector.get_table_names():
        for foreign_key in inspector.get_foreign_keys(table):
            columns, referred = foreign_key["constrained_columns"], foreign_key["referred_columns"]
            joined = " AND ".join(f'p."{r}" = c."{c}"' for c, r in zip(columns, referred, strict=True))
            present = " AND ".join(f'c."{c}" IS NOT NULL' for c in columns)
            count = connection.exec_driver_sql(
                f'SELECT count(*) FROM "{table}" c WHERE {present} AND NOT EXISTS '  # noqa: S608 (names from the catalogue)
                f'(SELECT 1 FROM "{foreign_key["referred_table"]}" p WHERE {joined})'
            ).scalar()
            if count:
                problems.append(f"{table}.{'/'.join(columns)}: {count} rows point at nothing")
    return problems
