"""Every page of talentbank is checked by axe-core (#20). The other journeys reach most pages on their way;
this one visits the rest on the demo site, as the demo role that sees each (a visitor, a person, a town,
a school, the site admin), and refuses a few more forms. `test_no_page_is_left_unchecked` runs last (the
browser conftest moves it there): once every journey has run, a page of the app's url_map that none of
them loaded fails it, so a new page cannot go unchecked (the run's summary line lists them as well).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.demo import DEMO_DOMAIN, DEMO_PASSWORD
from talentbank.models import Endorsement, LearningOpportunity, Organisation, Outcome, Profile, Project, User
from tests.browser.accessibility import unvisited_pages
from tests.browser.conftest import AUDIT
from tests.browser.test_journeys import latest_link

VISITOR_PAGES = ("/about", "/municipalities", "/skills", "/skills/dssp2-35", "/opendata", "/orgs/", "/projects")
PERSON_PAGES = (
    "/me/credentials/import",
    "/me/data",
    "/me/data/export.html",
    "/me/internship-preferences",
    "/settings/password",
)


def demo_ids(app) -> dict[str, str]:
    with Session(app.extensions["talentbank.engine"]) as session:
        one = session.scalar
        town = one(sa.select(Organisation).where(Organisation.name == "上士幌町 デジタル推進係"))
        kosen = one(sa.select(Organisation).where(Organisation.name == "道北工業高等専門学校"))
        yamada = one(sa.select(User.id).where(User.email == f"yamada@{DEMO_DOMAIN}"))
        profile = one(sa.select(Profile.id).where(Profile.user_id == yamada))
        return {
            "town": str(town.public_id),
            "project": str(one(sa.select(Project.public_id).where(Project.organisation_id == town.id))),
            "course": str(
                one(sa.select(LearningOpportunity.public_id).where(LearningOpportunity.organisation_id == kosen.id))
            ),
            "endorsement": str(one(sa.select(Endorsement.public_id))),
            "outcome": str(one(sa.select(Outcome.id).where(Outcome.profile_id == profile))),
            "kosen": str(kosen.public_id),
        }


def demo_log_in(browser, base_url: str, local: str):
    page = browser.new_context(locale="ja-JP").new_page()
    page.set_default_timeout(10_000)
    page.goto(base_url + "/login")
    page.fill("#email", f"{local}@{DEMO_DOMAIN}")
    page.fill("#password", DEMO_PASSWORD)
    page.click("form[action$='/login'] button[type=submit]")
    page.wait_for_url(base_url + "/dashboard")
    return page


def test_the_pages_other_journeys_do_not_reach(browser, demo_server, error_state):
    base_url, app = demo_server
    ids = demo_ids(app)
    visitor = browser.new_context(locale="ja-JP").new_page()
    visitor.set_default_timeout(10_000)
    for path in (*VISITOR_PAGES, f"/endorsements/{ids['endorsement']}"):
        visitor.goto(base_url + path)
    visitor.goto(base_url + "/forgot")
    error_state(visitor, {"#email": "not-an-address"})
    visitor.fill("#email", f"yamada@{DEMO_DOMAIN}")
    with visitor.expect_navigation():
        visitor.click("main form button[type=submit]")
    visitor.goto(latest_link(app, f"yamada@{DEMO_DOMAIN}", "/reset/"))
    error_state(visitor, {"#password": "a long new password 2026", "#password_confirm": "another one 2026"})

    person = demo_log_in(browser, base_url, "yamada")
    for path in (*PERSON_PAGES, f"/me/outcomes/{ids['outcome']}/edit"):
        person.goto(base_url + path)

    town = demo_log_in(browser, base_url, "kamishihoro")
    for path in (f"/orgs/{ids['town']}/edit", f"/projects/{ids['project']}/edit", f"/orgs/{ids['town']}"):
        town.goto(base_url + path)
    error_state(town, {"#email": "not-an-address"}, "form[action$='/invitations'] button")
    town.fill("form[action$='/invitations'] #email", "newcomer@example.jp")
    with town.expect_navigation():
        town.click("form[action$='/invitations'] button[type=submit]")
    visitor.goto(latest_link(app, "newcomer@example.jp", "/invitations/"))

    school = demo_log_in(browser, base_url, "dohoku-kosen")
    school.goto(f"{base_url}/learning/{ids['course']}/edit")
    # A learner record (CLR 2.0, #16) of the KOSEN badge its demo learners hold: refused, then issued.
    school.goto(f"{base_url}/orgs/{ids['kosen']}/badges")
    with school.expect_navigation():
        school.click(f"a[href$='/orgs/{ids['kosen']}/learner-records/new']")
    error_state(school, {"#email": "not-an-address"})
    school.fill("#email", f"kobayashi@{DEMO_DOMAIN}")
    school.check("#achievement_ids-0")
    school.fill("#track_name", "デジタル人材育成トラック")
    with school.expect_navigation():
        school.click("main form button[type=submit]")
    assert "/learner-records/" in school.url
    assert "この学修記録と、含まれるすべてのバッジが本物で、有効です。" in school.content()

    admin = demo_log_in(browser, base_url, "admin")
    for path in ("/admin/", "/admin/outbox"):
        admin.goto(base_url + path)
    for page in (visitor, person, town, school, admin):
        page.context.close()


def test_no_page_is_left_unchecked(request, live_server):
    """Runs last: every HTML page of the url_map was loaded by some journey (and so checked by axe-core)."""
    _base_url, app = live_server
    journeys = [
        item for item in request.session.items if item is not request.node and "tests/browser" in str(item.path)
    ]
    files = {path.name for path in Path(__file__).parent.glob("test_*.py")}
    missing = unvisited_pages(app.url_map, AUDIT.seen)
    if AUDIT.journeys < len(journeys) or files - {item.path.name for item in journeys} - {Path(__file__).name}:
        pytest.skip(f"only part of the journeys ran ({AUDIT.journeys}); the pages they did not reach: {missing}")
    assert missing == [], f"pages that no browser journey visits (so axe-core never checks them): {missing}"
