"""Learning opportunities as the engine sees them (学びの場, #15), and their index: the skills each
teaches as a column-sorted slot table against the need index's skill columns, with where, when, what
it costs and who may attend as arrays. Read by the skill-gap paths (`gaps`) and by who would qualify
after learning (`after_learning`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.scoring import FloatArray


@dataclass(frozen=True)
class Opportunity:
    """A learning opportunity as the engine sees it.

    ``teaches`` maps DSS skill codes to the level a learner reaches (1–4). ``online`` is true for
    formats one can follow from anywhere; otherwise ``lat``/``lng`` is where it takes place.
    ``for_students`` is True (students only), False (working adults only) or None (anyone).
    ``start`` is its first day, None when always open.
    """

    id: int
    teaches: Mapping[str, int]
    online: bool = True
    lat: float | None = None
    lng: float | None = None
    cost_yen: int = 0
    start: dt.date | None = None
    for_students: bool | None = None


ELIGIBILITY_CODE = {None: 0, True: 1, False: 2}  # anyone, students only, working adults only


@dataclass(frozen=True)
class OpportunityIndex:
    """Opportunities as arrays; slots (opportunity, skill, level) sorted by skill column."""

    opportunities: tuple[Opportunity, ...]
    ids: npt.NDArray[np.int64]
    col_ptr: npt.NDArray[np.intp]  # slots of column c: col_ptr[c]:col_ptr[c + 1]
    slot_opp: npt.NDArray[np.intp]
    slot_level: npt.NDArray[np.int8]
    online: npt.NDArray[np.bool_]
    lat: FloatArray  # radians, NaN when online
    lng: FloatArray
    cost: FloatArray
    start_day: npt.NDArray[np.int64]  # ordinal, 0 = always open
    eligibility: npt.NDArray[np.int8]  # 0 anyone, 1 students only, 2 working adults only


def build_opportunity_index(opportunities: Sequence[Opportunity], skill_columns: Mapping[str, int]) -> OpportunityIndex:
    """Index opportunities against the need index's skill columns (unknown codes are dropped)."""
    slots = [
        (skill_columns[code], row, max(1, min(level, 4)))
        for row, o in enumerate(opportunities)
        for code, level in o.teaches.items()
        if code in skill_columns
    ]
    slots.sort()
    cols = np.array([s[0] for s in slots], np.intp)
    nan = float("nan")
    return OpportunityIndex(
        opportunities=tuple(opportunities),
        ids=np.array([o.id for o in opportunities], np.int64),
        col_ptr=np.searchsorted(cols, np.arange(len(skill_columns) + 2)).astype(np.intp),
        slot_opp=np.array([s[1] for s in slots], np.intp),
        slot_level=np.array([s[2] for s in slots], np.int8),
        online=np.array([o.online for o in opportunities], np.bool_),
        lat=np.radians(np.array([nan if o.online or o.lat is None else o.lat for o in opportunities], np.float32)),
        lng=np.radians(np.array([nan if o.online or o.lng is None else o.lng for o in opportunities], np.float32)),
        cost=np.array([max(o.cost_yen, 0) for o in opportunities], np.float32),
        start_day=np.array([o.start.toordinal() if o.start else 0 for o in opportunities], np.int64),
        eligibility=np.array([ELIGIBILITY_CODE[o.for_students] for o in opportunities], np.int8),
    )
