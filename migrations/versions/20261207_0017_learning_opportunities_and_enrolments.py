"""learning opportunities, their skills and enrolments

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 06:00:05+00:00

学びの場 (#15). `learning_opportunities`: courses, programmes and PBL classes an organisation offers,
with where (a municipality, unless online), when (dates, or always open when both are null), hours,
cost (0 = free), eligibility, capacity (null = no limit), the enrolment deadline, the badge its
completion awards and the local project it works on. `learning_skills`: the DSS skills each teaches
and the level a learner reaches. `enrolments`: a person in an opportunity and how it ended, with the
credential its completion issued. New tables only; downgrade drops them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('learning_opportunities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=140), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('format', sa.Enum('self_paced', 'live_online', 'onsite', 'blended', 'pbl', name='learningformat', native_enum=False, length=12), nullable=False),
    sa.Column('language', sa.Enum('ja', 'en', 'both', name='learninglanguage', native_enum=False), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('study_hours', sa.Integer(), nullable=False),
    sa.Column('cost_yen', sa.Integer(), nullable=False),
    sa.Column('eligibility', sa.Enum('anyone', 'students', 'working_adults', name='learnereligibility', native_enum=False, length=16), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('course_url', sa.String(length=500), nullable=False),
    sa.Column('achievement_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'closed', name='opportunitystatus', native_enum=False, length=8), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 1', name=op.f('ck_learning_opportunities_capacity_positive')),
    sa.CheckConstraint('cost_yen >= 0', name=op.f('ck_learning_opportunities_cost_not_negative')),
    sa.CheckConstraint('ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on', name=op.f('ck_learning_opportunities_ends_after_start')),
    sa.CheckConstraint('study_hours >= 1', name=op.f('ck_learning_opportunities_study_hours_positive')),
    sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id'], name=op.f('fk_learning_opportunities_achievement_id_achievements'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_learning_opportunities_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_learning_opportunities_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_learning_opportunities_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_learning_opportunities_project_id_projects'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_opportunities')),
    sa.UniqueConstraint('public_id', name=op.f('uq_learning_opportunities_public_id'))
    )
    with op.batch_alter_table('learning_opportunities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_opportunities_format'), ['format'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_opportunities_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_opportunities_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_opportunities_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_opportunities_status'), ['status'], unique=False)

    op.create_table('enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('enrolled', 'completed', 'not_completed', 'withdrawn', name='enrolmentstatus', native_enum=False, length=14), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('credential_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_enrolments_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'], name=op.f('fk_enrolments_credential_id_credentials'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['opportunity_id'], ['learning_opportunities.id'], name=op.f('fk_enrolments_opportunity_id_learning_opportunities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['profiles.id'], name=op.f('fk_enrolments_profile_id_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
    sa.UniqueConstraint('opportunity_id', 'profile_id', name=op.f('uq_enrolments_opportunity_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_enrolments_public_id'))
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolments_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolments_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolments_status'), ['status'], unique=False)

    op.create_table('learning_skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('skill_code', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 4', name=op.f('ck_learning_skills_level_range')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['learning_opportunities.id'], name=op.f('fk_learning_skills_opportunity_id_learning_opportunities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['skill_code'], ['skills.code'], name=op.f('fk_learning_skills_skill_code_skills')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_skills')),
    sa.UniqueConstraint('opportunity_id', 'skill_code', name=op.f('uq_learning_skills_opportunity_id'))
    )
    with op.batch_alter_table('learning_skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_skills_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_skills_skill_code'), ['skill_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('learning_skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_skills_skill_code'))
        batch_op.drop_index(batch_op.f('ix_learning_skills_opportunity_id'))

    op.drop_table('learning_skills')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolments_status'))
        batch_op.drop_index(batch_op.f('ix_enrolments_profile_id'))
        batch_op.drop_index(batch_op.f('ix_enrolments_opportunity_id'))

    op.drop_table('enrolments')
    with op.batch_alter_table('learning_opportunities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_opportunities_status'))
        batch_op.drop_index(batch_op.f('ix_learning_opportunities_project_id'))
        batch_op.drop_index(batch_op.f('ix_learning_opportunities_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_learning_opportunities_municipality_code'))
        batch_op.drop_index(batch_op.f('ix_learning_opportunities_format'))

    op.drop_table('learning_opportunities')
