"""What learning is on offer, as the statistics read it (the supply-and-demand page, the open data)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.learning.opportunities import is_enrollable
from talentbank.models import LearningOpportunity, LearningSkill, Municipality


def taught_on_offer(session: Session, today: date) -> list[tuple[int, int | None, str, int | None]]:
    """(opportunity id, capacity, taught skill, subprefecture id or None when online) of every skill
    taught by a learning opportunity one can still enrol in. A PBL class with no place is followed
    remotely, so it counts as online."""
    statement = (
        sa.select(LearningOpportunity.id, LearningOpportunity.capacity, LearningSkill.skill_code,
                  Municipality.subprefecture_id, LearningOpportunity.format)
        .join(LearningSkill, LearningSkill.opportunity_id == LearningOpportunity.id)
        .outerjoin(Municipality, Municipality.code == LearningOpportunity.municipality_code)
        .where(is_enrollable(today))
    )  # fmt: skip
    return [
        (opportunity, capacity, code, None if fmt.is_online or sub is None else sub)
        for opportunity, capacity, code, sub, fmt in session.execute(statement)
    ]
