"""Profiles: the person, their work preferences and skills, and who may see them."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from talentbank import audit
from talentbank.db import utcnow
from talentbank.errors import Conflict, Gone, Invalid, NotFound
from talentbank.lookup import parse_public_id
from talentbank.models import (
    DeletedProfile,
    Municipality,
    Outcome,
    OutcomeSkill,
    PayKind,
    Profile,
    ProfileSkill,
    Skill,
    SkillSource,
    Subprefecture,
    User,
    Visibility,
    WorkMode,
)
from talentbank.models.profiles import MOTIVES
from talentbank.profiles.inputs import (
    OUTSIDE_HOKKAIDO,
    PREFECTURES,
    ProfileInput,
    SkillInput,
)
from talentbank.profiles.search import reindex_profile
from talentbank.security import can, require

PROFILE_LOAD = (
    selectinload(Profile.skills).selectinload(ProfileSkill.skill),
    selectinload(Profile.outcomes).selectinload(Outcome.skills).selectinload(OutcomeSkill.skill),
    selectinload(Profile.outcomes).selectinload(Outcome.organisation),
    selectinload(Profile.regions),
    selectinload(Profile.home_municipality).selectinload(Municipality.subprefecture),
)


def own_profile(session: Session, actor: User) -> Profile | None:
    return session.scalar(sa.select(Profile).where(Profile.user_id == actor.id).options(*PROFILE_LOAD))


def require_own_profile(session: Session, actor: User) -> Profile:
    profile = own_profile(session, actor)
    if profile is None:
        raise NotFound(str(_l("まだプロフィールがありません。")))
    return profile


def get_profile(session: Session, viewer: User | None, public_id: str) -> Profile:
    """The profile named by `public_id` as far as `viewer` may see it; Gone for deleted profiles."""
    key = parse_public_id(public_id)
    profile = session.scalar(sa.select(Profile).where(Profile.public_id == key).options(*PROFILE_LOAD))
    if profile is None:
        if session.get(DeletedProfile, key) is not None:
            raise Gone()
        raise NotFound()
    # Hidden and private profiles do not exist for others: 404, not 403, so nothing leaks.
    if not _can_view(viewer, profile):
        raise NotFound()
    return profile


def _can_view(viewer: User | None, profile: Profile) -> bool:
    return can(viewer, "view", profile)


def _apply_profile_fields(session: Session, profile: Profile, details: ProfileInput) -> None:
    if details.home == OUTSIDE_HOKKAIDO:
        if details.home_prefecture not in PREFECTURES:
            raise Invalid.on("home_prefecture", _l("北海道外の場合は都府県を選んでください。"))
        profile.home_municipality_code, profile.home_prefecture = None, details.home_prefecture
    else:
        if session.get(Municipality, details.home) is None:
            raise Invalid.on("home", _l("北海道の市町村から選んでください。"))
        profile.home_municipality_code, profile.home_prefecture = details.home, None
    region_ids = [int(r) for r in details.regions if r.isdigit()]
    regions = list(session.scalars(sa.select(Subprefecture).where(Subprefecture.id.in_(region_ids))))
    if len(regions) != len(set(details.regions)):
        raise Invalid.on("regions", _l("振興局を一覧から選んでください。"))
    if WorkMode(details.work_mode).does_onsite and details.max_travel_km is None:
        raise Invalid.on("max_travel_km", _l("現地で働く場合は、拠点から移動できる距離を入力してください。"))
    if details.pay_kind and details.pay_kind != PayKind.VOLUNTEER.value and details.pay_yen is None:
        raise Invalid.on("pay_yen", _l("希望額を入力するか、「指定しない」を選んでください。"))
    profile.display_name = details.display_name.strip()
    profile.furigana = (details.furigana or "").strip() or None
    profile.headline = (details.headline or "").strip()
    profile.bio = (details.bio or "").strip()
    profile.regions = regions
    profile.motives = [m for m in MOTIVES if m in details.motives]
    profile.side_job_ok = bool(details.side_job_ok)
    profile.hours_per_week = details.hours_per_week
    profile.earliest_start = details.earliest_start
    profile.work_mode = WorkMode(details.work_mode)
    profile.max_travel_km = details.max_travel_km
    profile.onsite_days_per_month = details.onsite_days_per_month if profile.work_mode.does_onsite else None
    profile.pay_kind = PayKind(details.pay_kind) if details.pay_kind else None
    profile.pay_yen = None if profile.pay_kind in (None, PayKind.VOLUNTEER) else details.pay_yen
    profile.open_to_offers = bool(details.open_to_offers)
    profile.visibility = Visibility(details.visibility)
    profile.is_hidden = bool(details.is_hidden)
    profile.is_student = bool(details.is_student)
    profile.shows_learning = bool(details.shows_learning)
    school_name = (details.school_name or "").strip()[:120]
    profile.school_name = school_name if profile.is_student and school_name else None


def save_profile(session: Session, actor: User, details: ProfileInput) -> Profile:
    """Create the actor's profile, or update it; one profile per account."""
    require(actor, "create_profile")
    profile = own_profile(session, actor)
    created = profile is None
    if profile is None:
        profile = Profile(user=actor)
        session.add(profile)
    with session.no_autoflush:  # a new profile is complete only once every field is set
        _apply_profile_fields(session, profile, details)
    profile.updated_at = utcnow()
    reindex_profile(session, profile)
    audit.record(session, actor, "profile.create" if created else "profile.update", object_type="profile",
                 object_id=profile.public_id)  # fmt: skip
    return profile


def selectable_skill(session: Session, code: str, field: str = "skill_code") -> Skill:
    skill = session.get(Skill, code)
    if skill is None or not skill.is_selectable:
        raise Invalid.on(field, _l("スキルを一覧から選んでください。"))
    return skill


def add_skill(session: Session, actor: User, details: SkillInput) -> ProfileSkill:
    """Add a self-declared skill with a level (1–4); each skill can be declared once."""
    profile = require_own_profile(session, actor)
    require(actor, "edit", profile)
    selectable_skill(session, details.skill_code)
    if details.level not in (1, 2, 3, 4):
        raise Invalid.on("level", _l("レベルは1〜4から選んでください。"))
    if any(s.skill_code == details.skill_code and s.source is SkillSource.SELF for s in profile.skills):
        raise Invalid.on(
            "skill_code", _l("このスキルはすでに登録されています。レベルを変えるには一度削除してください。")
        )
    profile_skill = ProfileSkill(skill_code=details.skill_code, level=details.level, years=details.years)
    profile.skills.append(profile_skill)
    profile.updated_at = utcnow()
    session.flush()
    session.refresh(profile_skill, ["skill"])
    reindex_profile(session, profile)
    audit.record(session, actor, "profile.skill_added", object_type="profile", object_id=profile.public_id,
                 skill=details.skill_code)  # fmt: skip
    return profile_skill


def remove_skill(session: Session, actor: User, profile_skill_id: int) -> None:
    """Remove a self-declared skill. Verified skills come from credentials and projects and stay."""
    profile = require_own_profile(session, actor)
    require(actor, "edit", profile)
    profile_skill = next((s for s in profile.skills if s.id == profile_skill_id), None)
    if profile_skill is None:
        raise NotFound()
    if profile_skill.source is not SkillSource.SELF:
        raise Conflict(str(_l("検証済みのスキルは削除できません。根拠のバッジや成果を非表示にしてください。")))
    profile.skills.remove(profile_skill)
    profile.updated_at = utcnow()
    reindex_profile(session, profile)
