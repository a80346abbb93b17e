"""learner records (CLR 2.0) and the kind of entries a status list holds

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 16:00:00+00:00

CLR 2.0 (#16). `learner_records`: a ClrCredential an organisation issued one learner (the signed
document or JWT, the public ids of the credentials it bundles, its status-list entry).
`status_lists.holds`: "badges" for the lists credentials go on (every existing list) or "records" for
learner records, so each kind takes indexes from its own lists. Downgrade drops both.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holds", sa.String(length=8), nullable=False, server_default="badges"))

    op.create_table(
        "learner_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("recipient_email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("track_name", sa.String(length=120), nullable=True),
        sa.Column(
            "proof_format", sa.Enum("jwt", "di", name="proofformat", native_enum=False, length=4), nullable=False
        ),
        sa.Column("document", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("jwt", sa.Text(), nullable=True),
        sa.Column("credential_ids", sa.JSON(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_learner_records_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"], ["status_lists.id"], name=op.f("fk_learner_records_status_list_id_status_lists")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_records")),
        sa.UniqueConstraint("public_id", name=op.f("uq_learner_records_public_id")),
        sa.UniqueConstraint("status_list_id", "status_index", name=op.f("uq_learner_records_status_list_id")),
    )
    with op.batch_alter_table("learner_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learner_records_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_learner_records_recipient_email"), ["recipient_email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("learner_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learner_records_recipient_email"))
        batch_op.drop_index(batch_op.f("ix_learner_records_organisation_id"))
    op.drop_table("learner_records")
    op.execute("DELETE FROM status_lists WHERE holds = 'records'")
    # Not in batch mode on SQLite: that copies status_lists and drops the original, which the foreign keys
    # of credentials refuse; SQLite (3.35+) drops a plain column in place.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE status_lists DROP COLUMN holds")
    else:
        op.drop_column("status_lists", "holds")
