"""when a project was last opened for applications

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:20:00+00:00

`projects.opened_at`: when the project last moved to open (a closed project may reopen); null while it
has never been open. The dashboard's period counts open projects from it rather than from `created_at`,
so a draft written months ago and opened yesterday counts as yesterday's.

Existing projects are filled from the audit log: every status change is a `project.status` event on
the project's public id with the new status in its details, and the latest one that opened the project
is when it was last opened. A project with no such event (data from before the log, or an event whose
details were erased with its actor's account) that must have been open (closed, in progress, completed,
or open itself) gets its `created_at`; a cancelled one may have been cancelled as a draft, so without an
event it stays null, like drafts.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from talentbank.db import UTCDateTime

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The statuses a project reaches only through open (see projects.statuses.TRANSITIONS).
ONCE_OPEN = ('open', 'closed', 'in_progress', 'completed')


def _last_opened(connection: sa.Connection) -> dict[uuid.UUID, datetime]:
    events = sa.table('audit_events', sa.column('action', sa.String()), sa.column('object_type', sa.String()),
                      sa.column('object_id', sa.String()), sa.column('details', sa.JSON()),
                      sa.column('occurred_at', UTCDateTime()))
    opened: dict[uuid.UUID, datetime] = {}
    for object_id, details, occurred_at in connection.execute(
        sa.select(events.c.object_id, events.c.details, events.c.occurred_at)
        .where(events.c.action == 'project.status', events.c.object_type == 'project')
    ):
        if not isinstance(details, dict) or details.get('status') != 'open':
            continue
        try:
            public_id = uuid.UUID(object_id)
        except (TypeError, ValueError):
            continue
        if public_id not in opened or occurred_at > opened[public_id]:
            opened[public_id] = occurred_at
    return opened


def upgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True))

    connection = op.get_bind()
    projects = sa.table('projects', sa.column('id', sa.Integer()), sa.column('public_id', sa.Uuid()),
                        sa.column('status', sa.String()), sa.column('created_at', UTCDateTime()),
                        sa.column('opened_at', UTCDateTime()))
    opened = _last_opened(connection)
    filled = []
    for project_id, public_id, status, created_at in connection.execute(
        sa.select(projects.c.id, projects.c.public_id, projects.c.status, projects.c.created_at)
        .where(projects.c.status != 'draft')
    ):
        moment = opened.get(public_id) or (created_at if status in ONCE_OPEN else None)
        if moment is not None:
            filled.append({'project_id': project_id, 'moment': moment})
    if filled:
        statement = (projects.update().where(projects.c.id == sa.bindparam('project_id'))
                     .values(opened_at=sa.bindparam('moment')))
        connection.execute(statement, filled)


def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('opened_at')
