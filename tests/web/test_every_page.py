"""Every GET route, as a visitor, a member and an admin: never a 500, always the security headers (SC-07)."""

import re
import uuid

import pytest

from tests.factories import make_organisation, make_profile, make_user

SKIP = {"static"}


def concrete_paths(app, values: dict[str, str]) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", values.get(name, str(uuid.uuid4())), path)
        paths.append(path)
    return sorted(set(paths))


@pytest.mark.parametrize("who", ["visitor", "member", "admin"])
def test_every_get_route_answers_without_a_server_error(app, client, db, login, who):
    owner = make_user(db, is_admin=(who == "admin"))
    organisation = make_organisation(db, owner=owner, verified=True)
    profile = make_profile(db, owner=owner, skills={"dssp2-36": 2})
    if who != "visitor":
        login(client, owner)
    values = {"public_id": str(organisation.public_id), "code": "dssp2-36", "token": "not-a-real-token",
              "name": "projects", "fmt": "csv", "filename": "x"}  # fmt: skip
    checked = 0
    for path in [*concrete_paths(app, values), f"/people/{profile.public_id}", "/people?q=%ff%fe&page=-1"]:
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        if response.mimetype == "text/html":
            csp = response.headers["Content-Security-Policy"]
            assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp, path
            assert response.headers["Content-Type"].endswith("charset=utf-8"), path
        checked += 1
    assert checked > 50
