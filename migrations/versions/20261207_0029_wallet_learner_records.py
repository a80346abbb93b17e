"""wallet offers and deliveries of learner records

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 20:40:00+00:00

A learner can put their CLR 2.0 learner record into a wallet (#16): an offer and a delivery are for one
credential or one learner record, so `credential_id` becomes nullable on `wallet_offers` and
`wallet_deliveries`, and each gains a nullable `learner_record_id`. Downgrade deletes the rows that are
for learner records (a credential-only schema cannot hold them) and restores the NOT NULL.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("wallet_offers", "wallet_deliveries")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("learner_record_id", sa.Integer(), nullable=True))
            batch_op.alter_column("credential_id", existing_type=sa.Integer(), nullable=True)
            batch_op.create_index(batch_op.f(f"ix_{table}_learner_record_id"), ["learner_record_id"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_learner_record_id_learner_records"),
                "learner_records",
                ["learner_record_id"],
                ["id"],
                ondelete="CASCADE",
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(sa.text(f"DELETE FROM {table} WHERE credential_id IS NULL"))  # noqa: S608 - our table names
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_learner_record_id_learner_records"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_learner_record_id"))
            batch_op.alter_column("credential_id", existing_type=sa.Integer(), nullable=False)
            batch_op.drop_column("learner_record_id")
