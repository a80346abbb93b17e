"""Query strings that break an operation's document are 422 problem documents naming the parameter: an
unknown parameter, a wrong type, a number out of range, a repeated single value. Also on operations
that declare no query parameters at all."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer
from tests.factories import make_organisation, make_profile, make_project, make_user

BAD_PAGES = [("per_page=0", "per_page"), ("per_page=101", "per_page"), ("page=abc", "page"), ("page=1&page=2", "page")]
BAD_LIMITS = [("limit=0", "limit"), ("limit=101", "limit"), ("limit=1.5", "limit"), ("limit=ten", "limit")]
CASES = {
    "/me/applications": BAD_PAGES,
    "/me/credentials/imported": BAD_PAGES,
    "/organisations": [*BAD_PAGES, ("kind=village", "kind"), ("verified=maybe", "verified")],
    "/municipalities": [
        ("subprefecture=" + "x" * 21, "subprefecture"),
        ("subprefecture=a&subprefecture=b", "subprefecture"),
        # Checked as sent: 20 characters and a trailing NEL (whitespace to Python) are 21, too long.
        ("subprefecture=" + "a" * 20 + "%C2%85", "subprefecture"),
    ],
    "/projects/{project}/matches": BAD_LIMITS,
    "/me/recommended-projects": BAD_LIMITS,
    # Operations without query parameters: every parameter is unknown.
    "/me": [],
    "/skills/dssp2-36": [],
    "/organisations/{organisation}": [],
}


@pytest.fixture
def caller(db, make_token):
    """-> (headers, {placeholder: id}) for someone whose organisation posted a project."""
    user = make_user(db)
    make_profile(db, owner=user, skills={"dssp2-36": 2})
    organisation = make_organisation(db, owner=user, verified=True)
    project = make_project(db, organisation)
    headers = bearer(make_token(user, scopes=("read",)))
    db.commit()
    return headers, {"project": project.public_id, "organisation": organisation.public_id}


@pytest.mark.parametrize("path", CASES)
def test_a_query_string_that_breaks_the_document_is_a_422_naming_the_parameter(client, caller, path):
    headers, ids = caller
    url = "/api/v1" + path.format(**ids)
    assert client.get(url, headers=headers).status_code == 200  # the operation works without the bad part
    for query, field in [*CASES[path], ("sort=newest", "sort"), ("1=1", "1")]:
        response = client.get(f"{url}?{query}", headers=headers)
        assert response.status_code == 422, (query, response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
        assert set(response.get_json()["fields"]) == {field}, (query, response.get_json())
