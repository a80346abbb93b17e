"""an applicant's own order of preference among their internship applications

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:10:00+00:00

`applications.preference_rank`: 1 is the person's first choice; null means not ranked. Allocation rounds
put a student's ranked applications first, in this order, then the unranked ones, then the rest by score.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preference_rank', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('preference_rank')
