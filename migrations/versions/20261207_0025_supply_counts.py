"""supply counts kept on write: supply_cells, supply_groups; profile_skills.valid_until indexed

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 16:00:00+00:00

#15, the supply-and-demand page at 100,000 profiles. The people the statistics count are kept as
counts, updated in the same transaction as every change to a person's skills, verification, home or
visibility (talentbank/models/supply.py): per subprefecture x skill x level (the open data's supply
cells) and per subprefecture x skill category group ("no:<DSS-P category number>", else
"ja:<category name>", and "*" for any skill). Every claim counts as if current; readers correct for
the few badge claims past their validUntil, found through the new index on profile_skills.valid_until.

Upgrade fills both tables from the profiles already stored (a counted profile: public or members,
not hidden, its account not disabled, a Hokkaido home; each person once per skill at their highest
level, verified if any claim of it is not self-declared; once per group, verified if any claim in it
is). Downgrade drops the tables and the index; nothing else depended on them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

profile_skills = sa.table('profile_skills', sa.column('profile_id', sa.Integer), sa.column('skill_code', sa.String),
                          sa.column('level', sa.Integer), sa.column('source', sa.String))  # fmt: skip
profiles = sa.table('profiles', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
                    sa.column('visibility', sa.String), sa.column('is_hidden', sa.Boolean),
                    sa.column('home_municipality_code', sa.String))  # fmt: skip
users = sa.table('users', sa.column('id', sa.Integer), sa.column('is_disabled', sa.Boolean))
municipalities = sa.table('municipalities', sa.column('code', sa.String), sa.column('subprefecture_id', sa.Integer))
skills = sa.table('skills', sa.column('code', sa.String), sa.column('category_no', sa.String),
                  sa.column('category_ja', sa.String))  # fmt: skip


def _claims(*columns: sa.ColumnElement) -> sa.Select:
    return (
        sa.select(*columns)
        .select_from(profile_skills)
        .join(profiles, profiles.c.id == profile_skills.c.profile_id)
        .join(users, users.c.id == profiles.c.user_id)
        .join(municipalities, municipalities.c.code == profiles.c.home_municipality_code)
        .join(skills, skills.c.code == profile_skills.c.skill_code)
        .where(profiles.c.visibility.in_(['public', 'members']), profiles.c.is_hidden.is_(sa.false()),
               users.c.is_disabled.is_(sa.false()))
    )  # fmt: skip


def _fill() -> None:
    verified = sa.func.max(sa.case((profile_skills.c.source != 'self', 1), else_=0)).label('verified')
    sub = municipalities.c.subprefecture_id.label('sub')
    person = profile_skills.c.profile_id
    best = (
        _claims(person, profile_skills.c.skill_code, sub, sa.func.max(profile_skills.c.level).label('level'), verified)
        .group_by(person, profile_skills.c.skill_code, municipalities.c.subprefecture_id)
        .subquery()
    )
    cells = sa.table('supply_cells', *(sa.column(n) for n in ('subprefecture_id', 'skill_code', 'level', 'people',
                                                              'verified_people')))  # fmt: skip
    op.execute(cells.insert().from_select(
        ['subprefecture_id', 'skill_code', 'level', 'people', 'verified_people'],
        sa.select(best.c.sub, best.c.skill_code, best.c.level, sa.func.count(), sa.func.sum(best.c.verified))
        .group_by(best.c.sub, best.c.skill_code, best.c.level),
    ))  # fmt: skip
    numbered = sa.and_(skills.c.category_no.is_not(None), skills.c.category_no != '')
    group = sa.case((numbered, sa.literal('no:') + skills.c.category_no), else_=sa.literal('ja:') + skills.c.category_ja)
    per_group = _claims(person, sub, group.label('grp'), verified).group_by(
        person, municipalities.c.subprefecture_id, group
    )
    per_person = _claims(person, sub, sa.literal('*').label('grp'), verified).group_by(
        person, municipalities.c.subprefecture_id
    )
    found = sa.union_all(per_group, per_person).subquery()
    groups = sa.table('supply_groups', *(sa.column(n) for n in ('subprefecture_id', 'category_group', 'people',
                                                                'verified_people')))  # fmt: skip
    op.execute(groups.insert().from_select(
        ['subprefecture_id', 'category_group', 'people', 'verified_people'],
        sa.select(found.c.sub, found.c.grp, sa.func.count(), sa.func.sum(found.c.verified))
        .group_by(found.c.sub, found.c.grp),
    ))  # fmt: skip


def upgrade() -> None:
    op.create_table('supply_cells',
    sa.Column('subprefecture_id', sa.Integer(), nullable=False),
    sa.Column('skill_code', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('verified_people', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['skill_code'], ['skills.code'], name=op.f('fk_supply_cells_skill_code_skills'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subprefecture_id'], ['subprefectures.id'], name=op.f('fk_supply_cells_subprefecture_id_subprefectures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subprefecture_id', 'skill_code', 'level', name=op.f('pk_supply_cells'))
    )  # fmt: skip
    op.create_table('supply_groups',
    sa.Column('subprefecture_id', sa.Integer(), nullable=False),
    sa.Column('category_group', sa.String(length=80), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('verified_people', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['subprefecture_id'], ['subprefectures.id'], name=op.f('fk_supply_groups_subprefecture_id_subprefectures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subprefecture_id', 'category_group', name=op.f('pk_supply_groups'))
    )  # fmt: skip
    with op.batch_alter_table('profile_skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profile_skills_valid_until'), ['valid_until'], unique=False)
    _fill()


def downgrade() -> None:
    with op.batch_alter_table('profile_skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_skills_valid_until'))
    op.drop_table('supply_groups')
    op.drop_table('supply_cells')
