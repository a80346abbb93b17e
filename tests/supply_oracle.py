"""The supply counts worked out the plain way, for tests to hold `talentbank.models.supply` to: every
profile read as an object, the statistics' rule applied in Python (a counted person once per current skill
at their highest level for it, verified if any claim of it is; once per category and once for any skill,
verified if any claim in it is)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from talentbank.models import Profile, ProfileSkill, Visibility
from talentbank.models.supply import ANY_SKILL, cells_at, groups_at

BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)  # every claim is current then: what the tables hold as stored


def expected_counts(session: Session, now: datetime) -> tuple[dict, dict]:
    """({(subprefecture id, skill, level): (people, verified)}, {(subprefecture id, group): (people, verified)})."""
    cells: Counter = Counter()
    verified_cells: Counter = Counter()
    groups: Counter = Counter()
    verified_groups: Counter = Counter()
    profiles = session.scalars(
        sa.select(Profile).options(
            joinedload(Profile.user),
            joinedload(Profile.home_municipality),
            selectinload(Profile.skills).selectinload(ProfileSkill.skill),
        )
    ).unique()
    for profile in profiles:
        if (profile.visibility not in (Visibility.PUBLIC, Visibility.MEMBERS) or profile.is_hidden
                or profile.user.is_disabled or profile.home_municipality is None):  # fmt: skip
            continue
        sub = profile.home_municipality.subprefecture_id
        by_skill: dict[str, list[ProfileSkill]] = {}
        by_group: dict[str, bool] = {}
        for entry in profile.skills_at(now):
            by_skill.setdefault(entry.skill_code, []).append(entry)
            skill = entry.skill
            for group in (f"no:{skill.category_no}" if skill.category_no else f"ja:{skill.category_ja}", ANY_SKILL):
                by_group[group] = by_group.get(group, False) or entry.is_verified
        for code, entries in by_skill.items():
            key = (sub, code, max(entry.level for entry in entries))
            cells[key] += 1
            verified_cells[key] += any(entry.is_verified for entry in entries)
        for group, is_verified in by_group.items():
            groups[(sub, group)] += 1
            verified_groups[(sub, group)] += is_verified
    return ({key: (cells[key], verified_cells[key]) for key in cells},
            {key: (groups[key], verified_groups[key]) for key in groups})  # fmt: skip


def assert_counts_right(session: Session, now: datetime | None = None) -> tuple[dict, dict]:
    """The counts read at `now` (default: the present), and those stored, are the plain way's; returns them."""
    session.flush()
    session.expire_all()
    now = now or datetime.now(UTC)
    for moment in (now, BEGINNING):
        cells, groups = expected_counts(session, moment)
        assert cells_at(session, moment) == cells, moment
        assert groups_at(session, moment) == groups, moment
    return expected_counts(session, now)
