"""Domain errors raised by services, and the one place that turns them into pages or JSON."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES


class DomainError(Exception):
    """Base of the errors services raise; each maps to one HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class Unauthorized(DomainError):
    """No usable credentials on an API call: 401 with a `WWW-Authenticate: Bearer` challenge."""

    status = 401
    code = "unauthorized"

    def __init__(self, message: str = "", *, invalid_token: bool = False) -> None:
        super().__init__(message)
        self.invalid_token = invalid_token


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    """Not allowed: the message is a sentence for people; `action` keeps the permission asked for (for logs)."""

    status = 403
    code = "forbidden"

    def __init__(self, message: str = "", fields: dict[str, str] | None = None, *, action: str | None = None) -> None:
        super().__init__(message or _("この操作を行う権限がありません。"), fields)
        self.action = action


class Gone(DomainError):
    """The thing existed and was deleted on purpose (e.g. a deleted profile): 410."""

    status = 410
    code = "gone"


class Invalid(DomainError):
    """Bad input that the form could not see; `fields` maps field names to messages."""

    status = 422
    code = "invalid"

    @classmethod
    def on(cls, field: str, message: object) -> Invalid:
        """The error for one field: `message` becomes both the summary and that field's text."""
        return cls(str(message), {field: str(message)})


class Conflict(DomainError):
    status = 409
    code = "conflict"


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None):
    for prefix, render in current_app.extensions.get("protocol_errors", {}).items():
        if request.path.startswith(prefix):  # a protocol with its own error body (OpenID4VCI's `error`)
            return render(status, code)
    if _wants_json():
        return _problem(status, code, message, fields)
    template = f"errors/{status}.html" if status in {400, 403, 404, 410, 413, 429} else "errors/generic.html"
    return make_response(render_template(template, status=status, message=message), status)


def _problem(status: int, code: str, message: str, fields: dict[str, str] | None):
    """An RFC 9457 problem document; `code` and `fields` are extension members."""
    body = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": message,
        "code": code,
        "fields": fields or {},
    }
    if g.get("request_id"):
        body["instance"] = f"urn:uuid:{g.request_id}"
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        response = _error_response(error.status, error.code, error.message, error.fields)
        if isinstance(error, Unauthorized):
            challenge = 'Bearer realm="talentbank"'
            if error.invalid_token:
                challenge += ', error="invalid_token"'
            response.headers["WWW-Authenticate"] = challenge
        return response

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _error_response(
            400,
            "csrf",
            _("フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてもう一度お試しください。"),
        )

    @app.errorhandler(429)
    def _too_many(error: HTTPException):
        return _error_response(
            429, "rate_limited", _("短時間に試行が多すぎます。しばらく待ってからもう一度お試しください。")
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return _error_response(error.code or 500, (error.name or "error").lower().replace(" ", "_"), "")

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error")
        return _error_response(500, "server_error", "")
