"""For a host: the people who would qualify for its project after one known learning opportunity (the
bridge to `matching.after_learning`; the same candidate index and need as the project's matches, and
the same opportunities and attendance rules as a person's gap paths)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from matching.after_learning import QualifiesAfter, qualify_after_learning
from talentbank.learning.opportunities import LearningCriteria, select_opportunities
from talentbank.learning.paths import to_opportunity
from talentbank.models import Application, LearningOpportunity, LearningSkill, Profile, Project, Visibility
from talentbank.projects.ranking import to_need, with_current_index


@dataclass(frozen=True)
class QualifyingPerson:
    """A person, the opportunity that would make them qualify, and what they miss today (``after.gaps``)."""

    profile: Profile
    opportunity: LearningOpportunity
    after: QualifiesAfter


def qualifying_after_learning(
    session: Session, project: Project, *, k: int = 10, today: date, now: datetime | None = None
) -> list[QualifyingPerson]:
    """The ``k`` best people who miss only what one opportunity one can still enrol in teaches, best
    ranked today first; people already applied or invited are left out, as from the matches."""
    need = to_need(project)
    if not need.must_have:
        return []
    teaching = sa.select(LearningSkill.opportunity_id).where(LearningSkill.skill_code.in_(list(need.must_have)))
    offered = session.scalars(
        select_opportunities(LearningCriteria(), today).where(LearningOpportunity.id.in_(teaching))
    ).all()
    if not offered:
        return []
    exclude = set(session.scalars(sa.select(Application.profile_id).where(Application.project_id == project.id)))
    engine_view = [to_opportunity(o, today) for o in offered]
    found = with_current_index(
        session,
        lambda index: qualify_after_learning(need, index, engine_view, k, today=today, exclude=exclude),
        now=now,
    )
    wanted = [f.candidate_id for f in found]
    profiles = {p.id: p for p in session.scalars(sa.select(Profile).where(Profile.id.in_(wanted)))}
    opportunity_of = {o.id: o for o in offered}
    # A profile that became private or hidden (or was deleted) since the index last looked is never shown.
    return [
        QualifyingPerson(profiles[f.candidate_id], opportunity_of[f.opportunity_id], f)
        for f in found
        if f.candidate_id in profiles
        and profiles[f.candidate_id].visibility is not Visibility.PRIVATE
        and not profiles[f.candidate_id].is_hidden
    ]
