"""Command line: `talentbank <command>` (or `flask --app wsgi <command>`). The commands are registered on
the app by `create_app`; the `talentbank` program itself is `talentbank.__main__`.

setup            upgrade the database, load reference data, and demo data when the database is empty
upgrade-db       alembic upgrade head
change-base-url  move to the BASE_URL now configured (earlier badges' address keeps being served)
load-reference   load municipalities, subprefectures, DSS skills and tool tags (idempotent)
load-demo        load the demo data set (idempotent)
create-admin     create or promote a site administrator
send-mail        deliver queued mail over SMTP (when TALENTBANK_SMTP_HOST is set)
backup / restore SQLite backup API, or pg_dump -Fc / pg_restore for PostgreSQL
opendata         regenerate the open data files (run it from a timer)
refresh-credentials  re-verify imported badges, clean expired badge skills (run it daily from a timer)
recount-supply   count the people in the statistics again from every profile (after SQL run outside the app)
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
import sqlalchemy as sa
from alembic import command
from flask import Flask, current_app

from talentbank import db
from talentbank.startup import alembic_config, change_base_url


def upgrade_database(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def _is_empty() -> bool:
    from talentbank.models import User

    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def init_app(app: Flask) -> None:
    from talentbank.opendata import cli as opendata_cli

    opendata_cli.init_app(app)

    @app.cli.command("upgrade-db")
    def upgrade_db_command() -> None:
        """Upgrade the database schema to the newest revision."""
        upgrade_database(current_app.config["DATABASE_URL"])
        click.echo("database upgraded")

    @app.cli.command("change-base-url")
    def change_base_url_command() -> None:
        """Issue under the BASE_URL now configured; the address in use before keeps being served."""
        base_url = current_app.config["BASE_URL"].rstrip("/")
        retired = change_base_url(db.session, base_url)
        db.session.commit()
        if retired is None:
            click.echo(f"{base_url} already is the address in use; nothing changed")
            return
        click.echo(f"new identities are made for {base_url}; {retired} keeps being served for earlier badges "
                   "(keep it pointing at this site)")  # fmt: skip

    @app.cli.command("load-reference")
    def load_reference_command() -> None:
        """Load reference data (re-running changes nothing)."""
        from talentbank.reference.loader import load_reference_data

        counts = load_reference_data(db.session)
        db.session.commit()
        click.echo(f"reference data: {dict(sorted(counts.items()))}")

    @app.cli.command("load-demo")
    def load_demo_command() -> None:
        """Load the demo data set (re-running changes nothing)."""

        created = _load_demo()
        db.session.commit()
        click.echo(f"demo data: {created} rows created")

    @app.cli.command("setup")
    @click.option("--demo/--no-demo", default=True, help="Load demo data when the database is empty.")
    def setup_command(demo: bool) -> None:
        """Upgrade, load reference data, and load demo data into an empty database."""
        from talentbank.reference.loader import load_reference_data

        upgrade_database(current_app.config["DATABASE_URL"])
        load_reference_data(db.session)
        if demo and _is_empty():
            _load_demo()
            click.echo("demo data loaded")
        db.session.commit()
        click.echo("ready")

    @app.cli.command("create-admin")
    @click.option("--email", prompt=True)
    @click.option("--name", "display_name", default="管理者")
    @click.password_option(envvar="TALENTBANK_ADMIN_PASSWORD")
    def create_admin_command(email: str, display_name: str, password: str) -> None:
        """Create a site administrator, or promote an existing account."""
        from talentbank.accounts.services import create_admin
        from talentbank.errors import Invalid

        try:
            user = create_admin(db.session, email, display_name, password, hasher=app.extensions["talentbank.hasher"])
        except Invalid as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"admin ready: {user.email}")

    @app.cli.command("send-mail")
    def send_mail_command() -> None:
        """Deliver queued mail over SMTP."""
        from talentbank.mail import send_pending

        sent = send_pending(db.session, current_app.config)
        db.session.commit()
        click.echo(f"sent {sent}")

    @app.cli.command("refresh-credentials")
    def refresh_credentials_command() -> None:
        """Re-verify imported credentials and withdraw expired or revoked badge-verified skills (run daily)."""
        from talentbank.credentials.context import issuer_context
        from talentbank.credentials.imports import refresh_credentials

        summary = refresh_credentials(db.session, issuer_context())
        db.session.commit()
        click.echo(
            f"imported credentials: {summary.checked} checked, {summary.still_counting} still counting, "
            f"{summary.stopped_counting} stopped counting, {summary.started_counting} started counting, "
            f"{summary.unreachable} issuer unreachable (verdict kept)"
        )
        click.echo(f"profiles: {summary.profiles_refreshed} rechecked, {summary.profiles_changed} changed")

    @app.cli.command("recount-supply")
    def recount_supply_command() -> None:
        """Count the people in the statistics again from every profile. The app keeps the counts on every
        write it makes; this is for changes made to the database by hand."""
        from talentbank.models.supply import rebuild_supply_counts

        rebuild_supply_counts(db.session)
        db.session.commit()
        click.echo("supply counts rebuilt")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path: Path) -> None:
        """Write a consistent copy of the database to PATH (SQLite file or pg_dump custom format)."""
        backup_database(current_app.config["DATABASE_URL"], path)
        click.echo(f"backup written to {path}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.confirmation_option(prompt="This replaces the current database. Continue?")
    def restore_command(path: Path) -> None:
        """Replace the database with the backup at PATH."""
        db.session.remove()
        current_app.extensions["talentbank.engine"].dispose()
        restore_database(current_app.config["DATABASE_URL"], path)
        click.echo(f"restored from {path}")


def _load_demo() -> int:
    """Load the demo data inside a request context for the site's base URL: demo badges send mail,
    and mail links are built with url_for."""
    from talentbank.credentials.context import issuer_context
    from talentbank.demo import load_demo_data

    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return load_demo_data(db.session, hasher=current_app.extensions["talentbank.hasher"], issuer=issuer_context())


def _sqlite_path(database_url: str) -> str:
    return sa.engine.make_url(database_url).database or ""


def _libpq_url(database_url: str) -> str:
    return sa.engine.make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup_database(database_url: str, path: Path) -> None:
    """Back up with the SQLite online backup API, or `pg_dump -Fc` for PostgreSQL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if database_url.startswith("sqlite"):
        with sqlite3.connect(_sqlite_path(database_url)) as source, sqlite3.connect(path) as target:
            source.backup(target)
        return
    _run_tool("pg_dump", "-Fc", "--no-owner", "-f", str(path), _libpq_url(database_url))


def restore_database(database_url: str, path: Path) -> None:
    """Restore a backup made by `backup_database` over the current database."""
    if database_url.startswith("sqlite"):
        with sqlite3.connect(path) as source, sqlite3.connect(_sqlite_path(database_url)) as target:
            source.backup(target)
        return
    _run_tool("pg_restore", "--clean", "--if-exists", "--no-owner", "-d", _libpq_url(database_url), str(path))


def _run_tool(name: str, *arguments: str) -> None:
    if shutil.which(name) is None:
        raise click.ClickException(f"{name} is not installed (Debian package postgresql-client)")
    subprocess.run([name, *arguments], check=True, env={**os.environ, "PGCONNECT_TIMEOUT": "10"})
