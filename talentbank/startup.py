"""Checks that keep a misconfigured deployment from serving: the database must be at the newest
Alembic revision, and BASE_URL must be the address the issuers' did:web identities were made for
(a changed address would silently turn every earlier badge into "key unresolved"). Each is cheap: it
runs once per process (until it passes), not on every request.

`wsgi.py` runs them when gunicorn loads the app, so a bad deployment stops at start; an app built
otherwise (`gunicorn 'talentbank:create_app()'`) answers 503 with the same message until fixed.
"""

from __future__ import annotations

import functools
import gc
from datetime import datetime

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, Response, current_app, make_response
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from talentbank.config import PROJECT_ROOT
from talentbank.db import utcnow
from talentbank.models import IssuerKey, SiteAddress

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


def check_base_url(session: Session, base_url: str) -> tuple[str, ...]:
    """Raise NotReady if issuers' identities were made for another address than `base_url`; else the
    former addresses (still served). The first start records `base_url`; while no issuer has a key,
    a new address simply replaces the recorded one."""
    base_url = base_url.rstrip("/")
    addresses = session.scalars(sa.select(SiteAddress).order_by(SiteAddress.id)).all()
    current = next((address for address in addresses if address.retired_at is None), None)
    if current is None or current.base_url == base_url:
        if current is None:
            session.add(SiteAddress(base_url=base_url))
            session.commit()
        return tuple(address.base_url for address in addresses if address.retired_at is not None)
    if session.scalar(sa.select(IssuerKey.id).limit(1)) is None:
        current.base_url = base_url
        session.commit()
        return tuple(address.base_url for address in addresses if address.retired_at is not None)
    raise NotReady(
        f"BASE_URL is {base_url}, but the issuers' did:web identities were made for {current.base_url}: "
        "badges issued so far name that address and would stop verifying. Set TALENTBANK_BASE_URL back to "
        f"{current.base_url}, or, to move deliberately, run `talentbank change-base-url` with the new "
        "BASE_URL set (the old address keeps being served, so keep it pointing at this site)."
    )


def change_base_url(session: Session, base_url: str, *, now: datetime | None = None) -> str | None:
    """Make `base_url` the address new identities use; the one in use before is retired (still served).
    Returns the retired address, or None if `base_url` already was the one in use. Does not commit."""
    base_url = base_url.rstrip("/")
    addresses = {address.base_url: address for address in session.scalars(sa.select(SiteAddress))}
    current = next((address for address in addresses.values() if address.retired_at is None), None)
    if current is not None and current.base_url == base_url:
        return None
    if current is not None:
        current.retired_at = now or utcnow()
    if base_url in addresses:  # back to an address used before
        addresses[base_url].retired_at = None
    else:
        session.add(SiteAddress(base_url=base_url))
    session.flush()
    return current.base_url if current is not None else None


def check_deployment(app: Flask) -> None:
    """Every start-up check; raises NotReady with what to do."""
    engine = app.extensions["talentbank.engine"]
    check_database(engine)
    with Session(engine) as session:
        app.extensions["talentbank.former_base_urls"] = check_base_url(session, app.config["BASE_URL"])
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


_long_lived_frozen = False


def freeze_long_lived() -> None:
    """Once per process: collect, then move every object still alive into the collector's permanent
    generation (`gc.freeze`). What is alive after the first response is what lives as long as the
    process: modules, compiled templates, mappers, the reference vocabularies. Later full collections
    then no longer walk it; at 100,000 people they took tens of milliseconds out of the odd request
    (bench/learning.py --page-profiles). It also keeps those pages shared between forked workers."""
    global _long_lived_frozen
    if not _long_lived_frozen:
        _long_lived_frozen = True
        gc.collect()
        gc.freeze()


def _freeze_after_first_response(response: Response) -> Response:
    if not _long_lived_frozen:
        response.call_on_close(freeze_long_lived)  # after the bytes are sent: the client does not wait
    return response


def init_app(app: Flask) -> None:
    app.before_request(_refuse_until_ready)
    app.after_request(_freeze_after_first_response)
