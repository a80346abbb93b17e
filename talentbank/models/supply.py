"""The supply counts (#15): how many people the statistics count per subprefecture x skill x level (the
open data's supply cells) and per subprefecture x skill category (the supply-and-demand page), kept in two
small tables in the same transaction as every change to a person's skills, verification, home or visibility.
The dashboard and the open data both read them (`cells_at`, `groups_at`); nothing else counts people.

Who counts (`is_counted_for_aggregation`): a profile visible to others, not hidden, of an active account,
living in a Hokkaido municipality. A person counts once per skill, at their highest level for it, verified
when any claim of it is (a badge or a completed project); once per category, verified when any claim in it
is; and once under ANY_SKILL.

How they are kept. Listeners on every SQLAlchemy Session, registered when `talentbank.models` is imported
(so no write path can leave them out: pages, API, CLI, imports, demo seeding, a test's own session). Before
a flush they note the people it changes (a skill row written or deleted, a profile's visibility, hidden
flag or home, an account's disabled flag, a deletion), lock those profile rows (PostgreSQL: FOR NO KEY
UPDATE, so two transactions changing one person take turns) and tally what those people count for now;
after the flush they add the difference to what they count for then. A bulk INSERT, UPDATE or DELETE on
the tables the counts come from, or a reference-data change of a skill's category or a municipality's
subprefecture, cannot be followed person by person: it marks the session, and the counts are rebuilt
from every row before its commit (and before it reads them).

Time. A badge-verified claim stops counting at its credential's validUntil, with no write
(`ProfileSkill.is_current`). The tables count every claim as if current; a reader takes the few people
with a claim past its validUntil (`talentbank refresh-credentials` deletes such claims daily, which the
listeners follow) and replaces what they add to the tables with what they count at that moment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from talentbank.db import Base
from talentbank.models.accounts import User
from talentbank.models.places import Municipality, Subprefecture
from talentbank.models.profiles import Profile, ProfileSkill, SkillSource, Visibility
from talentbank.models.skills import Skill

ANY_SKILL = "*"  # the category group of "any skill" in supply_groups

# Tables the counts are computed from: a bulk statement on one of them makes the session rebuild them.
SOURCE_TABLES = frozenset({"profile_skills", "profiles", "users", "skills", "municipalities", "subprefectures"})
_PROFILE_FIELDS = ("visibility", "is_hidden", "home_municipality_code", "home_municipality", "user_id", "skills")
_STALE = "talentbank.supply.stale"
_PENDING = "talentbank.supply.pending"
_CHUNK = 500  # profile ids per IN (...)

CellKey = tuple[int, str, int]  # subprefecture id, skill code, level
GroupKey = tuple[int, str]  # subprefecture id, category group (or ANY_SKILL)


class SupplyCell(Base):
    """The people counted at one subprefecture x skill x level (each person once per skill, at their best)."""

    __tablename__ = "supply_cells"

    subprefecture_id: Mapped[int] = mapped_column(
        sa.ForeignKey("subprefectures.id", ondelete="CASCADE"), primary_key=True
    )
    skill_code: Mapped[str] = mapped_column(sa.ForeignKey("skills.code", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    people: Mapped[int] = mapped_column(default=0)
    verified_people: Mapped[int] = mapped_column(default=0)


class SupplyGroup(Base):
    """The people counted at one subprefecture with a skill of one category (`skill_group`), or any skill."""

    __tablename__ = "supply_groups"

    subprefecture_id: Mapped[int] = mapped_column(
        sa.ForeignKey("subprefectures.id", ondelete="CASCADE"), primary_key=True
    )
    category_group: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    people: Mapped[int] = mapped_column(default=0)
    verified_people: Mapped[int] = mapped_column(default=0)


def is_counted_for_aggregation() -> sa.ColumnElement[bool]:
    """Which profiles statistics may count: visible to others, not hidden, of an active account, at home in Hokkaido."""
    return sa.and_(
        Profile.visibility.in_([Visibility.PUBLIC, Visibility.MEMBERS]),
        Profile.is_hidden.is_(False),
        User.is_disabled.is_(False),
        Profile.home_municipality_code.is_not(None),
    )


def skill_group(category_no: str | None, category_ja: str) -> str:
    """A skill's category as the statistics group them: its DSS-P number (versions renamed some), else its
    Japanese name (DSS-L does not number its categories)."""
    return f"no:{category_no}" if category_no else f"ja:{category_ja}"


@dataclass
class Tally:
    """People and verified people per cell and per group, as one set of people counts for."""

    cells: Counter[CellKey] = field(default_factory=Counter)
    verified_cells: Counter[CellKey] = field(default_factory=Counter)
    groups: Counter[GroupKey] = field(default_factory=Counter)
    verified_groups: Counter[GroupKey] = field(default_factory=Counter)

    def minus(self, other: Tally) -> Tally:
        """The change from `other` to this, zeros left out (Counter subtraction would drop negatives)."""
        out = Tally()
        for name in ("cells", "verified_cells", "groups", "verified_groups"):
            mine, theirs, into = getattr(self, name), getattr(other, name), getattr(out, name)
            for key in mine.keys() | theirs.keys():
                if difference := mine[key] - theirs[key]:
                    into[key] = difference
        return out


def _claims(profile_ids: Iterable[int] | None = None) -> sa.Select:
    """Every claim of the counted people (of `profile_ids` only, if given), current or not."""
    statement = (
        sa.select(ProfileSkill.profile_id, ProfileSkill.skill_code, ProfileSkill.level, ProfileSkill.source,
                  ProfileSkill.valid_until, Municipality.subprefecture_id, Skill.category_no, Skill.category_ja)
        .join(Profile, Profile.id == ProfileSkill.profile_id)
        .join(User, User.id == Profile.user_id)
        .join(Municipality, Municipality.code == Profile.home_municipality_code)
        .join(Skill, Skill.code == ProfileSkill.skill_code)
        .where(is_counted_for_aggregation())
    )  # fmt: skip
    return statement if profile_ids is None else statement.where(ProfileSkill.profile_id.in_(list(profile_ids)))


def tally(rows: Iterable[tuple], now: datetime | None = None) -> Tally:
    """What the people of `rows` (as `_claims` selects them) count for; at `now`, only their current claims."""
    best: dict[tuple[int, str], tuple[int, int, bool]] = {}  # (person, skill) -> subprefecture, level, verified
    grouped: dict[tuple[int, str], tuple[int, bool]] = {}  # (person, group) -> subprefecture, verified
    for person, code, level, source, valid_until, sub, category_no, category_ja in rows:
        if now is not None and source == SkillSource.BADGE and valid_until is not None and valid_until <= now:
            continue
        verified = source != SkillSource.SELF
        earlier = best.get((person, code))
        if earlier is not None:
            level, verified = max(level, earlier[1]), verified or earlier[2]
        best[(person, code)] = (sub, level, verified)
        for group in (skill_group(category_no, category_ja), ANY_SKILL):
            before = grouped.get((person, group))
            grouped[(person, group)] = (sub, verified or (before is not None and before[1]))
    out = Tally()
    for (_person, code), (sub, level, verified) in best.items():
        out.cells[(sub, code, level)] += 1
        out.verified_cells[(sub, code, level)] += verified
    for (_person, group), (sub, verified) in grouped.items():
        out.groups[(sub, group)] += 1
        out.verified_groups[(sub, group)] += verified
    return out


def _claims_of(session: Session, profile_ids: set[int]) -> list[tuple]:
    ids = sorted(profile_ids)
    chunks = (ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK))
    return [tuple(row) for chunk in chunks for row in session.execute(_claims(chunk))]


def _upsert(session: Session, table: sa.Table, rows: list[dict]) -> None:
    """Add each row's people and verified_people to the stored ones (a row is created at 0 first)."""
    if not rows:
        return
    dialect = session.connection().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    keys = [column.name for column in table.primary_key]
    statement = insert.on_conflict_do_update(
        index_elements=keys,
        set_={
            "people": table.c.people + insert.excluded.people,
            "verified_people": table.c.verified_people + insert.excluded.verified_people,
        },
    )
    # Always the same order, so two transactions adding to the same rows wait rather than deadlock.
    session.execute(statement, sorted(rows, key=lambda row: tuple(row[k] for k in keys)))


def _store(session: Session, change: Tally) -> None:
    cells = [
        {"subprefecture_id": key[0], "skill_code": key[1], "level": key[2], "people": change.cells[key],
         "verified_people": change.verified_cells[key]}
        for key in change.cells.keys() | change.verified_cells.keys()
    ]  # fmt: skip
    groups = [
        {"subprefecture_id": key[0], "category_group": key[1], "people": change.groups[key],
         "verified_people": change.verified_groups[key]}
        for key in change.groups.keys() | change.verified_groups.keys()
    ]  # fmt: skip
    _upsert(session, SupplyCell.__table__, cells)
    _upsert(session, SupplyGroup.__table__, groups)


def rebuild_supply_counts(session: Session) -> None:
    """Count everyone again from their claims (after bulk writes the listeners cannot follow)."""
    session.flush()
    session.info.pop(_STALE, None)
    session.execute(sa.delete(SupplyCell))
    session.execute(sa.delete(SupplyGroup))
    _store(session, tally(session.execute(_claims())))


def _has_tables(session: Session) -> bool:
    # A database at a revision before the counts (the migration tests write to such ones) has nothing to keep.
    return sa.inspect(session.connection()).has_table(SupplyGroup.__tablename__)


def _changed(obj: object, *names: str) -> bool:
    attrs = sa.inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names if name in attrs)


def _touched(session: Session) -> tuple[set[int], list[Profile], set[int], bool]:
    """The people this flush changes: stored profile ids, new profiles, accounts whose profile to look up,
    and whether a change cannot be followed person by person (a skill's category, a town's subprefecture)."""
    ids: set[int] = set()
    fresh: list[Profile] = []
    accounts: set[int] = set()
    stale = False

    def person(profile: Profile | None, profile_id: int | None = None) -> None:
        if profile is not None and sa.inspect(profile).has_identity:
            ids.add(profile.id)
        elif profile is not None:
            fresh.append(profile)
        if profile_id is not None:
            ids.add(profile_id)

    for obj in session.new:
        if isinstance(obj, ProfileSkill):
            person(obj.profile, obj.profile_id)
        elif isinstance(obj, Profile):
            fresh.append(obj)
    for obj in session.dirty:
        if isinstance(obj, ProfileSkill):  # its person, and the one it moved from or to (history loads nothing)
            history = sa.inspect(obj).attrs.profile.history
            for profile in (*history.added, *history.deleted):
                person(profile)
            person(None, obj.profile_id)
        elif isinstance(obj, Profile) and _changed(obj, *_PROFILE_FIELDS):
            ids.add(obj.id)
        elif isinstance(obj, User) and _changed(obj, "is_disabled"):
            accounts.add(obj.id)
        elif isinstance(obj, Skill | Municipality):
            stale = stale or _changed(obj, "category_no", "category_ja", "subprefecture_id")
    for obj in session.deleted:
        if isinstance(obj, ProfileSkill):
            ids.add(obj.profile_id)
        elif isinstance(obj, Profile):
            ids.add(obj.id)
        elif isinstance(obj, User):
            accounts.add(obj.id)
        elif isinstance(obj, Skill | Municipality | Subprefecture):
            stale = True
    return ids, fresh, accounts, stale


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: object, _instances: object) -> None:
    session.info.pop(_PENDING, None)
    ids, fresh, accounts, stale = _touched(session)
    if stale:
        session.info[_STALE] = True
    if not (ids or fresh or accounts) or not _has_tables(session):
        return
    if accounts:
        ids.update(session.scalars(sa.select(Profile.id).where(Profile.user_id.in_(sorted(accounts)))))
    if ids:
        lock = sa.select(Profile.id).where(Profile.id.in_(sorted(ids))).order_by(Profile.id)
        session.execute(lock.with_for_update(key_share=True))
    session.info[_PENDING] = (ids, fresh, tally(_claims_of(session, ids)))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    ids, fresh, before = pending
    ids = ids | {profile.id for profile in fresh if profile.id is not None}
    _store(session, tally(_claims_of(session, ids)).minus(before))


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: sa.orm.ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in SOURCE_TABLES:
            state.session.info[_STALE] = True


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    session.flush()  # its listeners may mark the counts stale
    if session.info.get(_STALE) and _has_tables(session):
        rebuild_supply_counts(session)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction is over: committed, or its writes undone
        session.info.pop(_STALE, None)
        session.info.pop(_PENDING, None)


def _as_of(session: Session, now: datetime) -> Tally:
    """What to add to the stored counts at `now`: the people with a claim past its validUntil count less."""
    # Only badge claims have a validUntil. The earliest one comes straight off the index whatever the
    # planner knows of the table; most of the time it is still ahead and there is nothing to correct.
    earliest = session.scalar(sa.select(sa.func.min(ProfileSkill.valid_until)))
    if earliest is None or earliest > now:
        return Tally()
    # No DISTINCT: SQLite would then walk the (profile, skill, source) index rather than seek the few rows.
    expired = set(
        session.scalars(
            sa.select(ProfileSkill.profile_id).where(
                ProfileSkill.source == SkillSource.BADGE, ProfileSkill.valid_until <= now
            )
        )
    )
    if not expired:
        return Tally()
    rows = _claims_of(session, expired)
    return tally(rows, now).minus(tally(rows))


def _fresh(session: Session) -> None:
    session.flush()
    if session.info.get(_STALE):
        rebuild_supply_counts(session)


def cells_at(session: Session, now: datetime) -> dict[CellKey, tuple[int, int]]:
    """(subprefecture id, skill, level) -> (people, verified people) counted at `now`; empty cells left out."""
    _fresh(session)
    change = _as_of(session, now)
    found = {}
    cells = SupplyCell.__table__.c  # core columns: thousands of rows, without the ORM's per-row work
    for sub, code, level, people, verified in session.execute(
        sa.select(cells.subprefecture_id, cells.skill_code, cells.level, cells.people, cells.verified_people)
    ):
        found[(sub, code, level)] = (people, verified)
    for key in change.cells.keys() | change.verified_cells.keys():
        people, verified = found.get(key, (0, 0))
        found[key] = (people + change.cells[key], verified + change.verified_cells[key])
    return {key: counts for key, counts in found.items() if counts[0] > 0}


def groups_at(session: Session, now: datetime, group: str | None = None) -> dict[GroupKey, tuple[int, int]]:
    """(subprefecture id, category group or ANY_SKILL) -> (people, verified people) counted at `now`, of
    `group` only when given; empty ones left out."""
    _fresh(session)
    change = _as_of(session, now)
    statement = sa.select(SupplyGroup.subprefecture_id, SupplyGroup.category_group, SupplyGroup.people,
                          SupplyGroup.verified_people)  # fmt: skip
    if group is not None:
        statement = statement.where(SupplyGroup.category_group == group)
    found = {(sub, name): (people, verified) for sub, name, people, verified in session.execute(statement)}
    for key in change.groups.keys() | change.verified_groups.keys():
        if group is None or key[1] == group:
            people, verified = found.get(key, (0, 0))
            found[key] = (people + change.groups[key], verified + change.verified_groups[key])
    return {key: counts for key, counts in found.items() if counts[0] > 0}
