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

Opportunities are indexed once with :func:`matching.opportunities.build_opportunity_index` (a column-sorted slot table);
one person's paths are a few vector operations and one sparse product.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching import scoring
from matching.model import Candidate, Reason
from matching.needs import NeedIndex, need_blockers, skill_vectors
from matching.opportunities import ELIGIBILITY_CODE, OpportunityIndex
from matching.scoring import FloatArray


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
    """The first nearly matched projects and paths, and how many of each there are in all."""

    near: tuple[NearProject, ...]
    paths: tuple[GapPath, ...]
    n_near: int
    n_paths: int


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
    near_limit: int = 50,
    path_limit: int = 20,
) -> GapPaths:
    """The person's nearly matched projects (fewest gaps first, then best covered; the first
    ``near_limit`` of ``n_near``) and a path per missing skill (the skill most of those projects miss
    first, then by code; the first ``path_limit`` of ``n_paths``). ``exclude``: need ids to leave out
    (projects they already applied to)."""
    ix = needs
    levels, _sources = skill_vectors(candidate, ix)
    have = levels[ix.slot_col]
    short = ix.slot_is_must & (have < ix.slot_required)
    m = len(ix.needs)
    n_short = np.bincount(ix.slot_need, weights=short, minlength=m)
    max_missing = max(1, min(weights.max_missing, 2))
    near = _feasible(candidate, ix, exclude, today) & (n_short >= 1) & (n_short <= max_missing)
    if not near.any():
        return GapPaths((), (), 0, 0)
    credit = scoring.skill_credit(have, ix.slot_required) * ix.slot_is_must
    coverage = scoring.coverage(np.bincount(ix.slot_need, weights=credit, minlength=m), ix.n_must)
    near_rows = np.flatnonzero(near)
    row_of_need = np.full(m, -1, np.intp)
    row_of_need[near_rows] = np.arange(len(near_rows))
    # One entry per gap, in need order (a need's slots are consecutive in the index).
    gap_slots = np.flatnonzero(short & near[ix.slot_need])
    gaps = _Gaps(
        row=row_of_need[ix.slot_need[gap_slots]],
        col=ix.slot_col[gap_slots],
        req=ix.slot_required[gap_slots].astype(np.int64),
        have=have[gap_slots],
        of_row=n_short[near_rows],
    )
    codes = _codes(ix)
    near_projects = _near_projects(ix, near_rows, coverage, gaps, codes, near_limit)
    attend, fit, dist = _attendance(candidate, opportunities, is_student, today)
    groups = _group_matrix(opportunities, gaps, attend)
    score = _step_scores(opportunities, groups, gaps, len(near_rows), fit, dist, candidate, today, weights)
    paths, n_paths = _paths(ix, opportunities, near_rows, groups, gaps, score, dist, codes, today, weights, path_limit)
    return GapPaths(near_projects, paths, len(near_rows), n_paths)


@dataclass
class _Gaps:
    """The gaps of the nearly matched projects: each one's project row (among the nearly matched),
    skill column, required level and held level; ``of_row``: how many gaps each project has."""

    row: npt.NDArray[np.intp]
    col: npt.NDArray[np.intp]
    req: npt.NDArray[np.int64]
    have: FloatArray
    of_row: FloatArray


@dataclass
class _Groups:
    """Gaps grouped by (skill, level): ``gap_group`` maps each gap to its group; ``b`` is groups ×
    opportunities (1: teaches the skill to the level and the person can attend) and ``bt`` its transpose."""

    col: npt.NDArray[np.int64]
    req: npt.NDArray[np.int64]
    gap_group: npt.NDArray[np.intp]
    b: sp.csr_matrix
    bt: sp.csr_matrix


def _group_matrix(ox: OpportunityIndex, gaps: _Gaps, attend: npt.NDArray[np.bool_]) -> _Groups:
    keys, gap_group = np.unique(gaps.col.astype(np.int64) * 8 + gaps.req, return_inverse=True)
    col, req = keys // 8, keys % 8
    rows: list[npt.NDArray[np.intp]] = []
    cols: list[npt.NDArray[np.intp]] = []
    for k, (c, r) in enumerate(zip(col.tolist(), req.tolist(), strict=True)):
        lo, hi = ox.col_ptr[c], ox.col_ptr[c + 1]
        opps = ox.slot_opp[lo:hi][ox.slot_level[lo:hi] >= r]
        opps = opps[attend[opps]]
        rows.append(np.full(len(opps), k, np.intp))
        cols.append(opps)
    r_all, c_all = np.concatenate(rows), np.concatenate(cols)
    b = sp.csr_matrix((np.ones(len(r_all), np.float32), (r_all, c_all)), shape=(len(keys), len(ox.ids)))
    return _Groups(col, req, gap_group.reshape(-1), b, b.T.tocsr())


def _step_scores(
    ox: OpportunityIndex,
    groups: _Groups,
    gaps: _Gaps,
    n_near: int,
    fit: FloatArray,
    dist: FloatArray,
    candidate: Candidate,
    today: dt.date,
    weights: StepWeights,
) -> FloatArray:
    """Each opportunity's score on a path. Its gap part counts the projects it unlocks (a one-gap
    project whose gap it closes, a two-gap project whose both gaps it closes) and, at half, the
    two-gap projects where it closes one: sums over the groups × opportunities matrix, without
    listing projects × opportunities."""
    k = groups.b.shape[0]
    one = gaps.of_row[gaps.row] == 1
    two = ~one
    unlock_one = groups.bt @ np.bincount(groups.gap_group[one], minlength=k).astype(np.float32)
    pairs = groups.gap_group[two].reshape(-1, 2)
    w = sp.csr_matrix((np.ones(len(pairs), np.float32), (pairs[:, 0], pairs[:, 1])), shape=(k, k))
    unlock_two = np.asarray((groups.bt @ w).multiply(groups.bt).sum(axis=1)).ravel()
    hits_two = groups.bt @ np.bincount(groups.gap_group[two], minlength=k).astype(np.float32)
    partial = hits_two - 2 * unlock_two
    gap_fit = np.minimum((unlock_one + unlock_two + 0.5 * partial) / max(n_near, 1), 1.0)
    cost_fit = 1.0 / (1.0 + ox.cost / 20_000.0)
    days = np.where(ox.start_day > 0, ox.start_day - today.toordinal(), 0)
    start_fit = np.clip(1.0 - (days - 7) / 113.0, 0.0, 1.0)
    distance_fit = np.where(ox.online, 1.0, scoring.distance_decay(dist, candidate.travel_km))
    return (weights.gap * gap_fit + weights.format * fit + weights.cost * cost_fit + weights.start * start_fit
            + weights.distance * distance_fit).astype(np.float32)  # fmt: skip


def _codes(ix: NeedIndex) -> list[str]:
    codes = [""] * (len(ix.skill_columns) + 1)
    for code, col in ix.skill_columns.items():
        codes[col] = code
    return codes


def _feasible(candidate: Candidate, ix: NeedIndex, exclude: Collection[int], today: dt.date) -> npt.NDArray[np.bool_]:
    """Projects the person could take on, skills aside: no rule of :mod:`matching.feasibility` fails
    (the same rules as the ranking in both directions)."""
    keep = need_blockers(candidate, ix, None, today) == 0
    if exclude:
        keep &= ~np.isin(ix.need_ids, np.fromiter(exclude, np.int64, len(exclude)))
    return keep


def _near_projects(
    ix: NeedIndex, near_rows: npt.NDArray[np.intp], coverage: FloatArray, gaps: _Gaps, codes: list[str], limit: int
) -> tuple[NearProject, ...]:
    """The first `limit` nearly matched projects: fewest gaps, then best covered, then by id."""
    order = np.lexsort((ix.need_ids[near_rows], -coverage[near_rows], gaps.of_row))[:limit].tolist()
    wanted = set(order)
    found: dict[int, list[Gap]] = {}
    for row, col, req, had in zip(gaps.row.tolist(), gaps.col.tolist(), gaps.req.tolist(), gaps.have.tolist(),
                                  strict=True):  # fmt: skip
        if row in wanted:
            found.setdefault(row, []).append(Gap(codes[col], int(req), int(had)))
    return tuple(
        NearProject(int(ix.need_ids[near_rows[p]]), round(float(coverage[near_rows[p]]), 4), tuple(found[p]))
        for p in order
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


def _by_group(group_of: npt.NDArray[np.intp], rows: npt.NDArray[np.intp], k: int) -> list[npt.NDArray[np.intp]]:
    """rows split by their group: element g holds the rows whose group is g."""
    order = np.argsort(group_of, kind="stable")
    return np.split(rows[order], np.searchsorted(group_of[order], np.arange(1, k)))


def _paths(
    ix: NeedIndex,
    ox: OpportunityIndex,
    near_rows: npt.NDArray[np.intp],
    groups: _Groups,
    gaps: _Gaps,
    score: FloatArray,
    dist: FloatArray,
    codes: list[str],
    today: dt.date,
    weights: StepWeights,
    limit: int,
) -> tuple[tuple[GapPath, ...], int]:
    k = groups.b.shape[0]
    one = gaps.of_row[gaps.row] == 1
    one_rows = _by_group(groups.gap_group[one], gaps.row[one], k)
    two_rows = _by_group(groups.gap_group[~one], gaps.row[~one], k)
    pair_rows: dict[tuple[int, int], list[int]] = {}
    pairs = groups.gap_group[~one].reshape(-1, 2)
    for (a, b), row in zip(pairs.tolist(), gaps.row[~one][::2].tolist(), strict=True):
        pair_rows.setdefault((min(a, b), max(a, b)), []).append(row)
    need_ids = ix.need_ids[near_rows]
    id_of = need_ids.tolist()
    days = np.where(ox.start_day > 0, ox.start_day - today.toordinal(), 0)
    missing = np.bincount(gaps.col, minlength=len(codes))  # nearly matched projects missing each skill
    cols = np.flatnonzero(missing)
    chosen = sorted(cols.tolist(), key=lambda col: (-missing[col], codes[col]))[:limit]
    ones, twos = [rows.tolist() for rows in one_rows], [rows.tolist() for rows in two_rows]
    paths: list[GapPath] = []
    for col in chosen:
        in_col = np.flatnonzero(groups.col == col)  # ascending level: the first reaches every opportunity
        skill_rows = gaps.row[gaps.col == col]
        opps = groups.b.indices[groups.b.indptr[in_col[0]] : groups.b.indptr[in_col[0] + 1]]
        best = opps[np.lexsort((ox.ids[opps], -score[opps]))][: weights.steps_per_path]
        steps = []
        for opp in best.tolist():
            unlocks, closes = _step_projects(opp, in_col, groups, ones, twos, pair_rows)
            level = int(ox.opportunities[opp].teaches.get(codes[col], 0))
            unlock_ids, close_ids = tuple(sorted(id_of[r] for r in unlocks)), tuple(sorted(id_of[r] for r in closes))
            reasons = _reasons(ox, opp, codes[col], level, unlock_ids, close_ids, days, dist)
            steps.append(LearningStep(int(ox.ids[opp]), round(float(score[opp]), 4), level, unlock_ids, close_ids,
                                      reasons))  # fmt: skip
        required = int(groups.req[in_col].max())
        paths.append(GapPath(codes[col], required, tuple(sorted(need_ids[skill_rows].tolist())), tuple(steps)))
    return tuple(paths), len(cols)


def _step_projects(
    opp: int,
    in_col: npt.NDArray[np.intp],
    groups: _Groups,
    one_rows: list[list[int]],
    two_rows: list[list[int]],
    pair_rows: dict[tuple[int, int], list[int]],
) -> tuple[set[int], set[int]]:
    """The project rows the opportunity unlocks, and those of this path's skill where it closes one
    gap of two. Its groups are few (the skills it teaches, at each level asked), so pairs are few."""
    mine = sorted(groups.bt.indices[groups.bt.indptr[opp] : groups.bt.indptr[opp + 1]].tolist())
    unlocks: set[int] = set()
    for i, a in enumerate(mine):
        unlocks.update(one_rows[a])
        for b in mine[i + 1 :]:
            unlocks.update(pair_rows.get((a, b), ()))
    own = set(mine)
    closes = {row for g in in_col.tolist() if g in own for row in two_rows[g]} - unlocks
    return unlocks, closes


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
