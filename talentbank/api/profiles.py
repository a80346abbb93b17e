"""Profiles over the API: the people search, one profile as its visibility allows, and the caller's own
profile. Same services as the pages; e-mail addresses never appear."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from flask import g, url_for
from flask_babel import gettext as _
from pydantic import Field

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation, params
from talentbank.api.schemas import MULTI_LINE, Model, Out, PageQuery, page_of
from talentbank.db import utcnow
from talentbank.errors import Invalid
from talentbank.learning.enrolments import shown_learning
from talentbank.models import PayKind, Profile, SkillSource, Visibility, WorkMode
from talentbank.models.profiles import MOTIVES
from talentbank.profiles import services
from talentbank.profiles.forms import MAX_BIO
from talentbank.profiles.inputs import OUTSIDE_HOKKAIDO, PREFECTURES, ProfileInput
from talentbank.profiles.search import MAX_PAGE, MAX_SKILL_FILTERS, SearchCriteria, search_profiles
from talentbank.reference.services import subprefectures_with_municipalities

# Text may hold any character but NUL, which PostgreSQL cannot store.
TEXT = r"^[^\x00]*$"
SKILL_CODE = r"^[a-z0-9-]{1,16}$"
_SLUG = r"^[a-z][a-z-]{0,19}$"

SubprefectureSlug = Annotated[str, Field(pattern=_SLUG, description="振興局 slug, e.g. tokachi")]
Motive = Literal[MOTIVES]  # type: ignore[valid-type]
Prefecture = Literal[tuple(PREFECTURES)]  # type: ignore[valid-type]


# ---- what is shown -------------------------------------------------------------------------------


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


def _viewer():
    """The caller as a viewer of profiles: a token without the read scope sees what a visitor sees."""
    return api_actor() if "read" in g.api_scopes else None


def _subprefecture_ids() -> dict[str, int]:
    return {s.slug: s.id for s in subprefectures_with_municipalities(db.session)}


# ---- the people search and one profile -----------------------------------------------------------


class ProfileQuery(PageQuery):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="1-based page number")
    q: str = Field("", max_length=200, description="words in the name, headline, bio, skills or outcomes")
    skill: list[Annotated[str, Field(pattern=r"^[a-z0-9-]{1,16}(:[1-4])?$")]] = Field(
        default_factory=list,
        max_length=MAX_SKILL_FILTERS,
        description="a skill the person must have, as `code` or `code:minimum level`; repeat for several (all count)",
    )
    verified: bool = Field(False, description="only skills backed by a badge or a project count")
    subprefecture: SubprefectureSlug | None = Field(None, description="lives in, or wants to work for, this 振興局")
    municipality: str | None = Field(None, pattern=r"^[0-9]{6}$", description="lives in this municipality (code)")
    remote: bool = Field(False, description="works remotely (remote or hybrid)")
    min_hours: int | None = Field(None, ge=0, le=80, description="has at least this many hours a week")
    open_to_offers: bool = Field(False, description="accepts invitations (スカウト)")


def _criteria(query: ProfileQuery) -> SearchCriteria:
    subprefecture_id = None
    if query.subprefecture:
        subprefecture_id = _subprefecture_ids().get(query.subprefecture)
        if subprefecture_id is None:
            raise Invalid.on("subprefecture", _("振興局を一覧から選んでください。"))
    skills = []
    for value in query.skill:
        code, _sep, level = value.partition(":")
        skills.append((code, int(level or 1)))
    return SearchCriteria(
        text=query.q,
        skills=tuple(skills),
        verified_only=query.verified,
        subprefecture_id=subprefecture_id,
        municipality_code=query.municipality,
        remote_ok=query.remote,
        min_hours=query.min_hours,
        open_to_offers=query.open_to_offers,
        page=query.page,
        per_page=query.per_page,
    )


def _with_details(found: list[Profile]) -> list[Profile]:
    """The search's page of profiles with everything `ProfileOut` shows, in a fixed number of queries."""
    ids = [p.id for p in found]
    if not ids:
        return []
    loaded = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Profile)
            .where(Profile.id.in_(ids))
            .options(*services.PROFILE_LOAD)
            .execution_options(populate_existing=True)
        )
    }
    return [loaded[i] for i in ids]


@bp.get("/profiles")
@operation(tag="profiles", public=True, query=ProfileQuery, ok=ProfilePage)
def list_profiles():
    """Search people, as on /people: visitors find public profiles, members also members-only ones"""
    query = params()
    results = search_profiles(db.session, _viewer(), _criteria(query))
    return {
        "items": [profile_out(p) for p in _with_details(results.profiles)],
        "page": query.page,
        "per_page": query.per_page,
        "total": results.total,
    }


@bp.get("/profiles/<profile_id>")
@operation(tag="profiles", public=True, ok=ProfileDetailOut, errors=(410,))
def get_profile(profile_id: str):
    """One profile, if the caller may see it (private and hidden ones are 404; deleted ones 410)"""
    return profile_detail_out(services.get_profile(db.session, _viewer(), profile_id))


# ---- the caller's own profile --------------------------------------------------------------------


class ProfileIn(Model):
    """The whole profile, as on the profile form; fields left out take their defaults."""

    display_name: str = Field(min_length=1, max_length=80, pattern=TEXT)
    furigana: str = Field("", max_length=80, pattern=TEXT)
    headline: str = Field("", max_length=140, pattern=TEXT)
    bio: str = Field("", max_length=MAX_BIO, pattern=TEXT, description="Markdown", json_schema_extra=MULTI_LINE)
    home: str = Field(
        pattern=rf"^([0-9]{{6}}|{OUTSIDE_HOKKAIDO})$",
        description=f"home base: a Hokkaido municipality code, or `{OUTSIDE_HOKKAIDO}` with `home_prefecture`",
    )
    home_prefecture: Prefecture | None = Field(None, description="the prefecture (or 海外) when home is outside")
    regions: list[SubprefectureSlug] = Field(default_factory=list, max_length=14)
    motives: list[Motive] = Field(default_factory=list, max_length=len(MOTIVES))
    side_job_ok: bool = False
    hours_per_week: int | None = Field(None, ge=0, le=80)
    earliest_start: date | None = None
    work_mode: WorkMode = Field(WorkMode.REMOTE, description="remote, onsite, or hybrid: both remote and on-site")
    max_travel_km: int | None = Field(None, ge=0, le=1000, description="needed unless work_mode is remote")
    onsite_days_per_month: int | None = Field(
        None, ge=1, le=31, description="for on-site work: the most days a month (null = no limit); kept only then"
    )
    pay_kind: PayKind | None = Field(None, description="null: no preference")
    pay_yen: int | None = Field(None, ge=0, le=10_000_000, description="needed unless pay_kind is volunteer or null")
    open_to_offers: bool = True
    visibility: Visibility = Visibility.MEMBERS
    is_hidden: bool = False
    is_student: bool = Field(False, description="you are a student: students-only internships admit only students")
    school_name: str = Field("", max_length=120, pattern=TEXT, description="your school (kept only for students)")
    shows_learning: bool = Field(False, description="show your completed learning to those who may see your profile")

    def to_input(self) -> ProfileInput:
        ids = _subprefecture_ids()
        return ProfileInput(
            display_name=self.display_name,
            furigana=self.furigana,
            headline=self.headline,
            bio=self.bio,
            home=self.home,
            home_prefecture=self.home_prefecture or "",
            # An unknown slug goes to the service as it is, which refuses it on `regions`.
            regions=[str(ids.get(slug, slug)) for slug in self.regions],
            motives=list(self.motives),
            side_job_ok=self.side_job_ok,
            hours_per_week=self.hours_per_week,
            earliest_start=self.earliest_start,
            work_mode=self.work_mode.value,
            max_travel_km=self.max_travel_km,
            onsite_days_per_month=self.onsite_days_per_month,
            pay_kind=self.pay_kind.value if self.pay_kind else "",
            pay_yen=self.pay_yen,
            open_to_offers=self.open_to_offers,
            visibility=self.visibility.value,
            is_hidden=self.is_hidden,
            is_student=self.is_student,
            school_name=self.school_name,
            shows_learning=self.shows_learning,
        )


@bp.get("/me/profile")
@operation(tag="profiles", scope="read", ok=MyProfileOut, errors=(404,))
def get_my_profile():
    """The caller's own profile, with its visibility settings and hidden outcomes (404 until created)"""
    return my_profile_out(services.require_own_profile(db.session, api_actor()))


@bp.put("/me/profile")
@operation(tag="profiles", scope="write", json=ProfileIn, ok=MyProfileOut, status=(200, 201))
def put_my_profile():
    """Create (201) or replace (200) the caller's profile"""
    actor = api_actor()
    created = services.own_profile(db.session, actor) is None
    profile = services.save_profile(db.session, actor, body().to_input())
    db.session.expire(profile, ["home_municipality"])  # the code changed; the relationship follows on next read
    return my_profile_out(profile), 201 if created else 200
