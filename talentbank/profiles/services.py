"""Profiles: the person, their work preferences, skills and outcomes; visibility; APPI data rights."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from talentbank import audit
from talentbank.accounts.passwords import verify_password
from talentbank.db import utcnow
from talentbank.errors import Conflict, Gone, Invalid, NotFound
from talentbank.lookup import by_public_id, parse_public_id
from talentbank.models import (
    AccountToken,
    ApiToken,
    AuditEvent,
    DeletedProfile,
    Invitation,
    Membership,
    MembershipRole,
    Municipality,
    Notification,
    Organisation,
    OutboxMessage,
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
    OutcomeInput,
    ProfileInput,
    SkillInput,
    check_links,
    link_list,
)
from talentbank.profiles.search import reindex_profile
from talentbank.security import require

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
    from talentbank.security import can

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
    profile.pay_kind = PayKind(details.pay_kind) if details.pay_kind else None
    profile.pay_yen = None if profile.pay_kind in (None, PayKind.VOLUNTEER) else details.pay_yen
    profile.open_to_offers = bool(details.open_to_offers)
    profile.visibility = Visibility(details.visibility)
    profile.is_hidden = bool(details.is_hidden)
    profile.is_student = bool(details.is_student)
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


def _selectable_skill(session: Session, code: str, field: str = "skill_code") -> Skill:
    skill = session.get(Skill, code)
    if skill is None or not skill.is_selectable:
        raise Invalid.on(field, _l("スキルを一覧から選んでください。"))
    return skill


def add_skill(session: Session, actor: User, details: SkillInput) -> ProfileSkill:
    """Add a self-declared skill with a level (1–4); each skill can be declared once."""
    profile = require_own_profile(session, actor)
    require(actor, "edit", profile)
    _selectable_skill(session, details.skill_code)
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


def _apply_outcome_fields(session: Session, outcome: Outcome, details: OutcomeInput) -> None:
    if details.started_on and details.ended_on and details.ended_on < details.started_on:
        raise Invalid.on("ended_on", _l("終了日は開始日より後にしてください。"))
    links = link_list(details.links)
    problem = check_links(links)
    if problem:
        raise Invalid.on("links", problem)
    codes = list(dict.fromkeys(details.skill_codes))
    if len(codes) > 10:
        raise Invalid.on("skill_codes", _l("使ったスキルは10個までです。"))
    for code in codes:
        _selectable_skill(session, code, "skill_codes")
    if codes and details.skill_level not in (1, 2, 3, 4):
        raise Invalid.on("skill_level", _l("レベルは1〜4から選んでください。"))
    outcome.title = details.title.strip()
    outcome.description = (details.description or "").strip()
    outcome.role = (details.role or "").strip()
    outcome.started_on, outcome.ended_on = details.started_on, details.ended_on
    outcome.organisation_name = (details.organisation_name or "").strip() or None
    outcome.organisation = _linked_organisation(session, details.organisation)
    if outcome.organisation is not None and outcome.organisation_name is None:
        outcome.organisation_name = outcome.organisation.name
    outcome.links = links
    existing = {s.skill_code: s for s in outcome.skills}
    outcome.skills = [existing.get(code) or OutcomeSkill(skill_code=code, level=details.skill_level) for code in codes]
    for outcome_skill in outcome.skills:
        outcome_skill.level = details.skill_level


def _linked_organisation(session: Session, public_id: str) -> Organisation | None:
    if not public_id:
        return None
    try:
        return by_public_id(session, Organisation, public_id)
    except NotFound:
        raise Invalid.on("organisation", _l("組織を一覧から選んでください。")) from None


def _declare_used_skills(profile: Profile, outcome: Outcome) -> None:
    """Each skill used in an outcome also appears on the profile (self-declared, at least that level)."""
    declared = {s.skill_code: s for s in profile.skills if s.source is SkillSource.SELF}
    for used in outcome.skills:
        if used.skill_code in declared:
            declared[used.skill_code].level = max(declared[used.skill_code].level, used.level)
        else:
            profile.skills.append(ProfileSkill(skill_code=used.skill_code, level=used.level))


def save_outcome(session: Session, actor: User, details: OutcomeInput, outcome_id: str | None = None) -> Outcome:
    """Add an outcome (成果), or edit one of the actor's own."""
    profile = require_own_profile(session, actor)
    require(actor, "edit", profile)
    outcome = _own_outcome(profile, outcome_id) if outcome_id else Outcome()
    if outcome.project_id is not None:
        raise Conflict(str(_l("組織が記録した成果は編集できません。表示・非表示は切り替えられます。")))
    _apply_outcome_fields(session, outcome, details)
    if outcome_id is None:
        profile.outcomes.append(outcome)
    _declare_used_skills(profile, outcome)
    profile.updated_at = utcnow()
    session.flush()
    session.expire(profile, ["skills"])
    reindex_profile(session, profile)
    audit.record(session, actor, "profile.outcome_saved", object_type="outcome", object_id=outcome.public_id)
    return outcome


def _own_outcome(profile: Profile, outcome_id: str) -> Outcome:
    for outcome in profile.outcomes:
        if str(outcome.public_id) == outcome_id:
            return outcome
    raise NotFound()


def get_own_outcome(session: Session, actor: User, outcome_id: str) -> Outcome:
    return _own_outcome(require_own_profile(session, actor), outcome_id)


def set_outcome_hidden(session: Session, actor: User, outcome_id: str, hidden: bool) -> None:
    """Hide an outcome from others (or show it again); works for project-verified outcomes too."""
    profile = require_own_profile(session, actor)
    require(actor, "edit", profile)
    _own_outcome(profile, outcome_id).is_hidden = hidden
    profile.updated_at = utcnow()
    reindex_profile(session, profile)


def delete_outcome(session: Session, actor: User, outcome_id: str) -> None:
    """Delete an outcome; skills that only this project outcome verified stop being project-verified."""
    profile = require_own_profile(session, actor)
    require(actor, "edit", profile)
    outcome = _own_outcome(profile, outcome_id)
    anchor = f"#outcome-{outcome.public_id}"
    for entry in [
        s for s in profile.skills if s.source is SkillSource.PROJECT and (s.evidence_url or "").endswith(anchor)
    ]:
        profile.skills.remove(entry)
    profile.outcomes.remove(outcome)
    profile.updated_at = utcnow()
    reindex_profile(session, profile)
    audit.record(session, actor, "profile.outcome_deleted", object_type="outcome", object_id=outcome_id)


def export_personal_data(session: Session, actor: User) -> dict[str, Any]:
    """Everything held about the actor, as JSON-ready data (APPI Art. 33 disclosure)."""
    profile = own_profile(session, actor)
    memberships = session.scalars(
        sa.select(Membership).where(Membership.user_id == actor.id).options(selectinload(Membership.organisation))
    ).all()
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.actor_id == actor.id).order_by(AuditEvent.id)).all()
    mail = session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == actor.email).order_by(OutboxMessage.id)
    ).all()
    return {
        "format": "talentbank-personal-data/1",
        "exported_at": utcnow().isoformat(),
        "account": {
            "email": actor.email,
            "display_name": actor.display_name,
            "locale": actor.locale,
            "created_at": actor.created_at.isoformat(),
            "email_verified_at": _iso(actor.email_verified_at),
            "last_login_at": _iso(actor.last_login_at),
            "policy_version": actor.policy_version,
            "policy_accepted_at": _iso(actor.policy_accepted_at),
        },
        "profile": _profile_data(profile) if profile else None,
        "memberships": [
            {"organisation": m.organisation.name, "role": m.role.value, "since": m.created_at.isoformat()}
            for m in memberships
        ],
        "activity": [
            {"time": e.occurred_at.isoformat(), "action": e.action, "ip_address": e.ip_address} for e in events
        ],
        "mail": [{"time": m.created_at.isoformat(), "subject": m.subject, "body": m.body_text} for m in mail],
        "notifications": [
            {"time": n.created_at.isoformat(), "text": n.text, "read_at": _iso(n.read_at)}
            for n in session.scalars(sa.select(Notification).where(Notification.user_id == actor.id))
        ],
        # Token metadata only: the secrets were never stored.
        "api_tokens": [
            {
                "name": t.name,
                "scopes": t.scopes,
                "created_at": t.created_at.isoformat(),
                "expires_at": t.expires_at.isoformat(),
                "last_used_at": _iso(t.last_used_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in session.scalars(sa.select(ApiToken).where(ApiToken.user_id == actor.id))
        ],
    }


def _iso(value: datetime | Any) -> str | None:
    return value.isoformat() if value is not None else None


def _profile_data(profile: Profile) -> dict[str, Any]:
    return {
        "public_id": str(profile.public_id),
        "display_name": profile.display_name,
        "furigana": profile.furigana,
        "headline": profile.headline,
        "bio": profile.bio,
        "home_municipality": profile.home_municipality.name_ja if profile.home_municipality else None,
        "home_prefecture": profile.home_prefecture,
        "regions_of_interest": [r.name_ja for r in profile.regions],
        "motives": list(profile.motives),
        "side_job_ok": profile.side_job_ok,
        "hours_per_week": profile.hours_per_week,
        "earliest_start": _iso(profile.earliest_start),
        "work_mode": profile.work_mode.value,
        "max_travel_km": profile.max_travel_km,
        "pay_kind": profile.pay_kind.value if profile.pay_kind else None,
        "pay_yen": profile.pay_yen,
        "open_to_offers": profile.open_to_offers,
        "visibility": profile.visibility.value,
        "is_hidden": profile.is_hidden,
        "is_student": profile.is_student,
        "school_name": profile.school_name,
        "skills": [
            {
                "code": s.skill_code,
                "name": s.skill.name_ja,
                "level": s.level,
                "years": s.years,
                "source": s.source.value,
                "evidence_url": s.evidence_url,
            }
            for s in profile.skills
        ],
        "outcomes": [
            {
                "title": o.title,
                "description": o.description,
                "role": o.role,
                "started_on": _iso(o.started_on),
                "ended_on": _iso(o.ended_on),
                "organisation": o.organisation_name,
                "linked_organisation": str(o.organisation.public_id) if o.organisation else None,
                "links": list(o.links),
                "hidden": o.is_hidden,
                "skills": [{"code": s.skill_code, "level": s.level} for s in o.skills],
            }
            for o in profile.outcomes
        ],
    }


def _is_sole_owner(membership: Membership) -> bool:
    owners = [m for m in membership.organisation.memberships if m.role is MembershipRole.OWNER]
    return owners == [membership]


def delete_account(
    session: Session, actor: User, password: str, *, hasher: PasswordHasher, now: datetime | None = None
) -> None:
    """Delete the account and its personal data (APPI Art. 35); the public page then answers 410 Gone.

    Audit events keep their action and time but lose the link to the person; mail sent to the
    address is deleted. Credentials already issued stay valid for whoever holds them.
    """
    if not verify_password(hasher, actor.password_hash, password):
        raise Invalid.on("password", _l("パスワードが正しくありません。"))
    sole_owner_of = [m.organisation.name for m in actor.memberships if _is_sole_owner(m)]
    if sole_owner_of:
        raise Invalid.on(
            "confirm",
            _l("次の組織の管理者があなただけです。先に別の管理者を指名してください：%(names)s",
               names="、".join(sole_owner_of)),
        )  # fmt: skip
    profile = own_profile(session, actor)
    if profile is not None:
        session.add(DeletedProfile(public_id=profile.public_id, deleted_at=now or utcnow()))
    session.execute(sa.delete(OutboxMessage).where(OutboxMessage.to_address == actor.email))
    session.execute(sa.delete(Invitation).where(Invitation.email == actor.email))
    session.execute(sa.delete(AccountToken).where(AccountToken.user_id == actor.id))
    session.execute(
        sa.update(AuditEvent).where(AuditEvent.actor_id == actor.id).values(actor_id=None, ip_address=None, details={})
    )
    audit.record(session, None, "account.deleted")
    session.delete(actor)
    session.flush()
