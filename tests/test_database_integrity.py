"""The integrity check that the soak and the end of each suite run (tests/integrity.py), on the database under
test: sound after real writes, and it finds a row whose foreign key points at nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from talentbank.models import ProfileSkill, SkillSource
from tests.factories import make_profile
from tests.integrity import check_database


def test_the_database_is_sound_after_writes(db):
    make_profile(db, skills={"dssp2-36": 2, "dssp2-35": 3})
    db.commit()
    result = check_database(db.connection())
    assert result.problems == [], result.summary()
    if db.bind.dialect.name == "postgresql":
        if result.skipped:
            pytest.skip(result.skipped)
        # Every B-tree index of the schema, the profile_skills ones among them.
        assert result.checked >= len(sa.inspect(db.connection()).get_indexes("profile_skills")) + 20


def test_a_row_pointing_at_nothing_is_found(db):
    profile = make_profile(db, skills={"dssp2-36": 2})
    db.commit()
    connection = db.connection()
    # Within this transaction only (both roll back with it): foreign keys checked at commit / their triggers off.
    if db.bind.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    else:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
    try:
        connection.execute(sa.insert(ProfileSkill).values(profile_id=profile.id + 10_000, skill_code="dssp2-35",
                                                          level=1, source=SkillSource.SELF))  # fmt: skip
        result = check_database(connection)
        assert any(
            problem.startswith(("profile_skills.profile_id", "foreign_key_check")) for problem in result.problems
        )
    finally:
        db.rollback()
