"""Open Badges 2.0 imports: imported_credentials.badge_format and other_alignments

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 13:00:00+00:00

#16, OB 2.0 import. An imported badge is now either an OB 3.0 credential (every row so far:
"ob3", the server default fills them) or an OB 2.0 assertion ("ob2": `raw` holds the hosted
assertion's URL or the signed assertion's JWS), so the daily re-check knows which rules to apply.
`other_alignments` keeps the badge's alignments that name no DSS item ({"name", "url"}), shown with
the badge but never counted as a verified skill (null on older rows: none recorded). Downgrade drops
both columns; it does not delete OB 2.0 rows, whose `raw` an OB 3.0 re-check would then refuse.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('imported_credentials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('badge_format', sa.String(length=8), server_default='ob3', nullable=False))
        batch_op.add_column(sa.Column('other_alignments', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('imported_credentials', schema=None) as batch_op:
        batch_op.drop_column('other_alignments')
        batch_op.drop_column('badge_format')
