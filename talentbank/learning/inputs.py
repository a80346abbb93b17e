"""What the learning services accept: the frozen values the forms, the CSV import and the API hand over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TaughtSkillInput:
    skill_code: str
    level: int


@dataclass(frozen=True)
class OpportunityInput:
    title: str
    description: str
    format: str
    language: str
    municipality_code: str | None
    starts_on: date | None
    ends_on: date | None
    study_hours: int | None
    cost_yen: int | None
    eligibility: str
    capacity: int | None
    deadline: date | None
    course_url: str
    skills: tuple[TaughtSkillInput, ...]
    achievement_id: str | None = None  # the public id of the badge its completion awards
    project_id: str | None = None  # the public id of the open project it works on (PBL)
