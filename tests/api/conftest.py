"""Fixtures for the JSON API: personal access tokens and a client that sends them."""

from __future__ import annotations

import pytest

from talentbank.accounts.tokens import create_token
from talentbank.credentials import issuers
from talentbank.credentials.context import issuer_context
from talentbank.models import OrganisationKind
from tests.factories import make_organisation, make_user


@pytest.fixture
def make_token(db):
    """make_token(user, scopes=("read",), days=30) -> the secret of a new token for `user`."""

    def _make_token(user=None, scopes=("read", "write", "issue"), days: int = 30) -> str:
        user = user or make_user(db)
        _token, secret = create_token(db, user, name="test", scopes=scopes, days=days)
        db.flush()
        return secret

    return _make_token


@pytest.fixture
def staff(town, make_token):
    """Headers of the town's owner."""
    return bearer(make_token(town.memberships[0].user))


def issuer_of(app, db, organisation, owner) -> None:
    """Make `organisation` an issuer (did:web and key), as its owner's set-up page does."""
    with app.test_request_context():
        issuers.setup_issuer(db, owner, organisation, issuer_context())
    db.flush()


@pytest.fixture
def school(app, db):
    """A verified school that issues badges."""
    owner = make_user(db, display_name="発行 担当")
    school = make_organisation(db, owner=owner, kind=OrganisationKind.SCHOOL, verified=True, name="道北工業高専")
    issuer_of(app, db, school, owner)
    return school


@pytest.fixture
def issuer(db, school, make_token):
    """The token of the school's owner (all scopes)."""
    return bearer(make_token(school.memberships[0].user))


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
