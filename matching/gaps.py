"""Skill-gap paths (学びの場, #15): the open projects a person nearly matches and, for each skill they
miss, the learning opportunities that close the gap, best first, with reasons.

A project is *nearly* matched when the person could take it on (work mode, distance for on-site
work, hours) but misses one or two of its must-have skills, or holds one below the level it asks.
The skills and levels are read exactly as the project ranking reads them (``scoring.skill_credit``
over the same need index). An opportunity closes a gap when it teaches the skill to at least the
required level and the person can attend it (online, or within their travel distance; students-only
or working-adults-only as they are). It ranks by how much of the gap it closes — projects it would
make the person fully qualified for, then projects where it closes one of two gaps — then format
fit, cost, start date and distance.

Opportunities are indexed once with :func:`build_opportunity_index` (a column-sorted slot table);
one person's paths are a few vector operations and one sparse product.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching import scoring
from matching.model import WORK_MODES, Candidate, Reason
from matching.needs import NeedIndex, skill_vectors
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


@dataclass(frozen=True)
class Gap:
    """A must-have skill a nearly matched project asks for: the level it needs, the person's (0 = none)."""

    skill: str
    required: int
    have: int


@dataclass(frozen=True)
class NearProject:
    """An open project the person could take on but for one or two skills."""

    need_id: int
    coverage: float  # the ranking's must-have component: mean of min(level / required, 1)
    gaps: tuple[Gap, ...]


@dataclass(frozen=True)
class LearningStep:
    """One opportunity on a path, with the projects it would qualify the person for (``unlocks``)
    and those where it closes one gap of two (``closes``), and its reasons."""

    opportunity_id: int
    score: float
    level: int  # the level it teaches in the path's skill
    unlocks: tuple[int, ...]
    closes: tuple[int, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class GapPath:
    """A skill the person misses for some nearly matched projects, and the learning that closes it."""

    skill: str
    required: int  # the highest level those projects ask
    need_ids: tuple[int, ...]
    steps: tuple[LearningStep, ...]


@dataclass(frozen=True)
class GapPaths:
    near: tuple[NearProject, ...]
    paths: tuple[GapPath, ...]


@dataclass(frozen=True)
class StepWeights:
    """How opportunities on a path are ordered: the weighted sum of their fits (each 0–1)."""

    gap: float = 0.6  # projects unlocked (1 each) and half-closed (0.5 each), over all nearly matched
    format: float = 0.15  # online 1; on site 1 - (d / travel)² (a third of that for remote-only people)
    cost: float = 0.1  # free 1, then 1 / (1 + yen / 20,000)
    start: float = 0.1  # open now or within a week 1, falling to 0 at 120 days
    distance: float = 0.05  # online 1, else the same decay as format
    max_missing: int = 2
    steps_per_path: int = 5


DEFAULT_STEP_WEIGHTS = StepWeights()


def gap_paths(
    candidate: Candidate,
    needs: NeedIndex,
    opportunities: OpportunityIndex,
    *,
    today: dt.date,
    is_student: bool = False,
    exclude: Collection[int] = (),
    weights: StepWeights = DEFAULT_STEP_WEIGHTS,
) -> GapPaths:
    """The person's nearly matched projects (fewest gaps first, then best covered) and one path per
    missing skill (the skill most of those projects miss first). ``exclude``: need ids to leave out
    (projects they already applied to)."""
    ix = needs
    levels, _sources = skill_vectors(candidate, ix)
    have = levels[ix.slot_col]
    short = ix.slot_is_must & (have < ix.slot_required)
    m = len(ix.needs)
    n_short = np.bincount(ix.slot_need, weights=short, minlength=m)
    near = _feasible(candidate, ix, exclude) & (n_short >= 1) & (n_short <= weights.max_missing)
    if not near.any():
        return GapPaths((), ())
    credit = scoring.skill_credit(have, ix.slot_required) * ix.slot_is_must
    coverage = scoring.coverage(np.bincount(ix.slot_need, weights=credit, minlength=m), ix.n_must)
    gap_slots = np.flatnonzero(short & near[ix.slot_need])
    gap_need = ix.slot_need[gap_slots]
    gap_col = ix.slot_col[gap_slots]
    gap_req = ix.slot_required[gap_slots].astype(np.int8)
    near_rows = np.flatnonzero(near)
    codes = _codes(ix)
    near_projects = _near_projects(ix, near_rows, coverage, n_short, gap_need, gap_col, gap_req, have[gap_slots], codes)

    attend, fit, dist = _attendance(candidate, opportunities, is_student, today)
    closes = _closing_matrix(opportunities, gap_col, gap_req, attend)  # gaps × opportunities
    # Per (near project, opportunity): how many of the project's gaps the opportunity closes.
    row_of_need = np.full(m, -1, np.intp)
    row_of_need[near_rows] = np.arange(len(near_rows))
    need_gap = sp.csr_matrix(
        (np.ones(len(gap_need), np.float32), (row_of_need[gap_need], np.arange(len(gap_need)))),
        shape=(len(near_rows), len(gap_need)),
    )
    closed = (need_gap @ closes).tocsc()  # near projects × opportunities
    closed.sort_indices()
    gaps_of_row = n_short[near_rows]
    paths = _paths(
        ix, opportunities, near_rows, closed, gaps_of_row, gap_need, gap_col, gap_req, closes, fit, dist,
        codes, candidate, today, weights,
    )  # fmt: skip
    return GapPaths(near_projects, paths)


def _codes(ix: NeedIndex) -> list[str]:
    codes = [""] * (len(ix.skill_columns) + 1)
    for code, col in ix.skill_columns.items():
        codes[col] = code
    return codes


def _feasible(candidate: Candidate, ix: NeedIndex, exclude: Collection[int]) -> npt.NDArray[np.bool_]:
    """Projects the person could take on, skills aside: a work mode they accept, on-site ones within
    their travel distance, and no more hours than they give (when they say)."""
    modes = np.array([mode in candidate.work_modes for mode in WORK_MODES], np.bool_)
    keep = modes[ix.work_mode]
    if candidate.lat is not None and candidate.lng is not None:
        dist = scoring.haversine_km_rad(np.radians(candidate.lat), np.radians(candidate.lng), ix.lat, ix.lng)
        keep &= ix.is_remote | (dist <= candidate.travel_km)
    else:
        keep &= ix.is_remote
    if candidate.hours_per_week > 0:
        keep &= ix.hours <= candidate.hours_per_week
    if exclude:
        keep &= ~np.isin(ix.need_ids, np.fromiter(exclude, np.int64, len(exclude)))
    return keep


def _near_projects(
    ix: NeedIndex,
    near_rows: npt.NDArray[np.intp],
    coverage: FloatArray,
    n_short: FloatArray,
    gap_need: npt.NDArray[np.intp],
    gap_col: npt.NDArray[np.intp],
    gap_req: npt.NDArray[np.int8],
    gap_have: FloatArray,
    codes: list[str],
) -> tuple[NearProject, ...]:
    order = near_rows[np.lexsort((ix.need_ids[near_rows], -coverage[near_rows], n_short[near_rows]))]
    gaps: dict[int, list[Gap]] = {}
    for need, col, req, had in zip(gap_need.tolist(), gap_col.tolist(), gap_req.tolist(), gap_have.tolist(),
                                   strict=True):  # fmt: skip
        gaps.setdefault(need, []).append(Gap(codes[col], req, int(had)))
    return tuple(
        NearProject(int(ix.need_ids[row]), round(float(coverage[row]), 4), tuple(gaps[row])) for row in order.tolist()
    )


def _attendance(
    candidate: Candidate, ox: OpportunityIndex, is_student: bool, today: dt.date
) -> tuple[npt.NDArray[np.bool_], FloatArray, FloatArray]:
    """Which opportunities the person can attend, their format fit and distance (NaN when online)."""
    if candidate.lat is not None and candidate.lng is not None:
        dist = scoring.haversine_km_rad(np.radians(candidate.lat), np.radians(candidate.lng), ox.lat, ox.lng)
    else:
        dist = np.full(len(ox.ids), np.nan, np.float32)
    decay = scoring.distance_decay(dist, candidate.travel_km)
    within = ~np.isnan(dist) & (dist <= candidate.travel_km)
    eligible = (ox.eligibility == 0) | (ox.eligibility == ELIGIBILITY_CODE[is_student])
    attend = (ox.online | within) & eligible
    remote_only = set(candidate.work_modes) == {"remote"}
    fit = np.where(ox.online, 1.0, decay * (1.0 / 3.0 if remote_only else 1.0)).astype(np.float32)
    return attend, fit, dist


def _closing_matrix(
    ox: OpportunityIndex, gap_col: npt.NDArray[np.intp], gap_req: npt.NDArray[np.int8], attend: npt.NDArray[np.bool_]
) -> sp.csr_matrix:
    """gaps × opportunities, 1 where the opportunity teaches the gap's skill to its level and the
    person can attend it. Gaps sharing a (skill, level) share one slice of the slot table."""
    rows: list[npt.NDArray[np.intp]] = []
    cols: list[npt.NDArray[np.intp]] = []
    key = gap_col.astype(np.int64) * 8 + gap_req
    order = np.argsort(key, kind="stable")
    bounds = np.flatnonzero(np.diff(key[order])) + 1
    for group in np.split(order, bounds):
        if len(group) == 0:
            continue
        col, req = int(gap_col[group[0]]), int(gap_req[group[0]])
        lo, hi = ox.col_ptr[col], ox.col_ptr[col + 1]
        opps = ox.slot_opp[lo:hi][ox.slot_level[lo:hi] >= req]
        opps = opps[attend[opps]]
        if len(opps):
            rows.append(np.repeat(group, len(opps)))
            cols.append(np.tile(opps, len(group)))
    shape = (len(gap_col), len(ox.ids))
    if not rows:
        return sp.csr_matrix(shape, dtype=np.float32)
    r, c = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=shape)


def _paths(
    ix: NeedIndex,
    ox: OpportunityIndex,
    near_rows: npt.NDArray[np.intp],
    closed: sp.csc_matrix,
    gaps_of_row: FloatArray,
    gap_need: npt.NDArray[np.intp],
    gap_col: npt.NDArray[np.intp],
    gap_req: npt.NDArray[np.int8],
    closes: sp.csr_matrix,
    fit: FloatArray,
    dist: FloatArray,
    codes: list[str],
    candidate: Candidate,
    today: dt.date,
    weights: StepWeights,
) -> tuple[GapPath, ...]:
    # Per opportunity: projects it unlocks (closes every gap) and half-closes.
    col_of_entry = np.repeat(np.arange(closed.shape[1]), np.diff(closed.indptr))
    full = closed.data >= gaps_of_row[closed.indices]
    unlocks = np.bincount(col_of_entry[full], minlength=closed.shape[1]).astype(np.float32)
    partial = np.bincount(col_of_entry[~full], minlength=closed.shape[1]).astype(np.float32)
    gap_fit = np.minimum((unlocks + 0.5 * partial) / max(len(near_rows), 1), 1.0)
    cost_fit = 1.0 / (1.0 + ox.cost / 20_000.0)
    days = np.where(ox.start_day > 0, ox.start_day - today.toordinal(), 0)
    start_fit = np.clip(1.0 - (days - 7) / 113.0, 0.0, 1.0)
    distance_fit = np.where(ox.online, 1.0, scoring.distance_decay(dist, candidate.travel_km))
    score = (weights.gap * gap_fit + weights.format * fit + weights.cost * cost_fit + weights.start * start_fit
             + weights.distance * distance_fit).astype(np.float32)  # fmt: skip
    need_id_of_row = ix.need_ids[near_rows]
    row_of_need = {int(r): i for i, r in enumerate(near_rows.tolist())}
    paths: list[GapPath] = []
    for col in np.unique(gap_col).tolist():
        gaps = np.flatnonzero(gap_col == col)
        need_ids = tuple(sorted(int(ix.need_ids[n]) for n in gap_need[gaps].tolist()))
        opps = np.unique(closes[gaps].indices)
        best = opps[np.lexsort((ox.ids[opps], -score[opps]))][: weights.steps_per_path]
        steps = []
        for opp in best.tolist():
            lo, hi = closed.indptr[opp], closed.indptr[opp + 1]
            rows, counts = closed.indices[lo:hi], closed.data[lo:hi]
            done = counts >= gaps_of_row[rows]
            mine = {row_of_need[int(n)] for n in gap_need[gaps].tolist()}
            unlocked = tuple(sorted(int(need_id_of_row[r]) for r, d in zip(rows.tolist(), done.tolist(), strict=True)
                                    if d))  # fmt: skip
            halved = tuple(sorted(int(need_id_of_row[r]) for r, d in zip(rows.tolist(), done.tolist(), strict=True)
                                  if not d and r in mine))  # fmt: skip
            level = int(ox.opportunities[opp].teaches.get(codes[col], 0))
            steps.append(LearningStep(int(ox.ids[opp]), round(float(score[opp]), 4), level, unlocked, halved,
                                      _reasons(ox, opp, codes[col], level, unlocked, halved, days, dist)))  # fmt: skip
        paths.append(GapPath(codes[col], int(gap_req[gaps].max()), need_ids, tuple(steps)))
    paths.sort(key=lambda p: (-len(p.need_ids), p.skill))
    return tuple(paths)


def _reasons(
    ox: OpportunityIndex,
    opp: int,
    skill: str,
    level: int,
    unlocks: tuple[int, ...],
    closes: tuple[int, ...],
    days: npt.NDArray[np.int64],
    dist: FloatArray,
) -> tuple[Reason, ...]:
    reasons = []
    if unlocks:
        reasons.append(Reason("learning_unlocks", skill, {"level": level, "projects": len(unlocks)}))
    if closes:
        reasons.append(Reason("learning_closes_one_gap", skill, {"level": level, "projects": len(closes)}))
    if ox.online[opp]:
        reasons.append(Reason("learning_online"))
    elif not np.isnan(dist[opp]):
        reasons.append(Reason("learning_distance", None, {"km": round(float(dist[opp]), 1)}))
    cost = float(ox.cost[opp])
    reasons.append(Reason("learning_free") if cost == 0 else Reason("learning_cost", None, {"yen": cost}))
    if ox.start_day[opp] == 0:
        reasons.append(Reason("learning_always_open"))
    else:
        reasons.append(Reason("learning_starts", None, {"days": max(int(days[opp]), 0)}))
    return tuple(reasons)
