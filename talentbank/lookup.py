"""Finding a row by its public id (the random UUID in URLs), the same way everywhere."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.errors import NotFound

Model = TypeVar("Model")


def parse_public_id(public_id: Any) -> uuid.UUID:
    """The UUID in `public_id`; NotFound for anything that is not one (never a 500)."""
    if isinstance(public_id, uuid.UUID):
        return public_id
    try:
        return uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound() from None


def by_public_id(session: Session, model: type[Model], public_id: Any, *options: Any) -> Model:
    """The row of `model` whose `public_id` is `public_id`, loaded with `options`; NotFound otherwise."""
    row = session.scalar(sa.select(model).where(model.public_id == parse_public_id(public_id)).options(*options))  # type: ignore[attr-defined]
    if row is None:
        raise NotFound()
    return row
