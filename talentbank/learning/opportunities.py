"""Publishing learning opportunities (create, update, close) and finding them (one, the public search,
an organisation's own, and the classes working on a project)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from talentbank import audit
from talentbank.db import count_rows, utcnow
from talentbank.errors import Conflict, Invalid, NotFound
from talentbank.learning.inputs import OpportunityInput, TaughtSkillInput
from talentbank.lookup import by_public_id, parse_public_id
from talentbank.models import (
    Achievement,
    LearnerEligibility,
    LearningFormat,
    LearningLanguage,
    LearningOpportunity,
    LearningSkill,
    Municipality,
    OpportunityStatus,
    Organisation,
    Project,
    ProjectStatus,
    Skill,
    User,
)
from talentbank.models.learning import PLACED_FORMATS
from talentbank.security import require

OPPORTUNITY_LOAD = (
    selectinload(LearningOpportunity.skills).selectinload(LearningSkill.skill),
    selectinload(LearningOpportunity.organisation),
    selectinload(LearningOpportunity.municipality).selectinload(Municipality.subprefecture),
    selectinload(LearningOpportunity.achievement),
    selectinload(LearningOpportunity.project),
)
MAX_COST_YEN = 10_000_000
MAX_STUDY_HOURS = 5_000
MAX_CAPACITY = 100_000


def _uuid(value: str):
    try:
        return parse_public_id(value)
    except NotFound:
        return None


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check_opportunity(
    session: Session,
    organisation: Organisation,
    details: OpportunityInput,
    today: date,
    *,
    is_new: bool,
    current: Project | None = None,
) -> dict[str, Any]:
    """The columns of a valid opportunity, or Invalid naming every field that is wrong."""
    errors: dict[str, str] = {}
    if not details.title.strip():
        errors["title"] = str(_l("タイトルを入力してください。"))
    if not details.description.strip():
        errors["description"] = str(_l("内容を入力してください。"))
    formats = {f.value for f in LearningFormat}
    if details.format not in formats:
        errors["format"] = str(_l("形式を選んでください。"))
    if details.language not in {lang.value for lang in LearningLanguage}:
        errors["language"] = str(_l("言語を選んでください。"))
    if details.eligibility not in {e.value for e in LearnerEligibility}:
        errors["eligibility"] = str(_l("対象を選んでください。"))
    place = details.municipality_code or None
    if place is not None and session.get(Municipality, place) is None:
        errors["municipality_code"] = str(_l("北海道の市町村から選んでください。"))
    elif place is None and details.format in {f.value for f in PLACED_FORMATS}:
        errors["municipality_code"] = str(_l("対面・ブレンド型の場合は、開催する市町村を選んでください。"))
    if details.starts_on and details.ends_on and details.ends_on < details.starts_on:
        errors["ends_on"] = str(_l("終了日は開始日より後にしてください。"))
    if details.ends_on and not details.starts_on:
        errors["starts_on"] = str(_l("終了日を入れる場合は開始日も入力してください。"))
    if is_new and details.ends_on and details.ends_on < today:
        errors["ends_on"] = str(_l("すでに終わった講座は登録できません。終了日を確かめてください。"))
    if details.deadline and is_new and details.deadline < today:
        errors["deadline"] = str(_l("申込締切は今日以降にしてください。"))
    elif details.deadline and details.ends_on and details.deadline > details.ends_on:
        errors["deadline"] = str(_l("申込締切は終了日までにしてください。"))
    if details.study_hours is None or not 1 <= details.study_hours <= MAX_STUDY_HOURS:
        errors["study_hours"] = str(_l("学習時間は1〜5000時間で入力してください。"))
    if details.cost_yen is not None and not 0 <= details.cost_yen <= MAX_COST_YEN:
        errors["cost_yen"] = str(_l("受講料は0円以上（無料は0）で入力してください。"))
    if details.capacity is not None and not 1 <= details.capacity <= MAX_CAPACITY:
        errors["capacity"] = str(_l("定員は1人以上で入力してください（制限なしは空欄）。"))
    course_url = details.course_url.strip()
    if course_url and (len(course_url) > 500 or not _is_web_url(course_url)):
        errors["course_url"] = str(_l("講座のURLは https:// で始まるアドレスを入力してください。"))
    errors.update(_skill_errors(session, details))
    achievement = _achievement(session, organisation, details.achievement_id, errors)
    project = _project(session, details.project_id, errors, current)
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    return {
        "title": details.title.strip()[:140],
        "description": details.description.strip(),
        "format": LearningFormat(details.format),
        "language": LearningLanguage(details.language),
        "municipality_code": place,
        "starts_on": details.starts_on,
        "ends_on": details.ends_on,
        "study_hours": details.study_hours,
        "cost_yen": details.cost_yen or 0,
        "eligibility": LearnerEligibility(details.eligibility),
        "capacity": details.capacity,
        "deadline": details.deadline,
        "course_url": course_url,
        "achievement": achievement,
        "project": project,
    }


def _skill_errors(session: Session, details: OpportunityInput) -> dict[str, str]:
    if not details.skills:
        return {"skills": str(_l("身につくスキルを1つ以上選んでください。"))}
    codes = [skill.skill_code for skill in details.skills]
    if len(set(codes)) != len(codes):
        return {"skills": str(_l("同じスキルが2回選ばれています。"))}
    for taught in details.skills:
        skill = session.get(Skill, taught.skill_code)
        if skill is None or not skill.is_selectable or taught.level not in (1, 2, 3, 4):
            return {"skills": str(_l("スキルとレベル（1〜4）を一覧から選んでください。"))}
    return {}


def _achievement(
    session: Session, organisation: Organisation, public_id: str | None, errors: dict[str, str]
) -> Achievement | None:
    """The badge completion awards: the organisation's own (it is the one that signs it)."""
    if not public_id:
        return None
    achievement = session.scalar(sa.select(Achievement).where(Achievement.public_id == _uuid(public_id)))
    if achievement is None or achievement.organisation_id != organisation.id:
        errors["achievement_id"] = str(_l("修了時に発行できるのは、この組織のバッジだけです。"))
        return None
    return achievement


def _project(
    session: Session, public_id: str | None, errors: dict[str, str], current: Project | None
) -> Project | None:
    """The local project a PBL class works on: any organisation's, while it is open or under way (the
    one it already works on stays, whatever has become of it)."""
    if not public_id:
        return None
    project = session.scalar(sa.select(Project).where(Project.public_id == _uuid(public_id)))
    if project is not None and project is current:
        return project
    if project is None or project.status not in (ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS):
        errors["project_id"] = str(_l("教材にできるのは、募集中か進行中のプロジェクトだけです。"))
        return None
    return project


def save_opportunity(
    session: Session,
    actor: User,
    organisation: Organisation,
    details: OpportunityInput,
    opportunity: LearningOpportunity | None = None,
    *,
    today: date | None = None,
) -> LearningOpportunity:
    """Publish a learning opportunity of the organisation, or update one of its own."""
    require(actor, "publish_learning", organisation)
    if opportunity is not None and opportunity.organisation_id != organisation.id:
        raise NotFound()
    fields = check_opportunity(session, organisation, details, today or utcnow().date(), is_new=opportunity is None,
                      current=opportunity.project if opportunity else None)  # fmt: skip
    created = opportunity is None
    if opportunity is None:
        opportunity = LearningOpportunity(organisation=organisation, created_by_id=actor.id)
        session.add(opportunity)
    for name, value in fields.items():
        setattr(opportunity, name, value)
    existing = {skill.skill_code: skill for skill in opportunity.skills}
    opportunity.skills = [
        existing.get(taught.skill_code) or LearningSkill(skill_code=taught.skill_code) for taught in details.skills
    ]
    for skill, taught in zip(opportunity.skills, details.skills, strict=True):
        skill.level = taught.level
    opportunity.updated_at = utcnow()
    session.flush()
    audit.record(session, actor, "learning.create" if created else "learning.update",
                 object_type="learning_opportunity", object_id=opportunity.public_id)  # fmt: skip
    return opportunity


def current_input(opportunity: LearningOpportunity) -> OpportunityInput:
    """The opportunity as the input that would save it unchanged (the base of a partial update, and what
    an import row is compared with)."""
    return OpportunityInput(
        title=opportunity.title,
        description=opportunity.description,
        format=opportunity.format.value,
        language=opportunity.language.value,
        municipality_code=opportunity.municipality_code,
        starts_on=opportunity.starts_on,
        ends_on=opportunity.ends_on,
        study_hours=opportunity.study_hours,
        cost_yen=opportunity.cost_yen,
        eligibility=opportunity.eligibility.value,
        capacity=opportunity.capacity,
        deadline=opportunity.deadline,
        course_url=opportunity.course_url,
        skills=tuple(TaughtSkillInput(skill.skill_code, skill.level) for skill in opportunity.skills),
        achievement_id=str(opportunity.achievement.public_id) if opportunity.achievement else None,
        project_id=str(opportunity.project.public_id) if opportunity.project else None,
    )


def close_opportunity(session: Session, actor: User, opportunity: LearningOpportunity) -> None:
    """No new enrolments; the page and its learners stay."""
    require(actor, "publish_learning", opportunity.organisation)
    if opportunity.status is OpportunityStatus.CLOSED:
        raise Conflict(str(_l("この講座はすでに受付を終了しています。")))
    opportunity.status = OpportunityStatus.CLOSED
    opportunity.updated_at = utcnow()
    session.flush()
    audit.record(session, actor, "learning.close", object_type="learning_opportunity",
                 object_id=opportunity.public_id)  # fmt: skip


def get_opportunity(session: Session, public_id: str) -> LearningOpportunity:
    """Any opportunity, open or closed: they are public."""
    return by_public_id(session, LearningOpportunity, public_id, *OPPORTUNITY_LOAD)


@dataclass(frozen=True)
class LearningCriteria:
    skill: str | None = None
    min_level: int | None = None  # teaches the skill to at least this level
    format: str | None = None
    free_only: bool = False
    online_only: bool = False
    subprefecture_id: int | None = None  # held there (online ones are everywhere)
    starts_within_weeks: int | None = None  # always-open ones can start any day, so they count
    language: str | None = None  # "ja" or "en": also matches bilingual ones


def is_enrollable(today: date) -> sa.ColumnElement[bool]:
    """Open, and neither past its enrolment deadline nor over."""
    return sa.and_(
        LearningOpportunity.status == OpportunityStatus.OPEN,
        sa.or_(LearningOpportunity.deadline.is_(None), LearningOpportunity.deadline >= today),
        sa.or_(LearningOpportunity.ends_on.is_(None), LearningOpportunity.ends_on >= today),
    )


def select_opportunities(criteria: LearningCriteria, today: date) -> sa.Select:
    """The opportunities one can still enrol in that match `criteria`: the soonest start first (always
    open ones count as starting today), then the newest; the id makes the order total for paging."""
    query = sa.select(LearningOpportunity).options(*OPPORTUNITY_LOAD).where(is_enrollable(today))
    if criteria.skill:
        taught = sa.select(LearningSkill.id).where(
            LearningSkill.opportunity_id == LearningOpportunity.id, LearningSkill.skill_code == criteria.skill
        )
        if criteria.min_level:
            taught = taught.where(LearningSkill.level >= criteria.min_level)
        query = query.where(taught.exists())
    if criteria.format in {f.value for f in LearningFormat}:
        query = query.where(LearningOpportunity.format == LearningFormat(criteria.format))
    if criteria.free_only:
        query = query.where(LearningOpportunity.cost_yen == 0)
    online = [f for f in LearningFormat if f.is_online]
    if criteria.online_only:
        query = query.where(LearningOpportunity.format.in_(online))
    if criteria.subprefecture_id:
        query = query.where(
            sa.or_(
                LearningOpportunity.format.in_(online),
                LearningOpportunity.municipality_code.in_(
                    sa.select(Municipality.code).where(Municipality.subprefecture_id == criteria.subprefecture_id)
                ),
            )
        )
    if criteria.starts_within_weeks is not None:
        latest = today + timedelta(weeks=max(0, criteria.starts_within_weeks))
        query = query.where(sa.or_(LearningOpportunity.starts_on.is_(None), LearningOpportunity.starts_on <= latest))
    if criteria.language in (LearningLanguage.JA.value, LearningLanguage.EN.value):
        query = query.where(
            LearningOpportunity.language.in_([LearningLanguage(criteria.language), LearningLanguage.BOTH])
        )
    starts = sa.func.coalesce(LearningOpportunity.starts_on, today)
    return query.order_by(starts.asc(), LearningOpportunity.id.desc())


def count_opportunities(session: Session, criteria: LearningCriteria, today: date) -> int:
    return count_rows(session, select_opportunities(criteria, today))


def opportunities_of(session: Session, organisation: Organisation) -> list[LearningOpportunity]:
    """All of the organisation's opportunities, open and closed, newest first."""
    return list(
        session.scalars(
            sa.select(LearningOpportunity)
            .where(LearningOpportunity.organisation_id == organisation.id)
            .options(*OPPORTUNITY_LOAD)
            .order_by(LearningOpportunity.created_at.desc(), LearningOpportunity.id.desc())
        )
    )


def classes_on_project(session: Session, project: Project) -> list[LearningOpportunity]:
    """The learning opportunities (PBL classes) that work on the project, for its page."""
    return list(
        session.scalars(
            sa.select(LearningOpportunity)
            .where(LearningOpportunity.project_id == project.id)
            .options(selectinload(LearningOpportunity.organisation))
            .order_by(LearningOpportunity.id)
        )
    )
