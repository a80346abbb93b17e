"""Feasibility before score: the rules that make a (need, person) pair impossible, whatever its score.

Every rule is vectorised over numpy arrays (one side a scalar, the other an array, in either
direction) and gives one bit; a pair is feasible when no bit is set. ``CODES`` is also the
priority order: when several rules fail, the first is *the* reason shown. A *near miss* is a pair
that fails exactly one rule other than ``not_open`` (people who are not open to offers are never
shown to hosts, not even apart).

- ``not_open``: the person is not open to offers.
- ``students_only``: a students-only project, and the person has not said they study.
- ``no_onsite``: the work needs on-site days (on-site, or hybrid with on-site days) and the person
  does no on-site work.
- ``place_unknown`` (this and the next two are said only of people who do on-site work, so a
  remote-only person has the one reason ``no_onsite``): on-site days are needed and the
  distance cannot be known (no home place, or no project place).
- ``beyond_travel``: the distance (great-circle km) is above the person's travel limit.
- ``onsite_days``: the project's on-site days per month are above the person's.
- ``short_hours``: the person gives less than ``MIN_HOURS_SHARE`` of the project's hours per week
  (unknown hours, 0, are not held against them).
- ``late_start``: the person's earliest start is more than the project's slack after its start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.model import Reason

CODES: tuple[str, ...] = (
    "not_open",
    "students_only",
    "no_onsite",
    "place_unknown",
    "beyond_travel",
    "onsite_days",
    "short_hours",
    "late_start",
)
BIT: dict[str, int] = {code: 1 << i for i, code in enumerate(CODES)}
NEVER_SHOWN = BIT["not_open"]
MIN_HOURS_SHARE = 0.3
# The start slack of a project that does not say (days the person may start after the project).
DEFAULT_START_SLACK_DAYS = 30
# bits → index of the first set bit (the reason shown), and the number of bits set.
_FIRST = np.array([(b & -b).bit_length() - 1 if b else -1 for b in range(256)], np.int8)
_COUNT = np.array([bin(b).count("1") for b in range(256)], np.uint8)

Array = npt.NDArray[np.generic]


@dataclass(frozen=True)
class PairFacts:
    """The values feasibility reads, scalars or arrays (broadcast together).

    ``needs_onsite``: the work needs on-site days. ``person_onsite``: the person does on-site work.
    ``distance_km``: NaN when unknown. ``need_days`` / ``person_days``: on-site days per month,
    ``inf`` when not stated (no limit / unknown). ``days_late``: the person's start minus the
    project's (days, ≤ 0 when on time).
    """

    is_open: npt.ArrayLike
    students_only: npt.ArrayLike
    is_student: npt.ArrayLike
    needs_onsite: npt.ArrayLike
    person_onsite: npt.ArrayLike
    distance_km: npt.ArrayLike
    travel_km: npt.ArrayLike
    need_days: npt.ArrayLike
    person_days: npt.ArrayLike
    hours: npt.ArrayLike
    need_hours: npt.ArrayLike
    days_late: npt.ArrayLike
    slack_days: npt.ArrayLike


def blockers(f: PairFacts) -> npt.NDArray[np.uint8]:
    """The bitmask of failing rules per pair (0 = feasible); see ``CODES``."""
    needs = np.asarray(f.needs_onsite, np.bool_)
    does = np.asarray(f.person_onsite, np.bool_)
    onsite = needs & does  # the place rules are said only of people who work on site at all
    dist = np.asarray(f.distance_km, np.float32)
    with np.errstate(invalid="ignore"):
        parts = (
            ~np.asarray(f.is_open, np.bool_),
            np.asarray(f.students_only, np.bool_) & ~np.asarray(f.is_student, np.bool_),
            needs & ~does,
            onsite & np.isnan(dist),
            onsite & (dist > np.asarray(f.travel_km, np.float32)),
            onsite & (np.asarray(f.need_days, np.float32) > np.asarray(f.person_days, np.float32)),
            (np.asarray(f.hours, np.float32) > 0)
            & (np.asarray(f.hours, np.float32) < np.float32(MIN_HOURS_SHARE) * np.asarray(f.need_hours, np.float32)),
            np.asarray(f.days_late) > np.asarray(f.slack_days),
        )
    shape = np.broadcast_shapes(*(np.shape(p) for p in parts))
    bits = np.zeros(shape, np.uint8)
    for i, failing in enumerate(parts):
        bits |= np.left_shift(np.asarray(failing, np.uint8), i)
    return bits


def first_code(bits: int) -> str | None:
    """The reason shown for a bitmask: the first failing rule in ``CODES`` order (None = feasible)."""
    i = int(_FIRST[bits & 0xFF])
    return None if i < 0 else CODES[i]


def is_near_miss(bits: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Pairs stopped by exactly one rule, ``not_open`` excepted."""
    return (_COUNT[bits] == 1) & ((bits & NEVER_SHOWN) == 0)


def blocker_reason(
    code: str,
    *,
    distance_km: float | None,
    travel_km: float,
    need_days: int | None,
    person_days: float | None,
    hours: float,
    need_hours: float,
    days_late: int,
    slack_days: int,
) -> Reason:
    """The reason for one failing rule: ``beyond_travel`` carries ``km`` and ``limit_km``,
    ``onsite_days`` ``days`` and ``limit_days``, ``short_hours`` ``hours`` and ``needed``,
    ``late_start`` ``days_late`` and ``slack_days``; the others carry no numbers."""
    numbers: dict[str, float] = {}
    if code == "beyond_travel" and distance_km is not None:
        numbers = {"km": round(distance_km, 1), "limit_km": travel_km}
    elif code == "onsite_days" and need_days is not None and person_days is not None and math.isfinite(person_days):
        numbers = {"days": float(need_days), "limit_days": person_days}
    elif code == "short_hours":
        numbers = {"hours": hours, "needed": need_hours}
    elif code == "late_start":
        numbers = {"days_late": float(days_late), "slack_days": float(slack_days)}
    return Reason(code, numbers=numbers)
