"""Fixtures for the JSON API: personal access tokens and a client that sends them."""

from __future__ import annotations

import pytest

from talentbank.accounts.tokens import create_token
from tests.factories import make_user


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


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
