"""Fixtures for the JSON API: personal access tokens and a client that sends them; the fuzzing app,
its loaded OpenAPI document and its caller."""

from __future__ import annotations

import pytest
import schemathesis

from talentbank.accounts.tokens import create_token
from talentbank.credentials import issuers
from talentbank.credentials.context import issuer_context
from talentbank.extensions import limiter
from talentbank.models import OrganisationKind
from tests.conftest import make_test_app
from tests.factories import make_organisation, make_profile, make_user


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


@pytest.fixture(scope="module")
def fuzz_app(database_url, tmp_path_factory):
    # One app and one loaded document for every operation (loading it is a good part of a small
    # operation's time). Rate limits would only turn cases into (documented) 429s; they have their own
    # test. Flask-Limiter's switch is on the one shared `limiter`: turn it back on for the other tests.
    yield make_test_app(database_url, tmp_path_factory.mktemp("fuzz"), RATELIMIT_ENABLED=False)
    limiter.enabled = True


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)


@pytest.fixture
def fuzz_caller(db, make_token):
    """Someone with a profile who owns a verified school: the widest reach. -> (user, headers)"""
    user = make_user(db)
    make_profile(db, owner=user, skills={"dssp2-36": 2, "dssp2-52": 1})
    make_organisation(db, owner=user, kind=OrganisationKind.SCHOOL, verified=True)
    secret = make_token(user)
    db.commit()
    return user, bearer(secret)
