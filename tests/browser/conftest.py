"""Browser journeys: a live talentbank on 127.0.0.1 driven by Debian's Chromium through Playwright.

Without /usr/bin/chromium the journeys are skipped on a laptop, but fail in CI (CI=true), so a
missing browser can never turn into a silent pass.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from talentbank import create_app, db
from talentbank.cli import upgrade_database
from talentbank.db import make_engine
from talentbank.reference.loader import load_reference_data
from tests.browser.accessibility import Audit, AuditedBrowser, unvisited_pages

CHROMIUM = os.environ.get("TALENTBANK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    # The check that every page was visited comes after every journey (tests/browser/test_every_page.py).
    items.sort(key=lambda item: item.name == "test_no_page_is_left_unchecked")


def _serve(folder: Path, *, demo: bool = False) -> Iterator[tuple[str, object]]:
    url = f"sqlite:///{folder / 'live.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        load_reference_data(session)
        session.commit()
    engine.dispose()
    os.environ["TALENTBANK_INSTANCE_PATH"] = str(folder)
    app = create_app({"DATABASE_URL": url, "PASSWORD_HASH": "fast", "SECURE_COOKIES": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base_url
    if demo:
        from talentbank.cli import _load_demo

        with app.app_context():
            _load_demo()
            db.session.commit()
            db.session.remove()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url, app
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[tuple[str, object]]:
    """Serve a fresh SQLite-backed talentbank on a free loopback port; yields (base URL, app)."""
    yield from _serve(tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory) -> Iterator[tuple[str, object]]:
    """The same, with the demo data set loaded (what `make run` serves)."""
    yield from _serve(tmp_path_factory.mktemp("demo"), demo=True)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield AuditedBrowser(instance, AUDIT)
        finally:
            instance.close()


AUDIT = Audit()


def pytest_terminal_summary(terminalreporter):
    if AUDIT.pages:
        by_impact = ", ".join(f"{impact} {count}" for impact, count in sorted(AUDIT.counts.items())) or "none"
        terminalreporter.write_line(f"axe-core: {AUDIT.pages} page views checked; violations by impact: {by_impact}")
    if AUDIT.seen:
        from talentbank import create_app

        missing = unvisited_pages(create_app({"DATABASE_URL": "sqlite://"}).url_map, AUDIT.seen)
        terminalreporter.write_line(f"axe-core: pages no journey visited: {', '.join(missing) or 'none'}")


@pytest.fixture(autouse=True)
def accessible_pages(request):
    """After each journey, axe-core checks the pages it visited (tests/browser/accessibility.py)."""
    AUDIT.visits.clear()
    yield
    if "browser" not in request.fixturenames:
        return
    AUDIT.journeys += 1
    failures = AUDIT.check(request.getfixturevalue("browser").unwatched)
    if failures:
        pytest.fail("axe-core found serious or critical violations:\n" + "\n".join(failures), pytrace=False)


@pytest.fixture
def error_state(browser):
    """`error_state(page, {selector: bad value}, button=...)`: the refused form's page, in every variant, passes axe-core and links its
    errors (tests/browser/accessibility.py, Audit.check_error_state)."""
    return AUDIT.check_error_state


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()
