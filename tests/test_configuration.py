"""The README's configuration table names exactly the settings the code reads, spelled as the code
reads them; and the app refuses to serve a database that is not at the newest Alembic revision."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask_wtf.csrf import CSRFProtect

from talentbank.config import _BOOLEAN_KEYS, _INTEGER_KEYS, DEFAULTS, ENV_PREFIX, _derive_flask_settings
from talentbank.startup import NotReady, check_database, head_revision
from tests.conftest import make_test_app

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "talentbank").rglob("*.py"))
# Settings the app reads without a default in DEFAULTS: generated into the instance folder when unset.
GENERATED = {"SECRET_KEY", "KEY_ENCRYPTION_KEY"}


def _table() -> list[str]:
    """The first cell of every row of the README's configuration table, split into its names."""
    section = ROOT.joinpath("README.md").read_text().split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) > 10
    return [name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])]


def _read_in_code() -> set[str]:
    """Every `config["NAME"]` / `config.get("NAME")` in the app, less Flask's and its extensions' own."""
    flask_keys = set(Flask.default_config)
    probe = Flask("probe")
    probe.config.update(DEFAULTS)
    _derive_flask_settings(probe)
    CSRFProtect(probe)  # Flask-WTF's own settings (WTF_CSRF_ENABLED and the rest)
    flask_keys |= set(probe.config) - set(DEFAULTS)
    found = set()
    for path in SOURCES:
        found |= set(re.findall(r"config(?:\[|\.get\()\s*[\"']([A-Z][A-Z0-9_]+)[\"']", path.read_text()))
    return (found - flask_keys - {"TESTING"}) | set(DEFAULTS) | GENERATED


def _environment_only() -> set[str]:
    """Variables read straight from the environment (not through `load_config`)."""
    found = set()
    for path in SOURCES:
        found |= set(re.findall(r"os\.environ(?:\.get\(|\[)\s*[\"'](TALENTBANK_[A-Z0-9_]+)[\"']", path.read_text()))
    return found


def test_the_readme_table_names_every_setting_the_code_reads_and_no_other():
    documented = _table()
    settings = {name for name in documented if not name.startswith(ENV_PREFIX)}
    environment = {name for name in documented if name.startswith(ENV_PREFIX)}
    assert len(documented) == len(set(documented)), "a setting is listed twice"
    assert settings == _read_in_code()
    assert environment == _environment_only() == {"TALENTBANK_INSTANCE_PATH"}


def test_every_setting_of_another_type_than_text_is_converted_from_the_environment():
    for name, default in DEFAULTS.items():
        if isinstance(default, bool):
            assert name in _BOOLEAN_KEYS, name
        elif isinstance(default, int):
            assert name in _INTEGER_KEYS, name


def test_the_instance_path_the_readme_names_is_the_one_used(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("TALENTBANK_INSTANCE_PATH", str(tmp_path / "elsewhere"))
    from talentbank import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    assert Path(app.instance_path) == tmp_path / "elsewhere"
    assert (tmp_path / "elsewhere" / "secret_key").exists()


def test_a_database_behind_the_head_revision_is_refused_until_upgraded(empty_database_url, tmp_path):
    from talentbank.cli import upgrade_database
    from talentbank.db import make_engine

    engine = make_engine(empty_database_url)
    with pytest.raises(NotReady, match="talentbank setup"):
        check_database(engine)
    app = make_test_app(empty_database_url, tmp_path)
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert "talentbank setup" in response.get_data(as_text=True) and "talentbank upgrade-db" in response.get_data(
        as_text=True
    )
    upgrade_database(empty_database_url, "0016")
    with pytest.raises(NotReady, match=r"revision 0016.*talentbank upgrade-db"):
        check_database(engine)
    assert app.test_client().get("/").status_code == 503
    upgrade_database(empty_database_url)
    check_database(engine)
    assert app.test_client().get("/").status_code < 500  # served now, without restarting
    engine.dispose()
    assert head_revision()


def test_gunicorn_entry_point_stops_with_the_message(empty_database_url, tmp_path):
    environment = {"TALENTBANK_DATABASE_URL": empty_database_url, "TALENTBANK_INSTANCE_PATH": str(tmp_path), "PATH": ""}
    started = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=environment, capture_output=True,
                             text=True, timeout=60)  # fmt: skip
    assert started.returncode != 0
    assert "talentbank cannot start" in started.stderr and "talentbank setup" in started.stderr
