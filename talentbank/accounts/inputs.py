"""What the account services take from a form or the API: checked, frozen values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegistrationInput:
    email: str
    display_name: str
    password: str


@dataclass(frozen=True)
class PasswordChangeInput:
    current_password: str
    password: str
