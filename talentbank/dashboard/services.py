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
from talentbank.db import utcnow
from talentbank.learning.capacity import taught_on_offer
from talentbank.models import (
    Skill,
    Subprefecture,
)
from talentbank.opendata.definitions import MIN_CELL
from talentbank.opendata.disclosure import Claim, counted_claims, supply_cells, suppress_cell
from talentbank.projects.demand import open_needs
from talentbank.security import can

PERIODS = {"3": 3, "6": 6, "12": 12, "all": None}  # months back to when an open project was (last) opened
DEFAULT_PERIOD = "all"


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
    categories, category_of = _categories(skills)
    regions, region_of = _regions(session)
    chosen_category = next((c for c in categories if c.key == category), None)
    chosen_region = next((r for r in regions if r.slug == subprefecture), None)
    period = period if period in PERIODS else DEFAULT_PERIOD
    since = add_months(now, -PERIODS[period]) if PERIODS[period] else None

    claims = counted_claims(session)
    cells = supply_cells(claims)
    demand = open_needs(session, since)
    learning = taught_on_offer(session, now.date())

    def figures(in_category: Callable[[str], bool], in_region: Callable[[int], bool]) -> Figures:
        matching = [c for c in claims if in_category(category_of[c.skill_code].key) and in_region(c.subprefecture_id)]
        seats = {p: n for p, n, code, sub in demand if in_category(category_of[code].key) and in_region(sub)}
        found = _figures(matching, cells, len(seats), sum(seats.values()), is_staff=is_staff)
        courses = {o: cap for o, cap, code, sub in learning
                   if in_category(category_of[code].key) and (sub is None or in_region(sub))}  # fmt: skip
        return replace(found, learning_courses=len(courses), learning_seats=sum(c for c in courses.values() if c),
                       learning_unlimited=any(c is None for c in courses.values()))  # fmt: skip

    def one_category(key: str) -> Callable[[str], bool]:
        return lambda k: k == key

    def one_region(region_id: int) -> Callable[[int], bool]:
        return lambda s: s == region_id

    any_category = one_category(chosen_category.key) if chosen_category else (lambda k: True)
    any_region = one_region(region_of[chosen_region.slug]) if chosen_region else (lambda s: True)
    shown_regions = [chosen_region] if chosen_region else regions
    shown_categories = [chosen_category] if chosen_category else categories
    return Dashboard(
        is_staff=is_staff,
        categories=categories,
        regions=regions,
        category=chosen_category,
        region=chosen_region,
        period=period,
        by_region=[(r, figures(any_category, one_region(region_of[r.slug]))) for r in shown_regions],
        by_category=[(c, figures(one_category(c.key), any_region)) for c in shown_categories],
        grid=[
            (r, [figures(one_category(c.key), one_region(region_of[r.slug])) for c in shown_categories])
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


def _categories(skills: list[Skill]) -> tuple[list[Category], dict[str, Category]]:
    # DSS-P numbers its categories; DSS-L does not. Versions renamed some, so the number groups them.
    categories: dict[str, Category] = {}
    category_of: dict[str, Category] = {}
    for skill in skills:
        group = f"no:{skill.category_no}" if skill.category_no else f"ja:{skill.category_ja}"
        if group not in categories:
            categories[group] = Category(str(len(categories) + 1), skill.category_ja, skill.category_en)
        category_of[skill.code] = categories[group]
    return list(categories.values()), category_of


def _regions(session: Session) -> tuple[list[Region], dict[str, int]]:
    rows = list(session.scalars(sa.select(Subprefecture).order_by(Subprefecture.position)))
    return [Region(s.slug, s.name_ja, s.name_en) for s in rows], {s.slug: s.id for s in rows}


def _figures(claims: list[Claim], cells: dict, projects: int, seats: int, *, is_staff: bool) -> Figures:
    people = len({c.profile_id for c in claims})
    verified = len({c.profile_id for c in claims if c.is_verified})
    if is_staff:
        return Figures(people, verified, projects, seats, seats - people)
    built_from = [cells[(c.skill_code, c.level, c.subprefecture_id)] for c in claims]
    if any(cell["suppressed"] for cell in built_from):
        return Figures(None, None, projects, seats, None)
    # Every cell it is built from is published, so `people` is 0 or at least MIN_CELL.
    published = suppress_cell(people, verified) if people >= MIN_CELL else {"verified_people": 0}
    hide_verified = any(cell["verified_suppressed"] for cell in built_from)
    verified_people = None if hide_verified else published["verified_people"]
    return Figures(people, verified_people, projects, seats, seats - people)
