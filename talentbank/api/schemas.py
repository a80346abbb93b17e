"""The pydantic models every /api/v1 operation shares: the strict base of request bodies and queries,
response and problem bodies, pages, and e-mail addresses in bodies."""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

import annotated_types
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    create_model,
    field_validator,
)
from pydantic_core import PydanticCustomError

from talentbank import db, text

# Marks a request field that may hold several lines (tab, newline, carriage return): `Field(...,
# json_schema_extra=MULTI_LINE)`. Every other text takes one line. The document shows it as x-multiline.
MULTI_LINE = {"x-multiline": True}
# Text may hold any character but NUL, which PostgreSQL cannot store.
TEXT = r"^[^\x00]*$"
SKILL_CODE = r"^[a-z0-9-]{1,16}$"


class Model(BaseModel):
    """Base of request bodies and queries: unknown fields are refused (no mass assignment), strings are
    trimmed, and every text, however deep in the value, obeys `talentbank.text` (one line unless the
    field is marked MULTI_LINE; a free-form JSON document, such as a credential, may hold several)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _readable_text(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name is None:
            return value
        field = cls.model_fields[info.field_name]
        if not isinstance(value, str) and _holds_models(field.annotation):
            return value  # the nested models check their own fields, and name them
        extra = field.json_schema_extra
        multiline = isinstance(value, dict) or (isinstance(extra, dict) and bool(extra.get("x-multiline")))
        character = text.unreadable_character(value, multiline=multiline)
        if character:
            raise PydanticCustomError("unreadable_text", text.message(info.field_name, character))
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _as_sent(cls, value: Any, info: ValidationInfo) -> Any:
        """What the document says holds for the JSON as sent. pydantic trims before it checks a length,
        so a string over its field's maxLength is refused even when the excess is whitespace; and it
        reads 0.0 as false, "5" as 5, false as 0.0 and 0 as 1970-01-01, so a boolean, integer, number or
        date field takes only a JSON boolean, integer, number or (ISO 8601) string."""
        if info.field_name is None:
            return value
        field = cls.model_fields[info.field_name]
        if isinstance(value, str):
            for limit in field.metadata:
                if isinstance(limit, annotated_types.MaxLen) and len(value) > limit.max_length:
                    raise PydanticCustomError(
                        "string_too_long",
                        "String should have at most {max_length} characters",
                        {"max_length": limit.max_length},
                    )
        annotation = field.annotation
        kinds = set(typing.get_args(annotation)) if typing.get_origin(annotation) in _UNIONS else {annotation}
        if value is not None and kinds & {bool, int} and type(value) not in kinds:
            raise PydanticCustomError(
                "json_type", "Input should be a JSON {kind}", {"kind": _JSON_KIND[bool if bool in kinds else int]}
            )
        if value is not None and float in kinds and type(value) not in (int, float, *kinds):
            raise PydanticCustomError("json_type", "Input should be a JSON {kind}", {"kind": "number"})
        if value is not None and kinds & {date, datetime} and not isinstance(value, str):
            raise PydanticCustomError("json_type", "Input should be a JSON {kind}", {"kind": "string (ISO 8601)"})
        return value


@functools.cache
def _holds_models(annotation: Any) -> bool:
    """Whether a field's type has a pydantic model in it (list[NeedIn], NeedIn | None)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_models(argument) for argument in typing.get_args(annotation))


_JSON_KIND = {bool: "boolean", int: "integer"}
_UNIONS = {typing.Union, types.UnionType}


class Out(BaseModel):
    """Base of response bodies."""

    model_config = ConfigDict(from_attributes=True)


class Problem(BaseModel):
    """An RFC 9457 problem document, with the error `code` and per-field messages as extensions."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    code: str
    fields: dict[str, str] = Field(default_factory=dict)
    instance: str | None = None


class Query(Model):
    """Base of query-string models: values are checked as sent, untrimmed, so the lengths and patterns
    the document gives hold for what the caller sent (a 21-character value ending in a space is too long
    for 20, not a valid 20 after trimming). Searches trim their words themselves."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    @classmethod
    def _as_sent(cls, value: Any, info: ValidationInfo) -> Any:
        return value  # a query string is text: "true" and "5" are how it spells a boolean and a number


class PageQuery(Query):
    page: int = Field(1, ge=1, le=10_000, description="1-based page number")
    per_page: int = Field(20, ge=1, le=100, description="items per page (at most 100)")


class Empty(Model):
    """A query or body with no fields."""


def _email(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise PydanticCustomError("email", str(_("メールアドレスの形式が正しくありません。"))) from None
    return value


# An e-mail address in a body (a credential's recipient, an invitee): its form is checked, not its deliverability.
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]


def page_of(item: type[BaseModel], name: str) -> type[BaseModel]:
    """A named page model: {items, page, per_page, total}."""
    return create_model(
        name,
        __base__=Out,
        items=(list[item], ...),
        page=(int, ...),
        per_page=(int, ...),
        total=(int, Field(..., description="number of items on every page together")),
    )


def paginate(items: list[Any], query: PageQuery) -> dict[str, Any]:
    """One page of a list already in memory: for lists that are short by nature (an organisation's
    members, the skill taxonomy). Lists that grow with the site page in SQL from their service's select:
    `paginate_sql`."""
    start = (query.page - 1) * query.per_page
    return {
        "items": items[start : start + query.per_page],
        "page": query.page,
        "per_page": query.per_page,
        "total": len(items),
    }


def paginate_sql(
    query: PageQuery, select: sa.Select[Any], *, convert: Callable[[Any], Any] = lambda item: item
) -> dict[str, Any]:
    """One page of the rows `select` returns, read from the database: a COUNT over `select` for the
    total, then `select` with this page's LIMIT/OFFSET (its ORDER BY must be total, so pages neither
    repeat nor skip rows); `convert` turns each row into an item.

    The page shape is `paginate`'s; per_page is capped by `PageQuery`, so no request reads more than
    100 rows however long the list is.
    """
    total = db.count_rows(db.session, select)
    offset = (query.page - 1) * query.per_page
    rows = db.session.scalars(select.limit(query.per_page).offset(offset)) if offset < total else []
    return {"items": [convert(row) for row in rows], "page": query.page, "per_page": query.per_page, "total": total}
