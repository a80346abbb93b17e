"""Rank candidates for a need: score every segment (:mod:`matching.segment_scores`), keep the best
feasible rows (and apart the near misses), and give each its reasons (:mod:`matching.pair_details`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching import feasibility
from matching.index import CandidateIndex, Segment, build_index
from matching.model import Candidate, Match, Need, Reason, Weights
from matching.pair_details import match_of, segment_details
from matching.scoring import FloatArray
from matching.segment_scores import DEFAULT_WEIGHTS, NeedQuery, SegmentScores, prepare, score_segment
from matching.text import TextModel, flat_text_model

__all__ = ["DEFAULT_WEIGHTS", "Ranking", "explain", "rank", "rank_with_near_misses", "top_rows"]


@dataclass(frozen=True)
class Ranking:
    """The feasible matches, best first, and apart the near misses (each with its ``blocker``)."""

    matches: list[Match]
    near_misses: list[Match]


def top_rows(total: FloatArray, k: int, tie: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.intp]:
    """Rows of the k best finite scores, best first; ties go to the lower ``tie`` key (row).

    A strided sample's k-th best value is a lower bound of the full k-th best, so only rows
    at or above it are partitioned: exact, and several times cheaper than a full argpartition.
    """
    n = len(total)
    if k <= 0 or n == 0:
        return np.empty(0, np.intp)
    candidates = np.arange(n)
    stride = n // (k * 64)
    if stride >= 2:
        sample = total[::stride]
        bound = np.partition(sample, len(sample) - k)[len(sample) - k]
        if np.isfinite(bound):
            candidates = np.flatnonzero(total >= bound)
    values = total[candidates]
    if k < len(candidates):
        kth = np.partition(values, len(values) - k)[len(values) - k]
        at_least = values >= kth
        candidates, values = candidates[at_least], values[at_least]
    finite = np.isfinite(values)
    candidates, values = candidates[finite], values[finite]
    key = candidates if tie is None else tie[candidates]
    return candidates[np.lexsort((key, -values))[:k]]


def rank(
    need: Need,
    index: CandidateIndex,
    k: int,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    today: dt.date,
    exclude: Collection[int] = (),
) -> list[Match]:
    """The k best feasible candidates for a need, best first, each with reasons.

    Never ranked: not visible, ids in ``exclude`` (already applied or declined), missing
    must-haves under ``weights.missing_must="filter"``, and every pair that fails a rule of
    :mod:`matching.feasibility`. Ties are broken by candidate id.
    """
    return rank_with_near_misses(need, index, k, 0, weights=weights, today=today, exclude=exclude).matches


def rank_with_near_misses(
    need: Need,
    index: CandidateIndex,
    k: int,
    k_near: int,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    today: dt.date,
    exclude: Collection[int] = (),
) -> Ranking:
    """:func:`rank`, plus the ``k_near`` best near misses (one feasibility rule fails), apart,
    each with the ``blocker`` that stops it. One pass over the index serves both lists."""
    q = prepare(need, index, today)
    segments = index.segments()
    scored = [score_segment(q, seg, weights, exclude, near_misses=k_near > 0) for seg in segments]
    matches = _chosen(q, segments, scored, [s.total for s in scored], k)
    near: list[Match] = []
    if k_near > 0:
        near_totals = [s.near_total for s in scored]
        near = _chosen(q, segments, scored, near_totals, k_near, blocked=True)  # type: ignore[arg-type]
    return Ranking(matches, near)


def _chosen(
    q: NeedQuery,
    segments: list[Segment],
    scored: list[SegmentScores],
    totals: list[FloatArray],
    k: int,
    *,
    blocked: bool = False,
) -> list[Match]:
    """The k best rows over all segments by ``totals`` (finite only), as matches."""
    pooled: list[tuple[float, int, int, int]] = []
    for seg_no, seg in enumerate(segments):
        for row in top_rows(totals[seg_no], k, seg.ids).tolist():
            pooled.append((-float(totals[seg_no][row]), int(seg.ids[row]), seg_no, row))
    chosen = sorted(pooled)[:k]
    matches: dict[tuple[int, int], Match] = {}
    for seg_no, seg in enumerate(segments):
        rows = np.array([row for *_, s, row in chosen if s == seg_no], np.intp)
        details = segment_details(q, seg, rows, scored[seg_no])
        for row, detail in zip(rows.tolist(), details, strict=True):
            match = match_of(q, seg, scored[seg_no], row, detail)
            if blocked:
                match = dataclasses.replace(match, blocker=_blocker(q, seg, scored[seg_no], row))
            matches[(seg_no, row)] = match
    return [matches[(s, row)] for *_, s, row in chosen]


def _blocker(q: NeedQuery, seg: Segment, scores: SegmentScores, row: int) -> Reason:
    """The one rule that stops a near miss, with the numbers the sentence needs."""
    code = feasibility.first_code(int(scores.blocked[row]))
    assert code is not None  # near misses fail exactly one rule
    need = q.need
    dist = None if scores.distance_km is None else float(scores.distance_km[row])
    return feasibility.blocker_reason(
        code,
        distance_km=dist,
        travel_km=float(seg.travel_km[row]),
        need_days=need.onsite_days_per_month,
        person_days=float(seg.onsite_days[row]),
        hours=float(seg.hours[row]),
        need_hours=need.hours_per_week,
        days_late=int(seg.start_day[row]) - q.start_day,
        slack_days=need.start_slack_days,
    )


def explain(
    need: Need,
    candidate: Candidate,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    today: dt.date,
    text_model: TextModel | None = None,
) -> Match:
    """Score and reasons for one pair, ignoring the hard filters (visibility, exclusions).

    Pass ``text_model=index.text_model`` to get exactly the score :func:`rank` gives;
    without it, text relevance is a plain TF cosine (idf = 1). Missing must-haves still apply
    the ``weights.missing_must`` penalty (score 0 under ``"filter"``).
    """
    model = text_model or flat_text_model([need.text, candidate.text])
    skills = list({*need.must_have, *need.nice_to_have, *candidate.skills})
    index = build_index([candidate], skills, text_model=model)
    q = prepare(need, index, today)
    scores = score_segment(q, index.base, weights, apply_filters=False)
    rows = np.zeros(1, np.intp)
    return match_of(q, index.base, scores, 0, segment_details(q, index.base, rows, scores)[0])
