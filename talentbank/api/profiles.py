"""Profiles over the API: the people search, one profile as its visibility allows, and the caller's own
profile. Same services as the pages; e-mail addresses never appear. What a profile looks like in JSON
is `profile_out`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _
from pydantic import Field

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation, params
from talentbank.api.profile_out import (
    Motive,
    MyProfileOut,
    ProfileDetailOut,
    ProfilePage,
    my_profile_out,
    profile_detail_out,
    profile_out,
)
from talentbank.api.schemas import MULTI_LINE, TEXT, Model, PageQuery
from talentbank.errors import Invalid
from talentbank.models import PayKind, Profile, Visibility, WorkMode
from talentbank.models.profiles import MOTIVES
from talentbank.profiles import services
from talentbank.profiles.forms import MAX_BIO
from talentbank.profiles.inputs import OUTSIDE_HOKKAIDO, PREFECTURES, ProfileInput
from talentbank.profiles.search import MAX_PAGE, MAX_SKILL_FILTERS, SearchCriteria, search_profiles
from talentbank.reference.services import subprefectures_with_municipalities

_SLUG = r"^[a-z][a-z-]{0,19}$"

SubprefectureSlug = Annotated[str, Field(pattern=_SLUG, description="振興局 slug, e.g. tokachi")]
Prefecture = Literal[tuple(PREFECTURES)]  # type: ignore[valid-type]


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
