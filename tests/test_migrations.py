"""The schema lives in Alembic revisions: they run up and down on SQLite and PostgreSQL and match the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from talentbank.cli import alembic_config
from talentbank.db import Base, make_engine


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_upgrade_downgrade_upgrade_and_models_match(empty_database_url):
    config = alembic_config(empty_database_url)
    command.upgrade(config, "head")
    assert table_names(empty_database_url) >= set(Base.metadata.tables)
    command.check(config)  # raises if autogenerate would find any difference from the models

    command.downgrade(config, "base")
    assert table_names(empty_database_url) <= {"alembic_version"}

    command.upgrade(config, "head")
    assert table_names(empty_database_url) >= set(Base.metadata.tables)
