"""Project statuses: who may move a project from one status to the next, and which application steps
each status allows."""

from __future__ import annotations

from talentbank.errors import Conflict
from talentbank.models import Project, ProjectStatus
from talentbank.projects.labels import STATUS_LABELS

# Who may move a project from one status to the next (members of the posting organisation).
TRANSITIONS: dict[ProjectStatus, set[ProjectStatus]] = {
    ProjectStatus.DRAFT: {ProjectStatus.OPEN, ProjectStatus.CANCELLED},
    ProjectStatus.OPEN: {ProjectStatus.CLOSED, ProjectStatus.IN_PROGRESS, ProjectStatus.CANCELLED},
    ProjectStatus.CLOSED: {ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS, ProjectStatus.CANCELLED},
    ProjectStatus.IN_PROGRESS: {ProjectStatus.COMPLETED, ProjectStatus.CANCELLED},
    ProjectStatus.COMPLETED: set(),
    ProjectStatus.CANCELLED: set(),
}
# Which application steps each project status allows (#5). Applying needs an open project before its
# deadline; answering (which may release contact details) and scouting need a live project; completion
# is recorded while the work runs or after the project is marked completed. Withdrawing is always
# allowed: a person can end a contact release at any time.
ANSWER_STATUSES = (ProjectStatus.OPEN, ProjectStatus.CLOSED, ProjectStatus.IN_PROGRESS)
INVITE_STATUSES = ANSWER_STATUSES
COMPLETE_STATUSES = (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED)
PUBLIC_STATUSES = (ProjectStatus.OPEN, ProjectStatus.CLOSED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED)


def refuse_unless(project: Project, statuses: tuple[ProjectStatus, ...], message: str) -> None:
    if project.status not in statuses:
        raise Conflict(message % {"status": STATUS_LABELS[project.status]})
