"""presentation requests

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 20:45:00+00:00

Presentations (#16, OpenID4VP / DIDAuth). `presentation_requests`: talentbank asking one person's
wallet for a verifiable presentation, for one purpose (badges attached to one of their applications, or
imported into their profile), with a single-use challenge, the domain it is for, when it expires and when
it was used; once a presentation was accepted, the holder's DID, whether every credential verified, and
each credential's verdict. A new table only; downgrade drops it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0028'
down_revision: str | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('presentation_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('application', 'import', name='presentationpurpose', native_enum=False, length=12), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('challenge', sa.String(length=64), nullable=False),
    sa.Column('domain', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('holder_did', sa.Text(), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=True),
    sa.Column('result', sa.JSON(none_as_null=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_presentation_requests_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_presentation_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_presentation_requests')),
    sa.UniqueConstraint('challenge', name=op.f('uq_presentation_requests_challenge')),
    sa.UniqueConstraint('public_id', name=op.f('uq_presentation_requests_public_id'))
    )
    with op.batch_alter_table('presentation_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presentation_requests_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_presentation_requests_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('presentation_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_presentation_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_presentation_requests_application_id'))

    op.drop_table('presentation_requests')
