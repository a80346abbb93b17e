"""What the organisation services take from a form or the API: checked, frozen values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OrganisationInput:
    name: str
    name_en: str
    kind: str
    municipality_code: str
    description: str
    website: str


@dataclass(frozen=True)
class InvitationInput:
    email: str
    role: str
