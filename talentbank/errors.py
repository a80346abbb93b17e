"""Domain errors raised by services, and the one place that turns them into pages or JSON."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """Base of the errors services raise; each maps to one HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


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
    if _wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        return jsonify(body), status
    template = f"errors/{status}.html" if status in {400, 403, 404, 410, 413, 429} else "errors/generic.html"
    return render_template(template, status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        return _error_response(error.status, error.code, error.message, error.fields)

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
