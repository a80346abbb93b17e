"""Exceptions raised by the badges library; each carries a stable ``code`` for the app."""

from __future__ import annotations


class BadgeError(Exception):
    """Base class: ``code`` is a machine-readable reason, the message is for logs."""

    code = "badge_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class ContextNotBundled(BadgeError):
    """A JSON-LD context URL that we do not ship was requested (nothing is fetched)."""

    code = "context_not_bundled"


class UndefinedTerms(BadgeError):
    """A document uses terms or types that its contexts do not define."""

    code = "undefined_terms"

    def __init__(self, terms: list[str]) -> None:
        super().__init__("undefined JSON-LD terms: " + ", ".join(sorted(set(terms))))
        self.terms = sorted(set(terms))


class KeyResolutionError(BadgeError):
    """A verification method or JWT kid could not be turned into a trusted public key."""

    code = "key_unresolved"


class BakingError(BadgeError):
    """An image could not be baked or holds no readable credential."""

    code = "baking_error"


class StatusListError(BadgeError):
    """A status list is malformed, too short or failed its own verification."""

    code = "status_list_invalid"
