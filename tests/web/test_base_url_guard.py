"""The BASE_URL guard: talentbank records the address its issuers' did:web identities were made for and
refuses to start with another one, unless the operator moves deliberately (`talentbank change-base-url`):
then the old address keeps being served, earlier badges still verify, new ones name the new address."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from talentbank.models import Credential, SiteAddress
from talentbank.startup import NotReady, check_deployment
from tests.conftest import CommittingClient, make_test_app
from tests.factories import make_organisation
from tests.web.test_credentials import award, create_achievement, setup_issuer

OLD, NEW = "https://old.example.jp", "https://new.example.jp"


@pytest.fixture
def site(database_url, tmp_path, db):
    """site(base_url) -> (app, client): the app as started with that BASE_URL."""

    def start(base_url: str):
        app = make_test_app(database_url, tmp_path, BASE_URL=base_url)
        app.test_client_class = CommittingClient
        client = app.test_client()
        client.test_session = db
        return app, client

    yield start
    make_test_app(database_url, tmp_path / "after")  # the shared limiter back on an app of the usual kind


def _issue(db, client, school) -> Credential:
    public_id = uuid.UUID(award(client, create_achievement(client, school)))
    return db.scalar(sa.select(Credential).where(Credential.public_id == public_id))


def test_a_new_base_url_is_refused_once_issuers_exist(site, db, login):
    _old_app, old = site(OLD)
    school = make_organisation(db, kind="school", verified=True)
    setup_issuer(old, login, school)  # the first request records OLD
    assert db.scalars(sa.select(SiteAddress.base_url)).all() == [OLD]
    new_app, new = site(NEW)
    with pytest.raises(NotReady, match="talentbank change-base-url") as refused, new_app.app_context():
        check_deployment(new_app)
    assert OLD in str(refused.value) and NEW in str(refused.value)
    response = new.get("/")
    assert response.status_code == 503 and "change-base-url" in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalars(sa.select(SiteAddress.base_url)).all() == [OLD]  # nothing was changed


def test_without_issuers_a_new_base_url_simply_replaces_the_recorded_one(site, db):
    assert site(OLD)[1].get("/").status_code == 200
    assert site(NEW)[1].get("/").status_code == 200
    db.expire_all()
    assert db.scalars(sa.select(SiteAddress.base_url)).all() == [NEW]


def test_a_deliberate_change_keeps_earlier_badges_verifying_and_issues_under_the_new_address(site, db, login):
    _old_app, old = site(OLD)
    school = make_organisation(db, kind="school", verified=True)
    setup_issuer(old, login, school)
    earlier = _issue(db, old, school)
    earlier_document = earlier.jwt or earlier.document
    old_did = f"did:web:old.example.jp:issuers:{school.public_id}"

    new_app, new = site(NEW)
    changed = new_app.test_cli_runner().invoke(args=["change-base-url"])
    assert changed.exit_code == 0, changed.output
    assert OLD in changed.output and NEW in changed.output
    login(new, school.memberships[0].user)  # the issuer and its key exist already
    later = _issue(db, new, school)
    assert later.document["issuer"]["id"] == f"did:web:new.example.jp:issuers:{school.public_id}"

    # Earlier badges verify: the old identity resolves here (no network: the old address is this site).
    visitor = new_app.test_client()
    response = visitor.post("/api/v1/verify", json={"credential": earlier_document})
    result = response.get_json()
    assert response.status_code == 200, result
    assert result["verified"] is True, result["checks"]
    assert visitor.post("/api/v1/verify", json={"credential": later.jwt or later.document}).get_json()["verified"]
    # And both identities are served, each at its own address.
    served_old = new.get(f"/issuers/{school.public_id}/did.json", headers={"Host": "old.example.jp"}).get_json()
    served_new = new.get(f"/issuers/{school.public_id}/did.json", headers={"Host": "new.example.jp"}).get_json()
    assert served_old["id"] == old_did
    assert served_new["id"] == f"did:web:new.example.jp:issuers:{school.public_id}"
    db.expire_all()
    rows = {row.base_url: row.retired_at for row in db.scalars(sa.select(SiteAddress))}
    assert rows[NEW] is None and rows[OLD] is not None
    again = new_app.test_cli_runner().invoke(args=["change-base-url"])
    assert "nothing changed" in again.output
