"""Score every row of a segment for one need: the components vectorised over the index's arrays,
and the feasibility bits of every row (the ranker then picks the top rows, see :mod:`matching.rank`)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matching import feasibility, scoring
from matching.index import CandidateIndex, Segment
from matching.languages import Link, need_links
from matching.model import Need, Weights
from matching.scoring import PAY_CODE, FloatArray

# A need's text keeps its 64 heaviest TF-IDF terms (not renormalised: the cosine is then a
# slight underestimate for very long texts; explain() does the same, so scores agree).
MAX_QUERY_TERMS = 64
DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class NeedQuery:
    """A need resolved against an index's vocabularies (skill columns, term ids, region bit); ``links``
    are the glossary pairs its text could meet a text in the other language through, and
    ``text_vocabulary`` the index's term ids (for the ``across_languages`` reasons)."""

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
    links: tuple[Link, ...] = ()
    text_vocabulary: Mapping[str, int] = field(default_factory=dict)

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
        links=need_links(need.text),
        text_vocabulary=index.text_model.vocabulary,
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
