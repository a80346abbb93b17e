"""how often a person works on site: profiles.onsite_days_per_month

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 10:30:00+00:00

Feasibility first (#17). A person already says how they work in `profiles.work_mode` (remote, onsite,
or hybrid, which now reads "both": remote work and on-site days) and how far they travel
(`max_travel_km`); this adds the most on-site days a month they give (null = no limit said). The
work mode keeps its three values and every stored value, so nothing moves; downgrade drops the
new column only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('onsite_days_per_month', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.drop_column('onsite_days_per_month')
