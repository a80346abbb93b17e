"""The machinery every /api/v1 operation shares: authentication (tokens or the browser session with
CSRF), scopes, rate limits, request validation and the OpenAPI document.

Request and response bodies are pydantic models; spectree validates requests against them and generates
the OpenAPI 3.1 document from the same models, so the document cannot drift from what is enforced.
Operations call the same services as the pages; nothing here knows a business rule.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

import annotated_types
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
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
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecuritySchemeData
from werkzeug.exceptions import BadRequest

from talentbank import db, text
from talentbank.accounts.tokens import PREFIX, authenticate_token
from talentbank.errors import DomainError, Invalid, PermissionDenied, Unauthorized
from talentbank.extensions import csrf, limiter
from talentbank.models import User

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # checked in `_authenticate` instead: only cookie-authenticated writes need the token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Request bodies nest at most this deep (a credential document needs a handful of levels).
MAX_JSON_DEPTH = 32
# Query parameters that would carry a credential; a token in a URL ends up in logs and histories.
_CREDENTIAL_PARAMETERS = {"access_token", "token", "api_key", "apikey", "key", "bearer", "auth", "authorization"}

TAGS = {
    "reference": "スキル体系と市町村 / skill taxonomy and municipalities",
    "organisations": "組織 / organisations",
    "profiles": "人材プロフィール / talent profiles",
    "projects": "プロジェクト / projects",
    "applications": "応募とスカウト / applications and invitations",
    "matching": "マッチング / matching",
    "allocation": "インターンシップの配属 / internship allocation rounds",
    "credentials": "デジタルバッジ / Open Badges 3.0 credentials",
    "learning": "学びの場 / learning opportunities and enrolments",
    "account": "自分のアカウント / the caller's account",
}


class UnsupportedMediaType(DomainError):
    """A request body in a format the operation does not read: 415."""

    status = 415
    code = "unsupported_media_type"


def _json_depth(value: Any) -> int:
    """How deeply objects and arrays nest in a parsed JSON value (a scalar is 0), without recursion."""
    depth, level = 0, [(value, 1)]
    while level:
        item, at = level.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        depth = max(depth, at)
        level.extend((child, at + 1) for child in children)
    return depth


def _check_body(json_model: type[BaseModel] | None, form_model: type[BaseModel] | None) -> None:
    """Refuse a write's body that spectree would read as `{}`: malformed JSON, a Content-Type the
    operation does not take, JSON nested deeper than MAX_JSON_DEPTH, or JSON that is not an object.
    Operations without a body accept an empty one or well-formed JSON (and ignore it)."""
    if request.method in SAFE_METHODS:
        return
    if form_model is not None and request.mimetype == "multipart/form-data":
        if None in request.form or None in request.files:  # a part whose name could not be read
            raise Invalid.on("body", _("フォームの項目名が読めません。"))
        return
    if not request.is_json:
        if request.get_data(cache=True):
            raise UnsupportedMediaType(
                _("この操作は Content-Type: %(types)s の本文だけを受け付けます。", types=_media_types(form_model))
            )
        return
    if not request.get_data(cache=True):
        return
    try:
        parsed = request.get_json()  # cached: spectree reads the same value
    except (BadRequest, RecursionError):
        raise DomainError(_("本文が正しいJSONではありません。"), {"body": _("正しいJSONではありません。")}) from None
    if _json_depth(parsed) > MAX_JSON_DEPTH:
        message = _("本文の入れ子が深すぎます（%(depth)d 段まで）。", depth=MAX_JSON_DEPTH)
        raise DomainError(message, {"body": message})
    if json_model is not None and not isinstance(parsed, dict):
        raise Invalid.on("body", _("本文はJSONオブジェクトにしてください。"))


def _media_types(form_model: type[BaseModel] | None) -> str:
    return "application/json" + (", multipart/form-data" if form_model is not None else "")


def _reject_invalid_request(req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    """spectree's `before` hook: turn a pydantic validation error into our 422 problem document."""
    if error is None:
        return
    fields: dict[str, str] = {}
    for item in adapter.validation_errors(error):
        location = ".".join(str(part) for part in item.get("loc", ())) or "body"
        fields.setdefault(location, item.get("msg", "invalid"))
    raise Invalid(_("入力内容に誤りがあります。"), fields)


spec = SpecTree(
    "flask",
    mode="strict",  # the document holds exactly the operations declared with `operation`
    path="_spectree",  # spectree's own routes are not registered; we serve the document ourselves
    page_templates={},
    before=_reject_invalid_request,
    title="talentbank API — 北海道デジタル人材バンク",
    version="1.0.0",
    description=(
        "The JSON API of the Hokkaido Digital Talent Bank. Programs authenticate with a personal access "
        "token (`Authorization: Bearer tbp_…`, created on /settings/tokens); browsers may use their session "
        "cookie with an `X-CSRFToken` header on writes. Errors are RFC 9457 problem documents."
    ),
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[
        SecurityScheme(
            name="bearerAuth",
            data=SecuritySchemeData(type="http", scheme="bearer", description="Personal access token (tbp_…)"),
        ),
        SecurityScheme(
            name="cookieAuth",
            data=SecuritySchemeData(
                type="apiKey", name="session", field_in="cookie", description="Browser session + X-CSRFToken"
            ),
        ),
    ],
    annotations=False,
)


# ---- models shared by every operation ------------------------------------------------------------


# Marks a request field that may hold several lines (tab, newline, carriage return): `Field(...,
# json_schema_extra=MULTI_LINE)`. Every other text takes one line. The document shows it as x-multiline.
MULTI_LINE = {"x-multiline": True}


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


# ---- authentication ------------------------------------------------------------------------------


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip()


def rate_limit_key() -> str:
    """Per token for programs, per account for browsers, per address for anonymous callers."""
    secret = bearer_secret()
    if secret:
        return "api-token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    if current_user.is_authenticated:
        return f"api-user:{current_user.id}"
    return "api-ip:" + (request.remote_addr or "unknown")


limiter.limit(lambda: current_app.config["API_LIMIT"], key_func=rate_limit_key)(bp)


@bp.before_request
def _authenticate() -> None:
    g.api_scopes = frozenset()
    for name, value in request.args.items(multi=True):
        if name.lower() in _CREDENTIAL_PARAMETERS or value.startswith(PREFIX):
            raise Invalid.on(name, _("トークンをURLに含めないでください。Authorization ヘッダーで送ってください。"))
    if "Authorization" in request.headers:
        secret = bearer_secret()
        token = authenticate_token(db.session, secret) if secret else None
        if token is None:
            raise Unauthorized(_("アクセストークンが無効か、期限切れか、取り消されています。"), invalid_token=True)
        try:
            db.session.commit()  # keeps last_used_at (at most once a minute)
        except sa.exc.OperationalError:
            # SQLite: a read (deferred) transaction cannot take the write lock once another worker has
            # written since it began (busy at once, not after the timeout). last_used_at is a hint for
            # the token's owner; the request goes on without it rather than failing.
            db.session.rollback()
        g._login_user = token.user  # Flask-Login's current user for this request only: no cookie is set
        g.api_scopes = token.scope_set
        g.api_via_token = True
        return
    g.api_via_token = False
    if current_user.is_authenticated:
        g.api_scopes = frozenset({"read", "write", "issue"})
        if request.method not in SAFE_METHODS:
            csrf.protect()  # cookie-authenticated writes carry X-CSRFToken, as forms do


def api_actor() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


# ---- declaring operations ------------------------------------------------------------------------


class Operation:
    """What `operation` recorded about a view: for the OpenAPI post-processing and the tests."""

    registry: ClassVar[dict[str, Operation]] = {}

    def __init__(self, name: str, scope: str | None, public: bool, errors: tuple[int, ...]) -> None:
        self.name = name
        self.scope = scope
        self.public = public
        self.errors = errors


def require_scope(scope: str) -> None:
    """403 unless the call's token has `scope` (a browser session has them all): for an operation whose
    need depends on what it is asked to do."""
    if scope not in g.api_scopes:
        raise PermissionDenied(_("このトークンには「%(scope)s」の権限がありません。", scope=scope))


def operation(
    *,
    tag: str,
    scope: str | None = "read",
    public: bool = False,
    query: type[BaseModel] | None = None,
    json: type[BaseModel] | None = None,
    form: type[BaseModel] | None = None,
    headers: type[BaseModel] | None = None,
    ok: type[BaseModel] | None = None,
    status: int | tuple[int, ...] = 200,
    errors: tuple[int, ...] = (),
) -> Callable:
    """Declare an API operation (its summary is the view's docstring).

    `public` operations need no authentication (a token, when sent, must still be valid); the others
    need a token with `scope` or a browser session. The view reads the validated models with
    `body()` / `params()` / `upload()`, and returns a pydantic model or a dict (validated against `ok`), or
    a (body, status) pair. Writes commit when the view returns; an error rolls everything back.
    `status` may be a tuple when the view answers with either, e.g. (200, 201) for a PUT that updates or creates.
    `errors` lists the 4xx statuses beyond the common ones (400, 401, 403, 404 on paths with ids, 422, 429).
    `headers` declares request headers (a model that ignores extra fields, aliases = header names).
    """
    response = Response(**{f"HTTP_{code}": ok for code in ((status,) if isinstance(status, int) else status)})
    # An operation without query parameters still validates its query string: any parameter is unknown.
    query = query or Empty

    def decorate(view: Callable) -> Callable:
        validated = spec.validate(
            query=query, json=json, form=form, headers=headers, resp=response, tags=[tag], operation_id=view.__name__
        )(view)

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not public:
                if api_actor() is None:
                    raise Unauthorized(_("ログインするか、アクセストークンを送ってください。"))
                if scope is not None:
                    require_scope(scope)
            _check_body(json, form)
            result = validated(*args, **kwargs)
            if request.method not in SAFE_METHODS:
                db.session.commit()
            return result

        wrapper.__wrapped__ = validated  # spectree finds its metadata through the wrapper chain
        Operation.registry[view.__name__] = Operation(view.__name__, scope, public, errors)
        return wrapper

    return decorate


def params() -> Any:
    """The validated query model of the current operation."""
    return request.context.query


def body() -> Any:
    """The validated JSON body model of the current operation."""
    return request.context.json


def upload() -> Any:
    """The validated multipart form model of the current operation."""
    return request.context.form


# ---- the OpenAPI document ------------------------------------------------------------------------

_ERROR_TEXT = {
    400: "Bad request (for example a CSRF failure, or a token in the query string)",
    401: "Missing, invalid, expired or revoked credentials",
    403: "Authenticated, but not allowed (role or token scope)",
    404: "No such resource, or not visible to the caller",
    409: "Conflicts with the current state",
    410: "The resource was deleted on purpose",
    413: "Upload too large",
    415: "The body is not in a format the operation reads (see its request body)",
    422: "Invalid input; `fields` names each problem",
    429: "Rate limit exceeded; see Retry-After",
}


def openapi_document() -> dict[str, Any]:
    """The generated document, plus what every operation shares: problem responses, security, tags."""
    document = copy.deepcopy(spec.spec)
    schemas = document["components"]["schemas"]
    schemas.pop("ValidationError", None)  # spectree's default 422 body, which we never send
    schemas["Problem"] = Problem.model_json_schema()
    document["info"]["license"] = {"name": "Apache-2.0", "identifier": "Apache-2.0"}
    document["tags"] = [{"name": name, "description": text} for name, text in TAGS.items()]
    document.pop("security", None)
    for path, path_item in document["paths"].items():
        for method, operation_object in path_item.items():
            declared = Operation.registry[operation_object["operationId"]]
            if not operation_object.get("description"):
                operation_object.pop("description", None)
            codes = {400, 401, 422, 429, *declared.errors}
            if method != "get":
                codes.add(415)
            if "{" in path:
                codes.add(404)
            if declared.public:
                operation_object["security"] = [{}, {"bearerAuth": []}]
            else:
                codes.add(403)
                operation_object["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
                operation_object["x-scope"] = declared.scope
            responses = operation_object["responses"]
            for code in sorted(codes):  # replaces spectree's own 422 (we answer it with a problem document)
                responses[str(code)] = {
                    "description": _ERROR_TEXT[code],
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                }
            responses["429"]["headers"] = {
                "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
            }
    return document
