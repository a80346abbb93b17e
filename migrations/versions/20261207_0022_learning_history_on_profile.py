"""a person's choice to show their learning on their profile: profiles.shows_learning

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 13:00:00+00:00

学びの場 (#15): learning history (completed courses, their provider, the completion date and the
badge) is shown on a person's profile only when they choose so. Off for everyone who has a profile
today (server default false), so nothing they did not choose becomes visible; downgrade drops the
column only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shows_learning', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.drop_column('shows_learning')
