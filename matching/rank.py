"""Rank candidates for a need: every component vectorised over the index, reasons for the top k."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching import feasibility, scoring
from matching.index import CandidateIndex, Segment, build_index
from matching.model import Candidate, Match, Need, Reason, Weights
from matching.reasons import PairDetail, SkillSlot, reasons
from matching.scoring import PAY_CODE, FloatArray
from matching.text import TextModel, flat_text_model

# A need's text keeps its 64 heaviest TF-IDF terms (not renormalised: the cosine is then a
# slight underestimate for very long texts; explain() does the same, so scores agree).
MAX_QUERY_TERMS = 64
# Shared terms for the text_overlap reason are looked for among the 24 heaviest query terms.
MAX_REASON_TERMS = 24
DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class NeedQuery:
    """A need resolved against an index's vocabularies (skill columns, term ids, region bit)."""

    need: Need
    codes: tuple[str, ...]
    skill_cols: tuple[int, ...]
    required: tuple[int, ...]
    is_must: tuple[bool, ...]
    term_ids: npt.NDArray[np.int32]
    term_weights: npt.NDArray[np.float32]
    terms: tuple[str, ...]
    region_bit: int
    start_day: int

    @property
    def n_must(self) -> int:
        return sum(self.is_must)

    @property
    def n_nice(self) -> int:
        return len(self.is_must) - self.n_must


def prepare(need: Need, index: CandidateIndex, today: dt.date) -> NeedQuery:
    """Resolve a need against the index; the text query keeps its top ``MAX_QUERY_TERMS`` terms."""
    slots = [(c, lv, True) for c, lv in need.must_have.items()]
    slots += [(c, lv, False) for c, lv in need.nice_to_have.items() if c not in need.must_have]
    ids, weights = index.text_model.vector(need.text)
    if len(ids) > MAX_QUERY_TERMS:
        top = np.sort(np.argpartition(-weights, MAX_QUERY_TERMS)[:MAX_QUERY_TERMS])
        ids, weights = ids[top], weights[top]
    region = index.region_bits.get(need.subprefecture or "")
    start = max(need.start, today) if need.start else today
    return NeedQuery(
        need=need,
        codes=tuple(s[0] for s in slots),
        skill_cols=tuple(index.skill_columns.get(s[0], -1) for s in slots),
        required=tuple(max(1, min(int(s[1]), 4)) for s in slots),
        is_must=tuple(s[2] for s in slots),
        term_ids=ids,
        term_weights=(weights * index.text_model.idf[ids]).astype(np.float32),
        terms=tuple(index.text_model.terms[i] for i in ids),
        region_bit=0 if region is None else 1 << region,
        start_day=start.toordinal(),
    )


@dataclass
class SegmentScores:
    """Scores of one segment: total (-inf = filtered), components, km (None when remote), the
    feasibility bits of every row (all 0 without filters), and (when asked) the near misses' totals
    (-inf elsewhere)."""

    total: FloatArray
    components: dict[str, FloatArray]
    applies: dict[str, bool]
    distance_km: FloatArray | None
    blocked: npt.NDArray[np.uint8]
    near_total: FloatArray | None = None


@dataclass(frozen=True)
class Ranking:
    """The feasible matches, best first, and apart the near misses (each with its ``blocker``)."""

    matches: list[Match]
    near_misses: list[Match]


_BYTE = np.arange(256)
_BYTE_LEVEL = (_BYTE & 7).astype(np.float32)
_BYTE_VERIFIED = (_BYTE >> 3) > 0
_KEPT_OFFSET = np.array([-np.inf, 0.0], np.float32)
# Each must-have hit adds this to a row's skill sum, above any weighted credit (≤ 1): one
# bincount then gives both the credit and the hit count.
_HIT = 4.0


def score_segment(
    q: NeedQuery,
    seg: Segment,
    weights: Weights,
    exclude: Collection[int] = (),
    *,
    apply_filters: bool = True,
    near_misses: bool = False,
) -> SegmentScores:
    """Score every row of a segment for one need.

    The same formulas as :mod:`matching.scoring`, fused for speed over precomputed segment
    arrays. The three skill components are summed straight into the total here; their
    separate values are recomputed for the top rows only (:func:`skill_components`).
    """
    applies = {
        "must_have": q.n_must > 0,
        "nice_to_have": q.n_nice > 0,
        "verified": len(q.codes) > 0,
        "text": len(q.term_ids) > 0,
        "availability": True,
        "geography": q.need.work_mode != "remote",
        "pay": True,
    }
    weight_sum = sum(float(getattr(weights, name)) for name in scoring.COMPONENTS if applies[name])
    scale = 1.0 / weight_sum if weight_sum > 0 else 0.0
    total, n_missing = _weighted_skills(q, seg, weights, applies, scale)
    geo, dist = _geography(q, seg, weights)
    components = {
        "text": _text_scores(q, seg),
        "availability": _availability(q, seg, weights),
        "geography": geo,
        "pay": _pay(q, seg),
    }
    for name, values in components.items():
        w = float(getattr(weights, name))
        if applies[name] and w > 0:
            total += values * np.float32(w * scale)
    if q.n_must > 0:
        total *= scoring.missing_penalty(np.arange(q.n_must + 1), weights)[n_missing]
    near_total = None
    blocked = np.zeros(seg.size, np.uint8)
    if apply_filters:
        blocked = _blockers(q, seg, dist)
        shown = _shown_mask(seg, weights, n_missing, exclude)
        if near_misses:
            near = shown & feasibility.is_near_miss(blocked)
            near_total = total + np.take(_KEPT_OFFSET, near.view(np.uint8))
        keep = shown & (blocked == 0)
        total += np.take(_KEPT_OFFSET, keep.view(np.uint8))  # -inf where dropped, branch-free
    return SegmentScores(total, components, applies, dist, blocked, near_total)


def _blockers(q: NeedQuery, seg: Segment, dist: FloatArray | None) -> npt.NDArray[np.uint8]:
    """The feasibility bits of every row for the need (see :mod:`matching.feasibility`)."""
    need = q.need
    return feasibility.blockers(
        feasibility.PairFacts(
            is_open=seg.is_open,
            students_only=need.students_only,
            is_student=seg.is_student,
            needs_onsite=need.needs_onsite,
            person_onsite=seg.does_onsite,
            distance_km=np.float32(np.nan) if dist is None else dist,
            travel_km=seg.travel_km,
            need_days=need.onsite_days_per_month or 0,
            person_days=seg.onsite_days,
            hours=seg.hours,
            need_hours=need.hours_per_week,
            days_late=seg.start_day - np.int32(q.start_day),
            slack_days=need.start_slack_days,
        )
    )


def _weighted_skills(
    q: NeedQuery, seg: Segment, weights: Weights, applies: dict[str, bool], scale: float
) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Weighted sum of the must-have, nice-to-have and verified components, and missing counts.

    Each posting is one byte (``level | source << 3``); a per-slot lookup table turns it into
    its weighted credit (plus ``_HIT`` per must-have hit), so all needed skills cost one
    concatenation and one bincount.
    """
    n = seg.size
    rows_parts, key_parts = [], []
    for slot, col in enumerate(q.skill_cols):
        rows, values = seg.skills.column(col)
        rows_parts.append(rows)
        key_parts.append(values.astype(np.intp) + slot * 256)
    if not rows_parts or sum(len(r) for r in rows_parts) == 0:
        return np.zeros(n, np.float32), np.full(n, q.n_must, np.intp)
    rows = np.concatenate(rows_parts)
    keys = np.concatenate(key_parts)
    summed = np.bincount(rows, weights=_skill_table(q, weights, applies, scale)[keys], minlength=n)
    hits = (summed * (1 / _HIT)).astype(np.intp)
    summed -= hits * _HIT
    return summed.astype(np.float32), q.n_must - hits


def _skill_table(q: NeedQuery, weights: Weights, applies: dict[str, bool], scale: float) -> npt.NDArray[np.float64]:
    """Lookup table (slot * 256 + byte): weighted credit, plus ``_HIT`` for a must-have hit."""
    n_slots = len(q.codes)
    weighted = np.zeros(n_slots * 256)
    w_must = weights.must_have * scale / max(q.n_must, 1) if applies["must_have"] else 0.0
    w_nice = weights.nice_to_have * scale / max(q.n_nice, 1) if applies["nice_to_have"] else 0.0
    w_ver = weights.verified * scale / max(n_slots, 1) if applies["verified"] else 0.0
    for slot, (required, is_must) in enumerate(zip(q.required, q.is_must, strict=True)):
        credit = scoring.skill_credit(_BYTE_LEVEL, required).astype(np.float64)
        part = credit * (w_must if is_must else w_nice) + np.where(_BYTE_VERIFIED, credit, 0.0) * w_ver
        weighted[slot * 256 : (slot + 1) * 256] = part + _HIT * ((_BYTE_LEVEL > 0) & is_must)
    return weighted


def skill_components(slots: Sequence[SkillSlot]) -> dict[str, float]:
    """Must-have coverage, nice-to-have coverage and verified share of one pair's skill slots."""
    # plain floats: same formula as scoring.skill_credit / scoring.coverage, without numpy
    credits = [min(s.level / max(s.required, 1), 1.0) for s in slots]
    must = [c for c, s in zip(credits, slots, strict=True) if s.is_must]
    nice = [c for c, s in zip(credits, slots, strict=True) if not s.is_must]
    verified = sum(c for c, s in zip(credits, slots, strict=True) if s.source > 0)
    return {
        "must_have": sum(must) / len(must) if must else 0.0,
        "nice_to_have": sum(nice) / len(nice) if nice else 0.0,
        "verified": verified / len(slots) if slots else 0.0,
    }


def _text_scores(q: NeedQuery, seg: Segment) -> FloatArray:
    """TF-IDF cosine of every row with the need text (only the query terms' postings are read)."""
    if len(q.term_ids) == 0:
        return np.zeros(seg.size, np.float32)
    cosine = np.asarray(seg.text_matrix[:, q.term_ids] @ q.term_weights, dtype=np.float32)
    return np.minimum(cosine, np.float32(1.0), out=cosine)


def _availability(q: NeedQuery, seg: Segment, weights: Weights) -> FloatArray:
    """Mean of hours fit and start fit (see :func:`matching.scoring.availability`)."""
    needed = q.need.hours_per_week
    if needed > 0:
        hours = np.minimum(seg.hours * np.float32(1.0 / needed), np.float32(1.0))
    else:
        hours = np.ones(seg.size, np.float32)
    hours += scoring.start_fit(seg.start_day - np.int32(q.start_day), weights.start_grace_days)
    hours *= np.float32(0.5)
    return np.asarray(hours, dtype=np.float32)


def _pay(q: NeedQuery, seg: Segment) -> FloatArray:
    """Pay fit (see :func:`matching.scoring.pay_fit`) from precomputed segment arrays."""
    offer = q.need.pay
    if offer.kind == "volunteer" or offer.yen <= 0:
        return seg.pay_free.astype(np.float32)
    ratio = np.minimum(seg.pay_inv_yen * np.float32(offer.yen), np.float32(1.0))
    # ratio where the kinds match, else 0.5; arithmetic, as a masked choice mispredicts
    ratio -= np.float32(0.5)
    ratio *= seg.pay_kind == PAY_CODE[offer.kind]
    ratio += np.float32(0.5)
    return np.maximum(ratio, seg.pay_free, out=ratio, dtype=np.float32)


def _geography(q: NeedQuery, seg: Segment, weights: Weights) -> tuple[FloatArray, FloatArray | None]:
    """Geography component and distances in km (both unused for remote needs)."""
    need = q.need
    if need.work_mode == "remote":
        return np.broadcast_to(np.float32(1.0), (seg.size,)), None
    if need.lat is None or need.lng is None:
        dist = np.full(seg.size, np.nan, np.float32)
    else:
        dist = _haversine_to(seg, float(np.radians(need.lat)), float(np.radians(need.lng)))
    with np.errstate(invalid="ignore"):
        ratio = dist * seg.inv_travel
    ratio *= ratio
    geo = np.float32(1.0) - np.fmin(ratio, np.float32(1.0))
    if q.region_bit:
        in_region = (seg.regions & np.uint64(q.region_bit)) != 0
        geo += np.float32(weights.region_bonus) * in_region  # arithmetic: a masked store mispredicts
        np.minimum(geo, np.float32(1.0), out=geo)
    return geo, dist


def _haversine_to(seg: Segment, lat: float, lng: float) -> FloatArray:
    """Haversine km from every row to one point (radians).

    sin(Δ/2) comes from the rows' precomputed half-angle sines and cosines by the difference
    formula, so the only transcendental functions left per row are one sqrt and one arcsin.
    """
    sin_lat, cos_lat, sin_lng, cos_lng = seg.half_angles
    a = sin_lat * np.float32(math.cos(lat / 2))
    a -= cos_lat * np.float32(math.sin(lat / 2))
    a *= a
    b = sin_lng * np.float32(math.cos(lng / 2))
    b -= cos_lng * np.float32(math.sin(lng / 2))
    b *= b
    b *= seg.cos_lat
    b *= np.float32(math.cos(lat))
    a += b
    np.clip(a, 0.0, 1.0, out=a)
    np.sqrt(a, out=a)
    np.arcsin(a, out=a)
    a *= np.float32(2.0 * scoring.EARTH_RADIUS_KM)
    return a


def _shown_mask(
    seg: Segment,
    weights: Weights,
    n_missing: npt.NDArray[np.intp],
    exclude: Collection[int],
) -> npt.NDArray[np.bool_]:
    """Rows that may be shown at all: alive, visible, not excluded (and per ``weights`` no missing
    must-have); feasibility is applied on top."""
    keep = seg.alive & seg.eligible
    if exclude:
        keep[seg.rows_of(exclude)] = False
    if weights.missing_must == "filter":
        keep &= n_missing == 0
    return np.asarray(keep, dtype=np.bool_)


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
            match = _match(q, seg, scored[seg_no], row, detail)
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


def _match(q: NeedQuery, seg: Segment, scores: SegmentScores, row: int, detail: PairDetail) -> Match:
    values = skill_components(detail.skills)
    values.update({name: float(v[row]) for name, v in scores.components.items()})
    components = {name: round(values[name], 4) for name in scoring.COMPONENTS if scores.applies[name]}
    total = max(float(scores.total[row]), 0.0)
    return Match(int(seg.ids[row]), q.need.id, round(total, 6), components, reasons(detail))


def segment_details(q: NeedQuery, seg: Segment, rows: npt.NDArray[np.intp], scores: SegmentScores) -> list[PairDetail]:
    """The plain values behind the scores of some rows, for :func:`matching.reasons.reasons`.

    Lookups are batched per skill column and per query term (one searchsorted each), and each
    per-row array is read once for all the rows (``tolist``), not element by element.
    """
    values = [seg.skills.lookup(col, rows).tolist() for col in q.skill_cols]
    by_weight = np.argsort(-q.term_weights, kind="stable")[:MAX_REASON_TERMS].tolist()
    has_term = [(seg.text.lookup(int(q.term_ids[t]), rows) > 0).tolist() for t in by_weight]
    need = q.need
    dists = [None] * len(rows) if scores.distance_km is None else scores.distance_km[rows].tolist()
    in_region = ((seg.regions[rows] & np.uint64(q.region_bit)) != 0).tolist()
    days_late = np.maximum(seg.start_day[rows].astype(np.int64) - q.start_day, 0).tolist()
    columns = zip(
        scores.components["text"][rows].tolist(),
        scores.components["pay"][rows].tolist(),
        dists,
        seg.travel_km[rows].tolist(),
        in_region,
        seg.hours[rows].tolist(),
        days_late,
        seg.pay_kind[rows].tolist(),
        seg.pay_yen[rows].tolist(),
        strict=True,
    )
    out = []
    for i, (text, pay, dist, travel, region, hours, late, kind, yen) in enumerate(columns):
        slots = tuple(
            SkillSlot(code, required, is_must, v[i] & 7, v[i] >> 3)
            for code, required, is_must, v in zip(q.codes, q.required, q.is_must, values, strict=True)
        )
        out.append(
            PairDetail(
                skills=slots,
                text_score=text,
                shared_terms=tuple(q.terms[t] for t, has in zip(by_weight, has_term, strict=True) if has[i]),
                is_remote=need.work_mode == "remote",
                distance_km=dist,
                travel_km=travel,
                region=need.subprefecture,
                in_region=region,
                hours_available=hours,
                hours_needed=float(need.hours_per_week),
                days_late=late,
                offer_kind=PAY_CODE[need.pay.kind],
                offer_yen=float(need.pay.yen),
                expected_kind=kind,
                expected_yen=yen,
                pay_score=pay,
            )
        )
    return out


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
    return _match(q, index.base, scores, 0, segment_details(q, index.base, rows, scores)[0])
