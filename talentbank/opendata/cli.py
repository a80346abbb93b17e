"""`talentbank opendata`: regenerate every open data file (run it from cron or a systemd timer)."""

from __future__ import annotations

import click
from flask import Flask, current_app

from talentbank import db
from talentbank.opendata import files


def init_app(app: Flask) -> None:
    @app.cli.command("opendata")
    def opendata_command() -> None:
        """Regenerate the open data files in <instance>/opendata/."""
        directory = files.cache_directory(current_app.instance_path)
        generated = files.regenerate_all(db.session, files.SYSTEM, directory, base_url=current_app.config["BASE_URL"])
        for item in generated:
            click.echo(f"{item.name}: {item.rows} rows")
        click.echo(f"open data generated at {generated[0].generated_at.isoformat(timespec='seconds')} in {directory}")
