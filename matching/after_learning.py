"""People who would qualify for a project after one known learning opportunity (学びの場, #15): the
host's side of the skill-gap paths in :mod:`matching.gaps`.

A person *would qualify after learning* when the pair is feasible (no rule of
:mod:`matching.feasibility` fails, and they may be shown at all, as in :func:`matching.rank`), they
miss one or two of the need's must-have skills (not held, or held below the level asked), and one
opportunity they can attend teaches every skill they miss to at least the level asked. "Can attend"
is read as in the gap paths: online, or within their travel distance; students-only or
working-adults-only as they are.

The opportunity named is the first they can attend in this order: soonest start (always open counts
as today), then cheapest, online before on site, then lowest id. People are ordered by their score
in the project ranking today (the score the list of matches shows, which already counts what they
miss), ties by id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching import scoring
from matching.gaps import Gap
from matching.index import CandidateIndex, Segment
from matching.model import Need, Weights
from matching.opportunities import ELIGIBILITY_CODE, Opportunity
from matching.rank import DEFAULT_WEIGHTS, prepare, score_segment

# Rows are checked against the opportunities best score first, this many at a time, until k are found.
CHUNK = 2_048


@dataclass(frozen=True)
class QualifiesAfter:
    """A person who would qualify after ``opportunity_id``: the must-haves they miss and their score today."""

    candidate_id: int
    opportunity_id: int
    gaps: tuple[Gap, ...]
    score: float


@dataclass(frozen=True)
class _Must:
    code: str
    col: int
    required: int


@dataclass(frozen=True)
class _Offer:
    """The opportunities in naming order, with the bitmask of must-haves each closes."""

    opportunities: tuple[Opportunity, ...]
    closes: npt.NDArray[np.int64]
    online: npt.NDArray[np.bool_]
    lat: npt.NDArray[np.float32]  # radians, NaN when online
    lng: npt.NDArray[np.float32]
    eligibility: npt.NDArray[np.int8]


def qualify_after_learning(
    need: Need,
    index: CandidateIndex,
    opportunities: Sequence[Opportunity],
    k: int,
    *,
    today: dt.date,
    exclude: Collection[int] = (),
    weights: Weights = DEFAULT_WEIGHTS,
    max_gaps: int = 2,
) -> list[QualifiesAfter]:
    """The ``k`` best people who would qualify for ``need`` after one of ``opportunities`` (the
    upcoming ones; the caller leaves out those one can no longer enrol in). ``exclude``: candidate
    ids to leave out (already applied or invited)."""
    q = prepare(need, index, today)
    musts = [
        _Must(code, col, required)
        for code, col, required, is_must in zip(q.codes, q.skill_cols, q.required, q.is_must, strict=True)
        if is_must
    ]
    if k <= 0 or not musts or not opportunities:
        return []
    offer = _offer(opportunities, musts, today)
    # Missing must-haves are what this list is about: score them as penalised, never filtered out.
    policy = dataclasses.replace(weights, missing_must="penalise")
    pooled: list[tuple[float, int, QualifiesAfter]] = []
    for seg in index.segments():
        total = score_segment(q, seg, policy, exclude).total  # -inf: not shown or not feasible
        gap_bits, n_gaps = _gaps_of(seg, musts)
        rows = np.flatnonzero(np.isfinite(total) & (n_gaps >= 1) & (n_gaps <= max(1, min(max_gaps, 2))))
        rows = rows[np.lexsort((seg.ids[rows], -total[rows]))]
        found_rows: list[int] = []
        found_opps: list[int] = []
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            chosen = _first_attendable(seg, chunk, gap_bits[chunk], offer)
            found_rows += chunk[chosen >= 0].tolist()
            found_opps += chosen[chosen >= 0].tolist()
            if len(found_rows) >= k:
                break
        taken = np.array(found_rows[:k], np.intp)
        held = [(seg.skills.lookup(must.col, taken) & 7).tolist() for must in musts]
        for i, (row, opp) in enumerate(zip(taken.tolist(), found_opps, strict=False)):
            bits = int(gap_bits[row])
            gaps = tuple(Gap(must.code, must.required, held[m][i]) for m, must in enumerate(musts) if bits >> m & 1)
            score = round(max(float(total[row]), 0.0), 6)
            after = QualifiesAfter(int(seg.ids[row]), offer.opportunities[opp].id, gaps, score)
            pooled.append((-score, after.candidate_id, after))
        pooled.sort(key=lambda entry: entry[:2])
        del pooled[k:]
    return [after for *_, after in pooled]


def _offer(opportunities: Sequence[Opportunity], musts: list[_Must], today: dt.date) -> _Offer:
    def order(o: Opportunity) -> tuple[dt.date, int, bool, int]:
        return (max(o.start or today, today), max(o.cost_yen, 0), not o.online, o.id)

    ordered = tuple(sorted(opportunities, key=order))
    closes = [
        sum(1 << m for m, must in enumerate(musts) if o.teaches.get(must.code, 0) >= must.required) for o in ordered
    ]
    nan = float("nan")
    return _Offer(
        opportunities=ordered,
        closes=np.array(closes, np.int64),
        online=np.array([o.online for o in ordered], np.bool_),
        lat=np.radians(np.array([nan if o.online or o.lat is None else o.lat for o in ordered], np.float32)),
        lng=np.radians(np.array([nan if o.online or o.lng is None else o.lng for o in ordered], np.float32)),
        eligibility=np.array([ELIGIBILITY_CODE[o.for_students] for o in ordered], np.int8),
    )


def _gaps_of(seg: Segment, musts: list[_Must]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per row, the bitmask of the must-haves it misses (level below the one asked, or not held) and their count."""
    bits = np.zeros(seg.size, np.int64)
    count = np.zeros(seg.size, np.int64)
    for m, must in enumerate(musts):
        levels = np.zeros(seg.size, np.uint8)
        rows, values = seg.skills.column(must.col)
        levels[rows] = values & 7
        short = (levels < must.required).astype(np.int64)
        bits |= short << m
        count += short
    return bits, count


def _eligible(code: int, is_student: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    if code == ELIGIBILITY_CODE[None]:
        return np.ones(len(is_student), np.bool_)
    return is_student if code == ELIGIBILITY_CODE[True] else ~is_student


def _first_attendable(
    seg: Segment, rows: npt.NDArray[np.intp], gap_bits: npt.NDArray[np.int64], offer: _Offer
) -> npt.NDArray[np.intp]:
    """Per row, the first opportunity (in naming order) that closes all its gaps and that it can
    attend; -1 when none. Rows with the same gaps are checked together, one opportunity at a time."""
    chosen = np.full(len(rows), -1, np.intp)
    for pattern in np.unique(gap_bits).tolist():
        members = np.flatnonzero(gap_bits == pattern)
        for opp in np.flatnonzero((offer.closes & pattern) == pattern).tolist():
            open_rows = members[chosen[members] < 0]
            if len(open_rows) == 0:
                break
            rows_of = rows[open_rows]
            can = _eligible(int(offer.eligibility[opp]), seg.is_student[rows_of])
            if not offer.online[opp]:
                with np.errstate(invalid="ignore"):
                    dist = scoring.haversine_km_rad(seg.lat[rows_of], seg.lng[rows_of], offer.lat[opp], offer.lng[opp])
                    can &= dist <= seg.travel_km[rows_of]
            chosen[open_rows[can]] = opp
    return chosen
