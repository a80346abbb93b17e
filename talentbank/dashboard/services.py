"""Supply of digital talent vs demand from open projects, per subprefecture and DSS skill category.

Supply counts people the open-data statistics count (`is_counted_for_aggregation`), each person
once per aggregate; verified supply counts those of them with at least one skill of the aggregate
verified by a badge or a completed project. Demand counts what open projects need, in the same unit
as supply (people): the seats of the open projects asking for at least one skill of the category,
each project's seats once per aggregate however many of its needs fall in it. The gap is demand
minus supply, seats minus people; above zero means more seats to fill than people who could fill
them (a shortage). The number of projects is shown beside it.

Learning capacity (学びの場) counts the learning opportunities one can still enrol in that teach a
skill of the aggregate, held in the subprefecture or online (online ones serve every subprefecture),
each once per aggregate, and their seats (those without a limit are flagged, not summed). A needed
skill with no learning near is one that open projects in a subprefecture ask for and that no such
opportunity teaches there or online, at any level.

Disclosure control for the public follows the open data's rule (`opendata.definitions`): the
finest published cell is skill x level x subprefecture and cells of 1..MIN_CELL-1 people are
withheld. A dashboard figure is an aggregate of such cells, so it is shown to the public only when
every cell it is built from is itself published (0 or at least MIN_CELL people); otherwise the figure
could be compared with the open data to recover a withheld cell. That also means no figure here is
ever below MIN_CELL unless it is 0, and gaps are withheld with the supply they are computed from.
Demand is about projects, never people, and is always shown. Prefecture staff and site admins see
exact figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.credentials.achievements import add_months
from talentbank.dashboard.supply import Counted, people_by_region, people_by_region_and_category
from talentbank.db import utcnow
from talentbank.learning.capacity import taught_on_offer
from talentbank.models import Skill, Subprefecture
from talentbank.models.supply import skill_group
from talentbank.opendata.definitions import MIN_CELL
from talentbank.opendata.disclosure import published_cells, suppress_cell
from talentbank.projects.demand import open_needs
from talentbank.security import can

PERIODS = {"3": 3, "6": 6, "12": 12, "all": None}  # months back to when an open project was (last) opened
DEFAULT_PERIOD = "all"
NOBODY = Counted(0, 0)


@dataclass(frozen=True)
class Category:
    """A DSS skill category; `key` is its place in skill order (1-based), used in links."""

    key: str
    name_ja: str
    name_en: str


@dataclass(frozen=True)
class Region:
    """A subprefecture; `slug` is its code in links and on the map."""

    slug: str
    name_ja: str
    name_en: str


@dataclass(frozen=True)
class Figures:
    """Supply, demand and gap of one aggregate; None where a value is withheld from this viewer."""

    people: int | None
    verified_people: int | None
    projects: int  # open projects asking for the aggregate's skills
    seats: int  # their seats: the demand
    gap: int | None  # seats - people
    learning_courses: int = 0  # learning opportunities teaching the aggregate's skills, there or online
    learning_seats: int = 0  # their limited seats
    learning_unlimited: bool = False  # one of them has no limit

    @property
    def is_withheld(self) -> bool:
        return self.people is None


@dataclass(frozen=True)
class UnmetNeed:
    """A skill open projects in a subprefecture ask for that no learning there or online teaches."""

    region: Region
    skill: Skill
    projects: int
    seats: int


@dataclass(frozen=True)
class Dashboard:
    is_staff: bool
    categories: list[Category]
    regions: list[Region]
    category: Category | None  # the filter, when one is chosen
    region: Region | None
    period: str
    by_region: list[tuple[Region, Figures]]  # within the chosen category, if any
    by_category: list[tuple[Category, Figures]]  # within the chosen subprefecture, or all of Hokkaido
    grid: list[tuple[Region, list[Figures]]]  # subprefecture rows x category columns (chosen ones only)
    unmet: list[UnmetNeed]  # most seats first (chosen category and subprefecture only)


def summarise_supply_demand(
    session: Session,
    actor: object,
    *,
    category: str | None = None,
    subprefecture: str | None = None,
    period: str | None = None,
    now: datetime | None = None,
) -> Dashboard:
    """The dashboard's figures for `actor`. Unknown filter values are ignored (treated as "all")."""
    now = now or utcnow()
    is_staff = can(actor, "view_staff_statistics")
    skills = list(session.scalars(sa.select(Skill).order_by(Skill.position)))
    categories, category_of, group_key = _categories(skills)
    regions, region_of = _regions(session)
    chosen_category = next((c for c in categories if c.key == category), None)
    chosen_region = next((r for r in regions if r.slug == subprefecture), None)
    period = period if period in PERIODS else DEFAULT_PERIOD
    since = add_months(now, -PERIODS[period]) if PERIODS[period] else None

    keys = [c.key for c in categories]
    # People are counted by the database, per subprefecture x category (a person lives in one
    # subprefecture, so sums over subprefectures count each once) and per subprefecture for the
    # chosen category or any; the public's withheld figures follow the open data's cells.
    people = {(sub, group_key[group]): n for (sub, group), n in people_by_region_and_category(session, now).items()}
    chosen_group = next((g for g, k in group_key.items() if chosen_category and k == chosen_category.key), None)
    people_in_region = people_by_region(session, now, chosen_group)
    withheld = {} if is_staff else _withheld(published_cells(session, now), category_of)
    demand = open_needs(session, since)
    learning = taught_on_offer(session, now.date())
    seats_in: dict[tuple[int, str], dict[int, int]] = {}
    for project, n, code, sub in demand:
        seats_in.setdefault((sub, category_of[code].key), {})[project] = n
    courses_in: dict[tuple[int | None, str], dict[int, int | None]] = {}
    for opportunity, capacity, code, sub in learning:
        courses_in.setdefault((sub, category_of[code].key), {})[opportunity] = capacity

    def figures(subs: list[int], in_keys: list[str], counted: Counted) -> Figures:
        cells = [(sub, key) for sub in subs for key in in_keys]
        seats = {p: n for cell in cells for p, n in seats_in.get(cell, {}).items()}
        courses = {
            o: cap for sub in [*subs, None] for key in in_keys for o, cap in courses_in.get((sub, key), {}).items()
        }
        hidden = [withheld.get(cell, (False, False)) for cell in cells]
        found = _figures(counted, any(h[0] for h in hidden), any(h[1] for h in hidden), len(seats),
                         sum(seats.values()), is_staff=is_staff)  # fmt: skip
        return replace(found, learning_courses=len(courses), learning_seats=sum(c for c in courses.values() if c),
                       learning_unlimited=any(c is None for c in courses.values()))  # fmt: skip

    def one_category(key: str) -> Callable[[str], bool]:
        return lambda k: k == key

    def one_region(region_id: int) -> Callable[[int], bool]:
        return lambda s: s == region_id

    def total(subs: list[int], key: str) -> Counted:
        found = [people.get((sub, key), NOBODY) for sub in subs]
        return Counted(sum(c.people for c in found), sum(c.verified for c in found))

    any_category = one_category(chosen_category.key) if chosen_category else (lambda k: True)
    any_region = one_region(region_of[chosen_region.slug]) if chosen_region else (lambda s: True)
    shown_regions = [chosen_region] if chosen_region else regions
    shown_categories = [chosen_category] if chosen_category else categories
    region_ids = [region_of[r.slug] for r in shown_regions]
    category_keys = [chosen_category.key] if chosen_category else keys
    return Dashboard(
        is_staff=is_staff,
        categories=categories,
        regions=regions,
        category=chosen_category,
        region=chosen_region,
        period=period,
        by_region=[
            (r, figures([region_of[r.slug]], category_keys, people_in_region.get(region_of[r.slug], NOBODY)))
            for r in shown_regions
        ],
        by_category=[(c, figures(region_ids, [c.key], total(region_ids, c.key))) for c in shown_categories],
        grid=[
            (
                r,
                [
                    figures([region_of[r.slug]], [c.key], people.get((region_of[r.slug], c.key), NOBODY))
                    for c in shown_categories
                ],
            )
            for r in shown_regions
        ],
        unmet=_unmet(demand, learning, skills, regions, region_of, any_category, any_region, category_of),
    )


def _unmet(demand, learning, skills, regions, region_of, in_category, in_region, category_of) -> list[UnmetNeed]:
    online = {code for _o, _cap, code, sub in learning if sub is None}
    placed = {(code, sub) for _o, _cap, code, sub in learning if sub is not None}
    region_by_id = {region_of[r.slug]: r for r in regions}
    skill_of = {s.code: s for s in skills}
    wanted: dict[tuple[int, str], dict[int, int]] = {}
    for project, seats, code, sub in demand:
        if in_category(category_of[code].key) and in_region(sub) and code not in online and (code, sub) not in placed:
            wanted.setdefault((sub, code), {})[project] = seats
    unmet = [UnmetNeed(region_by_id[sub], skill_of[code], len(projects), sum(projects.values()))
             for (sub, code), projects in wanted.items()]  # fmt: skip
    return sorted(unmet, key=lambda u: (-u.seats, u.region.slug, u.skill.position))


def _categories(skills: list[Skill]) -> tuple[list[Category], dict[str, Category], dict[str, str]]:
    """The categories in skill order, each skill's category, and each group's key (see `supply.skill_group`)."""
    categories: dict[str, Category] = {}
    category_of: dict[str, Category] = {}
    for skill in skills:
        group = skill_group(skill.category_no, skill.category_ja)
        if group not in categories:
            categories[group] = Category(str(len(categories) + 1), skill.category_ja, skill.category_en)
        category_of[skill.code] = categories[group]
    return list(categories.values()), category_of, {group: c.key for group, c in categories.items()}


def _withheld(cells: dict[tuple[str, int, int], dict], category_of: dict[str, Category]) -> dict:
    """(subprefecture id, category key) -> (a cell in it is withheld, a verified count in it is withheld)."""
    found: dict[tuple[int, str], tuple[bool, bool]] = {}
    for (code, _level, sub), cell in cells.items():
        key = (sub, category_of[code].key)
        hidden, hidden_verified = found.get(key, (False, False))
        found[key] = (hidden or cell["suppressed"], hidden_verified or cell["verified_suppressed"])
    return found


def _regions(session: Session) -> tuple[list[Region], dict[str, int]]:
    rows = list(session.scalars(sa.select(Subprefecture).order_by(Subprefecture.position)))
    return [Region(s.slug, s.name_ja, s.name_en) for s in rows], {s.slug: s.id for s in rows}


def _figures(
    counted: Counted, is_withheld: bool, is_verified_withheld: bool, projects: int, seats: int, *, is_staff: bool
) -> Figures:
    people, verified = counted.people, counted.verified
    if is_staff:
        return Figures(people, verified, projects, seats, seats - people)
    if is_withheld:
        return Figures(None, None, projects, seats, None)
    # Every cell it is built from is published, so `people` is 0 or at least MIN_CELL.
    published = suppress_cell(people, verified) if people >= MIN_CELL else {"verified_people": 0}
    verified_people = None if is_verified_withheld else published["verified_people"]
    return Figures(people, verified_people, projects, seats, seats - people)
