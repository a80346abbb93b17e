"""What a verification returns: ordered checks, each with a stable code (the table in `badges.verify`),
and the credential that was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from badges.keys import ResolvedKey


@dataclass(frozen=True)
class Check:
    """One verification step: ``check`` names the step, ``code`` the outcome."""

    check: str
    ok: bool
    code: str
    detail: str = ""


@dataclass(frozen=True)
class VerificationResult:
    """Ordered checks plus the credential that was read (None if parsing failed)."""

    checks: tuple[Check, ...]
    credential: dict[str, Any] | None = None
    format: str = "unknown"
    issuer_key: ResolvedKey | None = field(default=None, repr=False)

    @property
    def verified(self) -> bool:
        """True only if there are checks and every one passed."""
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def codes(self) -> list[str]:
        """The outcome codes in order."""
        return [check.code for check in self.checks]

    def code_of(self, check: str) -> str | None:
        """Outcome code of one step, or None if that step did not run."""
        return next((item.code for item in self.checks if item.check == check), None)
