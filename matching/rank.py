"""Rank candidates for a need: every component vectorised over the index, reasons for the top k."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching import scoring
from matching.index import MODE_BIT, CandidateIndex, Segment, build_index
from matching.model import Candidate, Match, Need, Weights
from matching.reasons import PairDetail, SkillSlot, reasons
from matching.scoring import PAY_CODE, FloatArray
from matching.text import TextModel, flat_text_model, tf_weight

MAX_QUERY_TERMS = 64
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
    """Scores of one segment: total (-inf = filtered), components, missing must-haves, km."""

    total: FloatArray
    components: dict[str, FloatArray]
    applies: dict[str, bool]
    distance_km: FloatArray | None


def score_segment(
    q: NeedQuery,
    seg: Segment,
    weights: Weights,
    exclude: Collection[int] = (),
    *,
    apply_filters: bool = True,
) -> SegmentScores:
    """Score every row of a segment for one need (vectorised)."""
    must, nice, verified, n_missing = _skill_sums(q, seg)
    text = _text_scores(q, seg)
    need = q.need
    hours = scoring.hours_fit(seg.hours, need.hours_per_week)
    start = scoring.start_fit(seg.start_day.astype(np.float32) - q.start_day, weights.start_grace_days)
    geo, dist = _geography(q, seg, weights)
    pay = scoring.pay_fit(PAY_CODE[need.pay.kind], need.pay.yen, seg.pay_kind, seg.pay_yen)
    components = {
        "must_have": scoring.coverage(must, q.n_must),
        "nice_to_have": scoring.coverage(nice, q.n_nice),
        "verified": scoring.coverage(verified, len(q.codes)),
        "text": text,
        "availability": scoring.availability(hours, start),
        "geography": geo,
        "pay": pay,
    }
    applies = {
        "must_have": q.n_must > 0,
        "nice_to_have": q.n_nice > 0,
        "verified": len(q.codes) > 0,
        "text": len(q.term_ids) > 0,
        "availability": True,
        "geography": need.work_mode != "remote",
        "pay": True,
    }
    total = scoring.combine(components, applies, weights) * scoring.missing_penalty(n_missing, weights)
    if apply_filters:
        keep = _keep_mask(q, seg, weights, n_missing, dist, exclude)
        total = np.where(keep, total, -np.inf).astype(np.float32)
    return SegmentScores(total, components, applies, dist)


def _skill_sums(
    q: NeedQuery, seg: Segment
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per-row credit sums (must, nice, verified) and missing must-have counts."""
    n = seg.size
    must, nice, verified = (np.zeros(n, np.float32) for _ in range(3))
    must_hits = np.zeros(n, np.float32)
    for col, required, is_must in zip(q.skill_cols, q.required, q.is_must, strict=True):
        rows, values = seg.skills.column(col)
        credit = scoring.skill_credit(values & 7, required)
        if is_must:
            must[rows] += credit
            must_hits[rows] += 1.0
        else:
            nice[rows] += credit
        verified[rows] += np.where(values >> 3 > 0, credit, 0.0).astype(np.float32)
    return must, nice, verified, (np.float32(q.n_must) - must_hits)


def _text_scores(q: NeedQuery, seg: Segment) -> FloatArray:
    """TF-IDF cosine of every row with the need text (only the query terms' postings are read)."""
    if len(q.term_ids) == 0:
        return np.zeros(seg.size, np.float32)
    rows_parts, weight_parts = [], []
    for term_id, weight in zip(q.term_ids.tolist(), q.term_weights.tolist(), strict=True):
        rows, tfs = seg.text.column(term_id)
        rows_parts.append(rows)
        weight_parts.append(tf_weight(tfs) * np.float32(weight))
    raw = np.bincount(
        np.concatenate(rows_parts), weights=np.concatenate(weight_parts), minlength=seg.size
    )
    return np.minimum(raw.astype(np.float32) * seg.text_inv_norm, 1.0)


def _geography(
    q: NeedQuery, seg: Segment, weights: Weights
) -> tuple[FloatArray, FloatArray | None]:
    """Geography component and distances (None for remote needs)."""
    need = q.need
    if need.work_mode == "remote":
        return np.ones(seg.size, np.float32), None
    if need.lat is None or need.lng is None:
        dist = np.full(seg.size, np.nan, np.float32)
    else:
        dist = scoring.haversine_km_rad(seg.lat, seg.lng, np.radians(need.lat), np.radians(need.lng))
    decay = scoring.distance_decay(dist, seg.travel_km)
    in_region = (seg.regions & np.uint64(q.region_bit)) != 0
    return scoring.geography(decay, in_region, weights.region_bonus), dist


def _keep_mask(
    q: NeedQuery,
    seg: Segment,
    weights: Weights,
    n_missing: FloatArray,
    dist: FloatArray | None,
    exclude: Collection[int],
) -> npt.NDArray[np.bool_]:
    """Hard filters: alive, visible and open to offers, accepts the work mode, not excluded."""
    keep = seg.alive & seg.eligible & ((seg.modes & MODE_BIT[q.need.work_mode]) != 0)
    if exclude:
        keep[seg.rows_of(exclude)] = False
    if weights.missing_must == "filter":
        keep &= n_missing == 0
    if weights.beyond_travel == "filter" and dist is not None:
        keep &= dist <= seg.travel_km
    return keep


def top_rows(total: FloatArray, k: int) -> npt.NDArray[np.intp]:
    """Rows of the k best finite scores, best first (ties: lower row first)."""
    if k <= 0 or len(total) == 0:
        return np.empty(0, np.intp)
    if k < len(total):
        part = np.argpartition(-total, k - 1)[:k]
    else:
        part = np.arange(len(total))
    part = part[np.isfinite(total[part])]
    return part[np.lexsort((part, -total[part]))]


def rank(
    need: Need,
    index: CandidateIndex,
    k: int,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    today: dt.date,
    exclude: Collection[int] = (),
) -> list[Match]:
    """The k best candidates for a need, best first, each with reasons.

    Hard filters: not visible, not open to offers, work mode not accepted, ids in ``exclude``
    (already applied or declined), and per ``weights`` missing must-haves / beyond travel.
    Ties are broken by candidate id.
    """
    q = prepare(need, index, today)
    pooled: list[tuple[float, int, int, int]] = []
    scored: list[SegmentScores] = []
    segments = index.segments()
    for seg_no, seg in enumerate(segments):
        scores = score_segment(q, seg, weights, exclude)
        scored.append(scores)
        for row in top_rows(scores.total, k).tolist():
            pooled.append((-float(scores.total[row]), int(seg.ids[row]), seg_no, row))
    chosen = sorted(pooled)[:k]
    matches: dict[tuple[int, int], Match] = {}
    for seg_no, seg in enumerate(segments):
        rows = np.array([row for *_, s, row in chosen if s == seg_no], np.intp)
        details = segment_details(q, seg, rows, scored[seg_no])
        for row, detail in zip(rows.tolist(), details, strict=True):
            matches[(seg_no, row)] = _match(q, seg, scored[seg_no], row, detail)
    return [matches[(s, row)] for *_, s, row in chosen]


def _match(q: NeedQuery, seg: Segment, scores: SegmentScores, row: int, detail: PairDetail) -> Match:
    components = {
        name: round(float(values[row]), 4)
        for name, values in scores.components.items()
        if scores.applies[name]
    }
    total = max(float(scores.total[row]), 0.0)
    return Match(int(seg.ids[row]), q.need.id, round(total, 6), components, reasons(detail))


def segment_details(
    q: NeedQuery, seg: Segment, rows: npt.NDArray[np.intp], scores: SegmentScores
) -> list[PairDetail]:
    """The plain values behind the scores of some rows, for :func:`matching.reasons.reasons`.

    Lookups are batched per skill column and per query term (one searchsorted each).
    """
    values = [seg.skills.lookup(col, rows) for col in q.skill_cols]
    has_term = np.array([seg.text.lookup(t, rows) > 0 for t in q.term_ids.tolist()], np.bool_)
    by_weight = np.argsort(-q.term_weights, kind="stable")
    need = q.need
    out = []
    for i, row in enumerate(rows.tolist()):
        slots = tuple(
            SkillSlot(code, required, is_must, int(v[i]) & 7, int(v[i]) >> 3)
            for code, required, is_must, v in zip(q.codes, q.required, q.is_must, values, strict=True)
        )
        shared = tuple(q.terms[t] for t in by_weight.tolist() if has_term[t, i])
        dist = None if scores.distance_km is None else float(scores.distance_km[row])
        out.append(
            PairDetail(
                skills=slots,
                text_score=float(scores.components["text"][row]),
                shared_terms=shared,
                is_remote=need.work_mode == "remote",
                distance_km=dist,
                travel_km=float(seg.travel_km[row]),
                region=need.subprefecture,
                in_region=bool(int(seg.regions[row]) & q.region_bit),
                hours_available=float(seg.hours[row]),
                hours_needed=float(need.hours_per_week),
                days_late=max(int(seg.start_day[row]) - q.start_day, 0),
                offer_kind=PAY_CODE[need.pay.kind],
                offer_yen=float(need.pay.yen),
                expected_kind=int(seg.pay_kind[row]),
                expected_yen=float(seg.pay_yen[row]),
                pay_score=float(scores.components["pay"][row]),
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
