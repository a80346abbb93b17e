"""GET /api/v1/projects pages in SQL: every matching project can be reached, even past 1,000, with
capped page sizes, no duplicates or gaps, and the browse page's order and filters."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentbank.models import Project, ProjectStatus, Theme
from talentbank.projects import posting, statuses
from tests.factories import PROJECT_DEFAULTS, make_organisation

OPEN = 1_030  # more than the old cap of 1,000
PER_PAGE = 100  # the documented maximum of per_page
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def seed(session, organisation, count: int, *, status=ProjectStatus.OPEN, theme=Theme.AGRICULTURE, offset=0) -> None:
    """`count` projects in one INSERT; only 7 distinct update times, so most order ties need the id."""
    session.execute(
        sa.insert(Project),
        [
            {
                **PROJECT_DEFAULTS,
                "public_id": uuid.uuid4(),
                "organisation_id": organisation.id,
                "title": f"案件{offset + index:04d}",
                "theme": theme,
                "status": status,
                "created_at": T0,
                "updated_at": T0 + timedelta(minutes=(offset + index) % 7),
            }
            for index in range(count)
        ],
    )
    session.flush()


@pytest.fixture
def many(db):
    organisation = make_organisation(db, name="大量掲載の町", verified=True)
    seed(db, organisation, OPEN - 30)
    seed(db, organisation, 30, theme=Theme.TOURISM, offset=OPEN - 30)
    seed(db, organisation, 25, status=ProjectStatus.CLOSED, offset=OPEN)
    seed(db, organisation, 5, status=ProjectStatus.DRAFT, offset=OPEN + 25)
    db.commit()
    return organisation


def expected_order(session, statuses, theme=None) -> list[str]:
    """The browse page's order, computed independently: newest update first, then the newer row."""
    query = sa.select(Project.public_id, Project.updated_at, Project.id).where(Project.status.in_(statuses))
    if theme is not None:
        query = query.where(Project.theme == theme)
    rows = sorted(session.execute(query), key=lambda row: (row.updated_at, row.id), reverse=True)
    return [str(row.public_id) for row in rows]


def page_through(client, query: str = "") -> tuple[list[str], int]:
    first = client.get(f"/api/v1/projects?per_page={PER_PAGE}&page=1{query}").get_json()
    total = first["total"]
    ids = [item["id"] for item in first["items"]]
    for page in range(2, math.ceil(total / PER_PAGE) + 1):
        response = client.get(f"/api/v1/projects?per_page={PER_PAGE}&page={page}{query}")
        assert response.status_code == 200
        body = response.get_json()
        assert (body["page"], body["per_page"], body["total"]) == (page, PER_PAGE, total)
        assert len(body["items"]) == min(PER_PAGE, total - (page - 1) * PER_PAGE)
        ids += [item["id"] for item in body["items"]]
    return ids, total


def test_every_open_project_past_a_thousand_is_reached_once_in_order(client, db, many):
    ids, total = page_through(client)
    assert total == OPEN
    assert len(ids) == len(set(ids)) == OPEN  # no duplicates, no gaps
    assert ids == expected_order(db, [ProjectStatus.OPEN])


def test_filters_page_the_same_way(client, db, many):
    ids, total = page_through(client, "&theme=tourism")
    assert total == 30 and ids == expected_order(db, [ProjectStatus.OPEN], Theme.TOURISM)
    everything, total = page_through(client, "&open_only=false")
    assert total == OPEN + 25  # closed projects too, never drafts
    assert everything == expected_order(db, statuses.PUBLIC_STATUSES)


def test_pages_are_stable_and_a_page_past_the_end_is_empty(client, many):
    again = [client.get("/api/v1/projects?per_page=37&page=9").get_json() for _ in range(2)]
    assert again[0] == again[1] and len(again[0]["items"]) == 37
    past = client.get("/api/v1/projects?per_page=100&page=12").get_json()
    assert past == {"items": [], "page": 12, "per_page": 100, "total": OPEN}


@pytest.mark.parametrize("query", ["per_page=101", "per_page=0", "page=0", "page=10001", "per_page=-5"])
def test_page_sizes_above_the_cap_and_bad_pages_are_refused(client, many, query):
    response = client.get(f"/api/v1/projects?{query}")
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"


def test_the_browse_page_keeps_its_newest_hundred(client, db, many):
    """The /projects page lists the same first 100 the API's first page does (one order for both)."""
    newest = posting.search_projects(db, posting.ProjectCriteria())
    assert [str(p.public_id) for p in newest] == expected_order(db, [ProjectStatus.OPEN])[:100]
    page = client.get("/projects").get_data(as_text=True)
    shown = [p.title for p in newest]
    positions = [page.index(title) for title in shown]
    assert positions == sorted(positions)  # in that order on the page
    hidden = expected_order(db, [ProjectStatus.OPEN])[100]
    hidden_title = db.scalar(sa.select(Project.title).where(Project.public_id == uuid.UUID(hidden)))
    assert hidden_title not in page


def test_count_matches_the_rows_it_pages(db, many):
    for criteria in (
        posting.ProjectCriteria(),
        posting.ProjectCriteria(theme="tourism"),
        posting.ProjectCriteria(open_only=False),
        posting.ProjectCriteria(skill="dssp2-36"),  # the bulk rows have no needs
    ):
        rows = posting.search_projects(db, criteria, limit=10_000)
        assert posting.count_projects(db, criteria) == len(rows)
