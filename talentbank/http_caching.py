"""HTTP caching of anonymous reads (#18), for pages and the JSON API alike.

A GET or HEAD that carries no credential (no Authorization header, no session or remember cookie) and
succeeds is the same for every anonymous visitor: it gets a strong ETag of its body and answers
If-None-Match with 304, and a shared cache may keep it unless it sets a cookie (a page that put a CSRF
token or a flash message into the session is someone's own) -- but must ask again before each use
(`no-cache`): a person who hides their profile, or a host who closes a project, expects it gone at
once, not a minute later, so what a revalidation saves is the transfer, never the freshness. `Vary: Cookie`
keeps a visitor who then signs in, or picks the other language, from being served the copy. A
response whose view chose its own caching (status lists, `no-store` for the account pages and for
everyone signed in) is left as it is.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request, session
from flask_login import current_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE  # talentbank keeps flask-login's name

PUBLIC = "public, no-cache"
# Answers about this process, not about the data: never from a cache.
_UNCACHED_ENDPOINTS = frozenset({"main.health"})


def is_anonymous_read() -> bool:
    """A GET or HEAD with no credential of any kind: no Authorization header, no session or remember cookie."""
    credential_cookies = (current_app.config["SESSION_COOKIE_NAME"], REMEMBER_COOKIE)
    return (
        request.method in {"GET", "HEAD"}
        and "Authorization" not in request.headers
        and not any(name in request.cookies for name in credential_cookies)
        and not current_user.is_authenticated
    )


def _conditional_get(response: Response) -> Response:
    if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
        return response
    if "Cache-Control" in response.headers or request.endpoint in _UNCACHED_ENDPOINTS:
        return response
    if not is_anonymous_read():
        return response
    response.add_etag()
    response.make_conditional(request)
    # The session is saved after every after_request hook: a non-empty one would set a cookie.
    if "Set-Cookie" not in response.headers and not session:
        response.headers["Cache-Control"] = PUBLIC
        response.vary.add("Cookie")  # the locale cookie changes the messages
    return response


def init_app(app: Flask) -> None:
    """Register before the security headers: hooks run in reverse, so this one sees the `no-store` they set."""
    app.after_request(_conditional_get)
