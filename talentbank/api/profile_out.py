"""What a profile looks like over the API: the JSON models of a profile, its skills, outcomes and
learning, as the people search, one profile and the caller's own profile show them (e-mail addresses
never appear), and the functions that fill them from the ORM rows."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from flask import url_for
from pydantic import Field

from talentbank import db
from talentbank.api.schemas import Out, page_of
from talentbank.db import utcnow
from talentbank.learning.enrolments import shown_learning
from talentbank.models import PayKind, Profile, SkillSource, Visibility, WorkMode
from talentbank.models.profiles import MOTIVES

Motive = Literal[MOTIVES]  # type: ignore[valid-type]


class HomeOut(Out):
    municipality_code: str | None = Field(description="全国地方公共団体コード; null outside Hokkaido")
    municipality_ja: str | None
    municipality_en: str | None
    subprefecture: str | None = Field(description="振興局 slug")
    prefecture: str = Field(description="北海道, another prefecture, or 海外 (abroad)")


class RegionOut(Out):
    subprefecture: str = Field(description="振興局 slug")
    name_ja: str
    name_en: str


class ProfileSkillOut(Out):
    code: str
    name_ja: str
    name_en: str
    level: int = Field(ge=1, le=4)
    years: float | None = Field(description="years of experience, when given")
    source: SkillSource = Field(description="self (declared), badge (a credential) or project (a completed project)")
    verified: bool = Field(description="true when backed by a badge or a project")
    evidence_url: str | None = Field(description="the credential or outcome backing a verified skill")


class OutcomeSkillOut(Out):
    code: str
    name_ja: str
    name_en: str
    level: int = Field(ge=1, le=4)


class OutcomeOut(Out):
    id: uuid.UUID
    title: str
    description: str = Field(description="Markdown, as written")
    role: str
    started_on: date | None
    ended_on: date | None
    organisation_name: str | None
    organisation: uuid.UUID | None = Field(description="the registered organisation it is linked to")
    links: list[str]
    project_verified: bool = Field(description="recorded by the organisation on completing a project")
    skills: list[OutcomeSkillOut] = Field(description="skills used")


class MyOutcomeOut(OutcomeOut):
    hidden: bool = Field(description="hidden from everyone but the owner")


class ProfileOut(Out):
    id: uuid.UUID
    url: str = Field(description="the profile's page")
    display_name: str
    furigana: str | None
    headline: str
    bio: str = Field(description="Markdown, as written")
    home: HomeOut | None = Field(description="home base")
    regions: list[RegionOut] = Field(description="regions (振興局) the person wants to work for")
    motives: list[Motive]
    side_job_ok: bool
    hours_per_week: int | None
    earliest_start: date | None
    work_mode: WorkMode = Field(description="remote, onsite, or hybrid: both remote work and on-site days")
    max_travel_km: int | None = Field(description="for on-site work: how far from the home base (km)")
    onsite_days_per_month: int | None = Field(description="for on-site work: the most days a month; null = no limit")
    pay_kind: PayKind | None
    pay_yen: int | None
    open_to_offers: bool
    is_student: bool = Field(
        description="the person says they are a student (students-only internships admit only them)"
    )
    school_name: str | None = Field(description="the school, as the person wrote it (students only)")
    skills: list[ProfileSkillOut]
    outcomes: list[OutcomeOut] = Field(description="outcomes (成果) that are not hidden")
    updated_at: datetime


ProfilePage = page_of(ProfileOut, "ProfilePage")


class LearningRecordOut(Out):
    opportunity_id: uuid.UUID
    title: str = Field(description="the course, programme or PBL class")
    provider: str = Field(description="the organisation that offered it")
    url: str = Field(description="the opportunity's page")
    completed_at: datetime | None = Field(description="when the provider marked it completed")
    credential_url: str | None = Field(description="the badge it awarded (its verification page), if any")


class ProfileDetailOut(ProfileOut):
    learning: list[LearningRecordOut] = Field(
        description="completed learning (学びの場), latest first; empty unless the person chose to show it"
    )


class MyProfileOut(ProfileDetailOut):
    shows_learning: bool = Field(description="your completed learning is shown to those who may see your profile")
    visibility: Visibility = Field(description="public (anyone), members (logged-in users) or private (only you)")
    is_hidden: bool = Field(description="hidden from everyone but you, without deleting it")
    outcomes: list[MyOutcomeOut] = Field(description="every outcome, hidden ones included")
    created_at: datetime


def _home(profile: Profile) -> HomeOut | None:
    municipality = profile.home_municipality
    if municipality is not None:
        return HomeOut(
            municipality_code=municipality.code,
            municipality_ja=municipality.name_ja,
            municipality_en=municipality.name_en,
            subprefecture=municipality.subprefecture.slug,
            prefecture="北海道",
        )
    if profile.home_prefecture:
        return HomeOut(
            municipality_code=None,
            municipality_ja=None,
            municipality_en=None,
            subprefecture=None,
            prefecture=profile.home_prefecture,
        )
    return None


def skill_out(entry) -> ProfileSkillOut:
    return ProfileSkillOut(
        code=entry.skill_code,
        name_ja=entry.skill.name_ja,
        name_en=entry.skill.name_en,
        level=entry.level,
        years=entry.years,
        source=entry.source,
        verified=entry.is_verified,
        evidence_url=entry.evidence_url,
    )


def _outcome_fields(outcome) -> dict:
    return {
        "id": outcome.public_id,
        "title": outcome.title,
        "description": outcome.description,
        "role": outcome.role,
        "started_on": outcome.started_on,
        "ended_on": outcome.ended_on,
        "organisation_name": outcome.organisation_name,
        "organisation": outcome.organisation.public_id if outcome.organisation else None,
        "links": list(outcome.links or []),
        "project_verified": outcome.project_id is not None,
        "skills": [
            OutcomeSkillOut(code=s.skill_code, name_ja=s.skill.name_ja, name_en=s.skill.name_en, level=s.level)
            for s in outcome.skills
        ],
    }


def my_outcome_out(outcome) -> MyOutcomeOut:
    return MyOutcomeOut(**_outcome_fields(outcome), hidden=outcome.is_hidden)


def _profile_fields(profile: Profile) -> dict:
    return {
        "id": profile.public_id,
        "url": url_for("profiles.show", public_id=profile.public_id, _external=True),
        "display_name": profile.display_name,
        "furigana": profile.furigana,
        "headline": profile.headline,
        "bio": profile.bio,
        "home": _home(profile),
        "regions": [RegionOut(subprefecture=r.slug, name_ja=r.name_ja, name_en=r.name_en) for r in profile.regions],
        "motives": [m for m in profile.motives if m in MOTIVES],
        "side_job_ok": profile.side_job_ok,
        "hours_per_week": profile.hours_per_week,
        "earliest_start": profile.earliest_start,
        "work_mode": profile.work_mode,
        "max_travel_km": profile.max_travel_km,
        "onsite_days_per_month": profile.onsite_days_per_month,
        "pay_kind": profile.pay_kind,
        "pay_yen": profile.pay_yen,
        "open_to_offers": profile.open_to_offers,
        "is_student": profile.is_student,
        "school_name": profile.school_name,
        "skills": [skill_out(entry) for entry in profile.skills_at(utcnow())],
        "updated_at": profile.updated_at,
    }


def profile_out(profile: Profile) -> ProfileOut:
    """What anyone allowed to see the profile sees: hidden outcomes left out."""
    outcomes = [OutcomeOut(**_outcome_fields(o)) for o in profile.outcomes if not o.is_hidden]
    return ProfileOut(**_profile_fields(profile), outcomes=outcomes)


def _learning(profile: Profile) -> list[LearningRecordOut]:
    return [
        LearningRecordOut(
            opportunity_id=e.opportunity.public_id,
            title=e.opportunity.title,
            provider=e.opportunity.organisation.name,
            url=url_for("learning.show", public_id=e.opportunity.public_id, _external=True),
            completed_at=e.finished_at,
            credential_url=url_for("credentials.show", public_id=e.credential.public_id, _external=True)
            if e.credential
            else None,
        )
        for e in shown_learning(db.session, profile)
    ]


def profile_detail_out(profile: Profile) -> ProfileDetailOut:
    """One profile as anyone allowed to see it sees it, with the learning the person chose to show."""
    return ProfileDetailOut(**dict(profile_out(profile)), learning=_learning(profile))


def my_profile_out(profile: Profile) -> MyProfileOut:
    """What the owner sees on their own pages: visibility settings and hidden outcomes too."""
    return MyProfileOut(
        **_profile_fields(profile),
        learning=_learning(profile),
        shows_learning=profile.shows_learning,
        outcomes=[my_outcome_out(o) for o in profile.outcomes],
        visibility=profile.visibility,
        is_hidden=profile.is_hidden,
        created_at=profile.created_at,
    )
