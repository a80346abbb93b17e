"""how long a project waits for a person to start: projects.start_slack_days

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 13:00:00+00:00

Feasibility first (#17): a person whose earliest start is more than this many days after the
project's start date is not proposed (matching's late_start rule), where 30 days were assumed for
every project. Existing projects get 30, so no ranking changes; downgrade drops the column.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_slack_days', sa.Integer(), nullable=False, server_default='30'))


def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('start_slack_days')
