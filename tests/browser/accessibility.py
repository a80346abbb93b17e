"""axe-core over every page the browser journeys visit: in Japanese at desktop width, and in English and in
Japanese on a 390 px phone screen (three passes; English at desktop width adds little over these).
A serious or critical violation fails the journey that reached the page.

The journeys record each page they load; when a journey ends, each page whose route was not checked yet
this session (as a visitor, or signed in) is opened again with the cookies it had (so as the same user) in
every variant, and axe-core, injected from tests/browser/node_modules (`npm ci --prefix tests/browser`),
checks it. Pages shown after a failed POST are checked as their GET shows them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
FAILING = {"serious", "critical"}
VARIANTS = [("ja", 1280), ("en", 390), ("ja", 390)]  # both languages, and each on a phone
LOCALE_COOKIE = "tb_lang"
NOT_PAGES = re.compile(r"\.(json|jsonld|jwt|png|svg|csv|js|css)$|^/(api|static)/")
IDS = re.compile(r"/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)(?=/|$)")


def route_of(url: str) -> str:
    """The page's route: ids replaced, the query left out (one check per kind of page)."""
    return IDS.sub("/{id}", urlsplit(url).path)


@dataclass
class Audit:
    """What the session checked: pages by route and signed-in or not, and every violation by impact."""

    visits: list[tuple[str, list[dict]]] = field(default_factory=list)
    checked: set[tuple[str, bool]] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    pages: int = 0

    def watch(self, context) -> None:
        """Record every page `context` loads, with the cookies it had then (the journey may close it)."""

        def on_load(page) -> None:
            self.visits.append((page.url, context.cookies()))

        context.on("page", lambda page: page.on("load", on_load))

    def check(self, browser) -> list[str]:
        """Check the recorded pages not checked yet; returns one line per serious or critical violation."""
        visits, self.visits = self.visits, []
        if not AXE.exists():
            if os.environ.get("CI"):
                pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/browser`")
            return []
        todo = {}
        for url, cookies in visits:
            cookies = [c for c in cookies if c["name"] != LOCALE_COOKIE]
            key = (route_of(url), bool(cookies))
            if url.startswith("http") and key not in self.checked and not NOT_PAGES.search(urlsplit(url).path):
                todo.setdefault(key, (url, cookies))
        self.checked.update(todo)
        failures = []
        for locale, width in VARIANTS if todo else []:
            variant = browser.new_context(viewport={"width": width, "height": 860}, locale="ja-JP", bypass_csp=True)
            try:
                page = variant.new_page()
                for (route, signed_in), (url, cookies) in todo.items():
                    origin = urlsplit(url)
                    variant.clear_cookies()
                    language = {"name": LOCALE_COOKIE, "value": locale, "url": f"{origin.scheme}://{origin.netloc}"}
                    variant.add_cookies([*cookies, language])
                    where = f"{route} ({'signed in' if signed_in else 'visitor'}, {locale}, {width}px)"
                    failures += self._check_one(page, url, where)
            finally:
                variant.close()
        return failures

    def _check_one(self, page, url: str, where: str) -> list[str]:
        response = page.goto(url)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            return []
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
        self.pages += 1
        failures = []
        for violation in violations:
            impact = violation.get("impact") or "minor"
            self.counts[impact] = self.counts.get(impact, 0) + len(violation["nodes"])
            if impact in FAILING:
                targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
                failures.append(f"{where}: {impact} {violation['id']} ({violation['help']}) at {targets}")
        return failures


class AuditedBrowser:
    """The session's browser; every context it opens is watched by the audit."""

    def __init__(self, browser, audit: Audit) -> None:
        self._browser, self._audit = browser, audit

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        self._audit.watch(context)
        return context

    @property
    def unwatched(self):
        return self._browser

    def __getattr__(self, name):
        return getattr(self._browser, name)
