"""The machinery every /api/v1 operation shares: authentication (tokens or the browser session with
CSRF), scopes, rate limits, body checks, and `operation`, which declares a view as an operation.

Request and response bodies are the pydantic models of `api.schemas`; `api.openapi` validates requests
against them and generates the OpenAPI document from the same models. Operations call the same services
as the pages; nothing here knows a business rule.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel
from spectree import Response
from werkzeug.exceptions import BadRequest

from talentbank import db
from talentbank.accounts.tokens import PREFIX, authenticate_token
from talentbank.api.openapi import Operation, spec
from talentbank.api.schemas import Empty
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
        own = tuple(code for code in ((status,) if isinstance(status, int) else status) if code >= 400)
        Operation.registry[view.__name__] = Operation(view.__name__, scope, public, errors, own)
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
