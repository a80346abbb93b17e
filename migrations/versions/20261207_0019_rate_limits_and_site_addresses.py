"""rate-limit counters in the database; the site's recorded addresses

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 10:00:00+00:00

#19: without Redis, every gunicorn worker (and machine) counts logins, sign-ups, resets and API calls
in one table, so a limit holds however many workers there are. `site_addresses`: the BASE_URL the
issuers' did:web identities were made for, and the former ones (still served). New tables only;
downgrade drops them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rate_limit_counters',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(precision=53), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters'))
    )
    with op.batch_alter_table('rate_limit_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_counters_expires_at'), ['expires_at'], unique=False)


    op.create_table('site_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('base_url', sa.String(length=300), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_addresses')),
    sa.UniqueConstraint('base_url', name=op.f('uq_site_addresses_base_url'))
    )


def downgrade() -> None:
    op.drop_table('site_addresses')
    with op.batch_alter_table('rate_limit_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_counters_expires_at'))
    op.drop_table('rate_limit_counters')
