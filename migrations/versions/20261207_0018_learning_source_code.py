"""a provider's own code for each learning opportunity, for CSV imports

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 10:30:00+00:00

`learning_opportunities.source_code`: the identifier the provider gives the course in its own catalogue
(a CSV import's `code` column). Unique within the organisation, so importing the same file again updates
or leaves alone the opportunities it created instead of adding copies; null for opportunities published
through the form or the API, which several may share.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('learning_opportunities') as batch:
        batch.add_column(sa.Column('source_code', sa.String(64), nullable=True))
        batch.create_unique_constraint('uq_learning_opportunities_source_code', ['organisation_id', 'source_code'])


def downgrade() -> None:
    with op.batch_alter_table('learning_opportunities') as batch:
        batch.drop_constraint('uq_learning_opportunities_source_code', type_='unique')
        batch.drop_column('source_code')
