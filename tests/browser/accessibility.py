"""axe-core over every page the browser journeys visit: in Japanese at desktop width, and in English and in
Japanese on a 390 px phone screen (three passes; English at desktop width adds little over these).
A serious or critical violation fails the journey that reached the page.

The journeys record each page they load; when a journey ends, each page whose route was not checked yet
this session (as a visitor, or signed in) is opened again with the cookies it had (so as the same user) in
every variant, and axe-core, injected from tests/browser/node_modules (`npm ci --prefix tests/browser`),
checks it. A page shown after a refused POST is checked as its GET shows it, and journeys check the
refused state itself with `Audit.check_error_state` (the `error_state` fixture): the form is submitted with
bad input in every variant, and the answer must pass axe-core, announce an error summary that takes the
focus, and describe each invalid control by its error. `unvisited_pages` lists the app's pages that no
journey loaded (tests/browser/test_every_page.py fails on any).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import HTTPException

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
FAILING = {"serious", "critical"}
VARIANTS = [("ja", 1280), ("en", 390), ("ja", 390)]  # both languages, and each on a phone
LOCALE_COOKIE = "tb_lang"
SUBMIT = "main form button[type=submit]"  # the page's form (the header's forms are outside <main>)
NOT_PAGES = re.compile(r"\.(json|jsonld|jwt|png|svg|csv|js|css)$|^/(api|static)/")
IDS = re.compile(r"/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)(?=/|$)")

# What a refused form must show (run in the page; returns one line per problem).
ERROR_STATE = """() => {
  const problems = [];
  const summary = document.getElementById("error-summary");
  if (!summary) return ["no error summary (#error-summary)"];
  if (summary.getAttribute("role") !== "alert") problems.push("the error summary is not role=alert");
  if (document.activeElement !== summary) {
    const focused = document.activeElement;
    problems.push(`the focus is on <${focused && focused.tagName.toLowerCase()}#${focused && focused.id}>, not the summary`);
  }
  const texts = (ids) => (ids || "").split(/\\s+/).filter(Boolean).map((id) => document.getElementById(id));
  for (const link of summary.querySelectorAll("a")) {
    const target = document.getElementById((link.getAttribute("href") || "").replace(/^#/, ""));
    if (!target || !target.matches("input, select, textarea")) problems.push(`summary link ${link.getAttribute("href")} leads to no control`);
  }
  if (!summary.textContent.trim()) problems.push("the error summary is empty");
  for (const control of document.querySelectorAll("[aria-invalid=true]")) {
    const group = control.closest("fieldset[aria-describedby]");
    const described = [...texts(control.getAttribute("aria-describedby")), ...texts(group && group.getAttribute("aria-describedby"))];
    if (!described.some((el) => el && el.classList.contains("field-error") && el.textContent.trim()))
      problems.push(`#${control.id} is invalid but no error text describes it`);
  }
  const described = new Set([...document.querySelectorAll("[aria-describedby]")].flatMap((el) => el.getAttribute("aria-describedby").split(/\\s+/)));
  for (const error of document.querySelectorAll("form .field-error")) {
    if (!error.id || !described.has(error.id)) problems.push(`the error "${error.textContent.trim()}" describes no control`);
  }
  return problems;
}"""


def route_of(url: str) -> str:
    """The page's route: ids replaced, the query left out (one check per kind of page)."""
    return IDS.sub("/{id}", urlsplit(url).path)


def axe_available() -> bool:
    """axe-core is installed; without it the checks are skipped on a laptop but fail in CI."""
    if not AXE.exists() and os.environ.get("CI"):
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/browser`")
    return AXE.exists()


@dataclass
class Audit:
    """What the session checked: pages by route and signed-in or not, and every violation by impact."""

    visits: list[tuple[str, list[dict]]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # every path a journey loaded, for unvisited_pages
    journeys: int = 0
    checked: set[tuple[str, bool]] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    pages: int = 0

    def watch(self, context) -> None:
        """Record every page `context` loads, with the cookies it had then (the journey may close it)."""

        def on_load(page) -> None:
            self.visits.append((page.url, context.cookies()))
            self.seen.add(urlsplit(page.url).path)

        context.on("page", lambda page: page.on("load", on_load))

    def check(self, browser) -> list[str]:
        """Check the recorded pages not checked yet; returns one line per serious or critical violation."""
        visits, self.visits = self.visits, []
        if not axe_available():
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

    def check_error_state(self, page, values: dict[str, str | bytes], button: str = SUBMIT) -> None:
        """Submit the form on `page` with bad input, in every variant, and check the page that comes back.

        `values` maps selectors (which do not depend on the language) to what is typed into them, or to the
        bytes of a CSV file to choose; then `button` is clicked. The answer must pass axe-core, carry an error summary that is announced (role=alert) and
        has the focus, link each summary entry to a control, and describe every invalid control by its error
        text (aria-describedby, on the control or on its fieldset). Fails the journey otherwise.
        """
        url, origin = page.url, urlsplit(page.url)
        cookies = [c for c in page.context.cookies() if c["name"] != LOCALE_COOKIE]
        failures = []
        for locale, width in VARIANTS:
            variant = page.context.browser.new_context(viewport={"width": width, "height": 860}, bypass_csp=True)
            try:
                language = {"name": LOCALE_COOKIE, "value": locale, "url": f"{origin.scheme}://{origin.netloc}"}
                variant.add_cookies([*cookies, language])
                answer = variant.new_page()
                answer.set_default_timeout(10_000)
                answer.goto(url)
                for selector, value in values.items():
                    if isinstance(value, bytes):
                        answer.set_input_files(
                            selector, files=[{"name": "upload.csv", "mimeType": "text/csv", "buffer": value}]
                        )
                    else:
                        answer.fill(selector, value)
                with answer.expect_navigation():
                    answer.click(button)
                where = f"{route_of(url)} with bad input ({locale}, {width}px)"
                if axe_available():
                    answer.add_script_tag(path=str(AXE))
                    failures += self._axe(answer, where)
                failures += [f"{where}: {problem}" for problem in answer.evaluate(ERROR_STATE)]
            finally:
                variant.close()
        assert not failures, "the form's error state fails:\n" + "\n".join(failures)

    def _check_one(self, page, url: str, where: str) -> list[str]:
        response = page.goto(url)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            return []
        page.add_script_tag(path=str(AXE))
        return self._axe(page, where)

    def _axe(self, page, where: str) -> list[str]:
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


# GET routes that answer with something other than a page (documents for programs, files, probes).
NOT_HTML = {
    "main.health",
    "credentials.status_list",
    "opendata.download",
    "oid4vci.authorization_server_metadata",
    "oid4vci.issuer_metadata",
    "oid4vp.authorization_request",
}


def unvisited_pages(url_map, paths: set[str]) -> list[str]:
    """The HTML pages (GET routes, as url_map rules) that none of `paths` reaches."""
    adapter = url_map.bind("localhost")
    reached = set()
    for path in paths:
        try:
            reached.add(adapter.match(path, method="GET")[0])
        except HTTPException:  # a 404, or a redirect to a page of ours
            continue
    return sorted(
        rule.rule
        for rule in url_map.iter_rules()
        if "GET" in rule.methods
        and rule.endpoint not in reached | NOT_HTML
        and rule.endpoint != "static"
        and not NOT_PAGES.search(rule.rule)
    )
