"""Checks that keep a misconfigured deployment from serving: the database must be at the newest
Alembic revision. Each is cheap: it runs once per process (until it passes), not on every request.

`wsgi.py` runs them when gunicorn loads the app, so a bad deployment stops at start; an app built
otherwise (`gunicorn 'talentbank:create_app()'`) answers 503 with the same message until fixed.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app, make_response
from flask_babel import gettext as _

from talentbank.config import PROJECT_ROOT

_CHECKED = "talentbank.startup_checked"


class NotReady(Exception):
    """The deployment must be fixed before it serves; the message says how."""


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@functools.cache
def head_revision() -> str | None:
    """The newest revision the code ships (read once per process from migrations/versions/)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def database_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_database(engine: sa.Engine) -> None:
    """Raise NotReady unless the database is at the head revision."""
    current, head = database_revision(engine), head_revision()
    if current == head:
        return
    if current is None:
        raise NotReady(
            f"The database has no talentbank schema (it needs revision {head}). "
            "Run `talentbank setup` (a new site) or `talentbank upgrade-db`, then start again. "
            "Check TALENTBANK_DATABASE_URL and TALENTBANK_INSTANCE_PATH if the database should exist."
        )
    raise NotReady(
        f"The database is at revision {current}, but this version of talentbank needs {head}. "
        "Run `talentbank upgrade-db` (back up first: `talentbank backup PATH`), then start again."
    )


def check_deployment(app: Flask) -> None:
    """Every start-up check; raises NotReady with what to do."""
    check_database(app.extensions["talentbank.engine"])
    app.extensions[_CHECKED] = True


def _refuse_until_ready():
    app = current_app._get_current_object()
    if app.extensions.get(_CHECKED):
        return None
    try:
        check_deployment(app)
    except NotReady as problem:
        # Plain text: the page templates read the database this check found unusable.
        app.logger.error("talentbank is not ready to serve: %s", problem)
        text = _("サーバーの準備ができていません。管理者にお知らせください。") + f"\n\n{problem}\n"
        return make_response(text, 503, {"Content-Type": "text/plain; charset=utf-8", "Retry-After": "60"})
    return None


def init_app(app: Flask) -> None:
    app.before_request(_refuse_until_ready)
