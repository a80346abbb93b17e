"""What the project services accept: the frozen project input the guided form and the API hand over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class NeedInput:
    skill_code: str
    min_level: int
    is_must: bool


@dataclass(frozen=True)
class ProjectInput:
    title: str
    problem: str
    expected_outcome: str
    theme: str
    municipality_code: str
    work_mode: str
    onsite_days_per_month: int | None
    hours_per_week: int | None
    starts_on: date | None
    ends_on: date | None
    pay_kind: str
    pay_yen: int | None
    travel_covered: bool
    seats: int | None
    deadline: date | None
    is_internship: bool
    eligibility: str
    needs: tuple[NeedInput, ...]
    is_students_only: bool = False
    start_slack_days: int | None = 30
