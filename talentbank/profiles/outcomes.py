"""Outcomes (成果) on a person's profile: what they did, their role and the skills they used."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from talentbank import audit
from talentbank.db import utcnow
from talentbank.errors import Conflict, Invalid, NotFound
from talentbank.lookup import by_public_id
from talentbank.models import (
    Organisation,
    Outcome,
    OutcomeSkill,
    Profile,
    ProfileSkill,
    SkillSource,
    User,
)
from talentbank.profiles.inputs import (
    OutcomeInput,
    check_links,
    link_list,
)
from talentbank.profiles.search import reindex_profile
from talentbank.profiles.services import require_own_profile, selectable_skill
from talentbank.security import require


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
        selectable_skill(session, code, "skill_codes")
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
