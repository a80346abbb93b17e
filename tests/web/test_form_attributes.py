"""Every page with a form, as each demo role sees it: no attribute holds the text "None" (WTForms writes a
None keyword argument out as that text), and every aria-describedby names an element on the page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from talentbank.demo import DEMO_DOMAIN, DEMO_PASSWORD
from talentbank.models import (
    Achievement,
    Credential,
    LearningOpportunity,
    Organisation,
    Outcome,
    Profile,
    Project,
    User,
)

# Who walks the site, and the organisation whose pages they manage (demo_data.ORGANISATIONS).
ROLES = {
    "visitor": (None, None),
    "person": ("yamada", None),
    "student": ("inoue", None),
    "municipality": ("kamishihoro", "上士幌町 デジタル推進係"),
    "company": ("tokachi-data", "株式会社とかちデータ工房"),
    "school": ("dohoku-kosen", "道北工業高等専門学校"),
    "prefecture": ("pref-digital", "北海道 総合政策部 デジタル推進局"),
    "admin": ("admin", None),
}
NOT_PAGES = re.compile(r"\.(json|jsonld|jwt|png|svg|csv|txt|xml|js|css)$|^/(api|static|opendata/files)/")


class Attributes(HTMLParser):
    """Collects every element's attributes, and whether the page holds a form."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.has_form = False

    def handle_starttag(self, tag, attrs):
        self.has_form = self.has_form or tag == "form"
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def by_id(self, element_id: str) -> dict[str, str]:
        return next(attrs for _tag, attrs in self.elements if attrs.get("id") == element_id)

    def problems(self) -> list[str]:
        ids = {attrs["id"] for _tag, attrs in self.elements if attrs.get("id")}
        found = []
        for tag, attrs in self.elements:
            found += [f"<{tag} {name}={value!r}>" for name, value in attrs.items() if value.strip() == "None"]
            for ref in attrs.get("aria-describedby", "").split():
                if ref not in ids:
                    found.append(f"<{tag} aria-describedby> names #{ref}, which is not on the page")
        return found


def read(html: str) -> Attributes:
    parser = Attributes()
    parser.feed(html)
    return parser


@pytest.fixture
def demo(app, db):
    result = app.test_cli_runner().invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    return db


def _values(db, local: str | None, organisation_name: str | None) -> dict[str, str]:
    """Values for the URL arguments of every route, taken from the demo objects this role manages."""
    organisation = db.scalar(
        sa.select(Organisation).where(Organisation.name == (organisation_name or "道北工業高等専門学校"))
    )
    project = db.scalar(sa.select(Project).where(Project.organisation_id == organisation.id)) or db.scalar(
        sa.select(Project)
    )
    user = db.scalar(sa.select(User).where(User.email == f"{local}@{DEMO_DOMAIN}")) if local else None
    profile = db.scalar(sa.select(Profile).where(Profile.user_id == user.id)) if user else None
    outcome = db.scalar(sa.select(Outcome).where(Outcome.profile_id == profile.id)) if profile else None
    return {
        "/orgs/": str(organisation.public_id),
        "/projects/": str(project.public_id),
        "/achievements/": str(db.scalar(sa.select(Achievement.public_id))),
        "/learning/": str(db.scalar(sa.select(LearningOpportunity.public_id))),
        "/credentials/": str(db.scalar(sa.select(Credential.public_id))),
        "/people/": str((profile or db.scalar(sa.select(Profile))).public_id),
        "outcome_id": str(outcome.id if outcome else 0),
        "code": "dssp2-35",
        "token": "not-a-real-token",
    }


def pages(app, values: dict[str, str]) -> list[str]:
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or NOT_PAGES.search(rule.rule) or rule.endpoint == "opendata.file":
            continue
        path = rule.rule
        for name in rule.arguments:
            prefix = next((p for p in values if p.startswith("/") and rule.rule.startswith(p)), None)
            value = values.get(name) or (values[prefix] if prefix else None)
            if value is None:
                break
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", value, path)
        else:
            paths.add(path)
    return sorted(paths)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_with_a_form_writes_none_into_an_attribute(app, client, demo, role):
    local, organisation_name = ROLES[role]
    if local:
        response = client.post("/login", data={"email": f"{local}@{DEMO_DOMAIN}", "password": DEMO_PASSWORD})
        assert response.status_code == 302, local
    forms, problems = 0, {}
    for path in pages(app, _values(demo, local, organisation_name)):
        response = client.get(path)
        if response.mimetype != "text/html" or response.status_code >= 300:
            continue
        page = read(response.get_data(as_text=True))
        forms += page.has_form
        if found := page.problems():
            problems[path] = found
    assert not problems
    assert forms >= 8, f"only {forms} pages with a form were read as {role}"


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("/login", {"email": "", "password": ""}, "email"),
        ("/register", {"email": "not-an-address"}, "email"),
        ("/verify", {"credential": "{"}, None),
    ],
)
def test_a_form_with_errors_links_each_error_and_writes_no_none(client, db, path, data, field):
    response = client.post(path, data=data)
    assert response.status_code in {200, 400, 422}, response.status_code
    page = read(response.get_data(as_text=True))
    assert not page.problems()
    if field:
        attributes = page.by_id(field)
        assert attributes["aria-invalid"] == "true"
        assert f"{field}-error" in attributes["aria-describedby"].split()


def error_summary(html: str) -> tuple[dict[str, str], list[str]]:
    """The refused form's error summary: its attributes and the ids its links lead to."""
    page = read(html)
    summary = page.by_id("error-summary")
    block = html[html.index('id="error-summary"') :]
    block = block[: block.index("</div>")]
    return summary, re.findall(r'href="#([^"]+)"', block)


@pytest.mark.parametrize(
    ("path", "data", "targets"),
    [
        ("/login", {"email": "", "password": ""}, ["email", "password"]),
        ("/register", {"email": "not-an-address", "password": "short"}, ["email", "display_name"]),
        ("/verify", {"credential": "{"}, None),
    ],
)
def test_a_refused_form_opens_with_an_announced_summary_linking_each_field(client, db, path, data, targets):
    html = client.post(path, data=data).get_data(as_text=True)
    summary, links = error_summary(html)
    assert summary["role"] == "alert" and "autofocus" in summary and summary["tabindex"] == "-1"
    ids = {attrs.get("id") for _tag, attrs in read(html).elements}
    assert set(links) <= ids
    if targets:
        assert links[: len(targets)] == targets


def test_radio_buttons_are_a_group_whose_error_is_read_with_it(client, db, login):
    from tests.factories import make_profile

    profile = make_profile(db)
    login(client, profile.user)
    response = client.post("/me/profile", data={"display_name": "名前", "visibility": "everyone", "home": "011002"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    page = read(html)
    assert '<fieldset class="field field-choices has-error" aria-describedby="visibility-error">' in html
    assert "<legend>" in html.split('aria-describedby="visibility-error">', 1)[1].lstrip()[:10]
    assert page.by_id("visibility-0")["aria-invalid"] == "true"
    assert 'for="visibility"' not in html  # no label names the list itself
    assert "visibility-0" in error_summary(html)[1]
    db.refresh(profile)
    assert profile.visibility.value == "public" and profile.display_name != "名前"  # nothing saved
