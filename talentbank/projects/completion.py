"""Completion closes the loop: an accepted engagement recorded as completed becomes a project-verified
outcome on the person's profile, optionally with a completion credential."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from talentbank import audit
from talentbank.db import utcnow
from talentbank.errors import Conflict, Invalid
from talentbank.models import (
    Application,
    ApplicationStatus,
    Outcome,
    OutcomeSkill,
    ProfileSkill,
    Skill,
    SkillSource,
    User,
)
from talentbank.profiles.search import reindex_profile
from talentbank.projects.notices import notify_person
from talentbank.projects.statuses import COMPLETE_STATUSES, refuse_unless
from talentbank.security import require


def complete(
    session: Session,
    actor: User,
    application: Application,
    summary: str,
    skills: list[tuple[str, int]],
    *,
    base_url: str,
    issuer: Any = None,
    now: datetime | None = None,
) -> Outcome:
    """Record the engagement as completed: a project-verified outcome on the person's profile and
    the demonstrated skills raised to project-verified. With `issuer` (an IssuerContext), also issue
    the completion credential in the same transaction."""
    require(actor, "post_project", application.project.organisation)
    if application.status is not ApplicationStatus.ACCEPTED:
        raise Conflict(str(_l("承諾済みの参加者だけを完了にできます。")))
    refused = _l("完了を記録できるのはプロジェクトが進行中か完了のときです（今は「%(status)s」）。")
    refuse_unless(application.project, COMPLETE_STATUSES, str(refused))
    if not skills:
        raise Invalid.on("skills", _l("発揮したスキルを1つ以上選んでください。"))
    if len({code for code, _level in skills}) != len(skills):
        raise Invalid.on("skills", _l("同じスキルが2回選ばれています。"))
    for code, level in skills:
        skill = session.get(Skill, code)
        if skill is None or not skill.is_selectable or level not in (1, 2, 3, 4):
            raise Invalid.on("skills", _l("スキルとレベル（1〜4）を一覧から選んでください。"))
    now = now or utcnow()
    project, profile = application.project, application.profile
    outcome = Outcome(
        profile=profile,
        title=project.title,
        description=summary.strip()[:3000],
        role=str(_l("参加者")),
        started_on=project.starts_on,
        ended_on=now.date(),
        organisation_name=project.organisation.name,
        organisation=project.organisation,
        project=project,
        links=[f"{base_url}/projects/{project.public_id}"],
        skills=[OutcomeSkill(skill_code=code, level=level) for code, level in skills],
    )
    session.add(outcome)
    session.flush()
    evidence = f"/people/{profile.public_id}#outcome-{outcome.public_id}"
    for code, level in skills:
        entry = next((s for s in profile.skills if s.skill_code == code and s.source is SkillSource.PROJECT), None)
        if entry is None:
            profile.skills.append(ProfileSkill(skill_code=code, level=level, source=SkillSource.PROJECT,
                                               evidence_url=evidence))  # fmt: skip
        elif level >= entry.level:
            entry.level, entry.evidence_url = level, evidence
    application.status = ApplicationStatus.COMPLETED
    application.outcome_id = outcome.id
    profile.updated_at = now
    session.flush()
    session.refresh(profile)
    reindex_profile(session, profile)
    if issuer is not None:
        from talentbank.credentials.issuing import issue_completion_credential

        issue_completion_credential(session, actor, project, profile, summary, f"{base_url}{evidence}", issuer)
    notify_person(session, profile, "engagement_completed", base_url, application=application, project=project)
    audit.record(session, actor, "application.complete", object_type="application", object_id=application.public_id)
    return outcome
