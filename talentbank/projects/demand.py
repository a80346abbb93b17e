"""What open projects ask for, as the statistics read it (the supply-and-demand page, the open data)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.models import Municipality, Project, ProjectNeed, ProjectStatus


def open_needs(session: Session, since: datetime | None = None) -> list[tuple[int, int, str, int]]:
    """(project id, seats, needed skill, subprefecture id) of every need of every open project; with
    `since`, only of those opened (last moved to open) at or after it, however long ago they were written."""
    statement = (
        sa.select(ProjectNeed.project_id, Project.seats, ProjectNeed.skill_code, Municipality.subprefecture_id)
        .join(Project, Project.id == ProjectNeed.project_id)
        .join(Municipality, Municipality.code == Project.municipality_code)
        .where(Project.status == ProjectStatus.OPEN)
    )
    if since is not None:
        statement = statement.where(Project.opened_at >= since)
    return [tuple(row) for row in session.execute(statement)]
