"""students-only internships: a profile says the person is a student (and where), a project may admit only students

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 10:00:00+00:00

`profiles.is_student` and `profiles.school_name`: the person's own statement; existing people are not
students until they say so. `projects.is_students_only`: an internship that only students may apply to,
be invited to or be placed on by an allocation round; existing projects admit everyone, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_student', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('school_name', sa.String(length=120), nullable=True))
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_students_only', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('is_students_only')
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.drop_column('school_name')
        batch_op.drop_column('is_student')
