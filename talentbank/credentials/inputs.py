"""What the credential services take from a form, a CSV row or the API: checked, frozen values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AchievementInput:
    name: str
    description: str
    criteria: str
    tags: str
    expiry_months: int | None
    proof_format: str
    skill_code: str
    skill_level: int
    skill_code_2: str
    skill_level_2: int


@dataclass(frozen=True)
class AwardInput:
    email: str
    name: str
    evidence_url: str
    narrative: str


@dataclass(frozen=True)
class LearnerRecordInput:
    """A Comprehensive Learner Record to issue: whose, which achievements (in track order), and how signed."""

    email: str
    name: str
    achievement_ids: tuple[str, ...]
    proof_format: str
    track_name: str = ""
    track_description: str = ""
