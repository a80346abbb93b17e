"""The reverse direction: projects (needs) for one person, with the same components and reasons.

Needs are few (hundreds to thousands of open projects), so the need index is rebuilt whole
with :func:`build_need_index` whenever a project changes (about 1 ms per 20 needs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching import feasibility, scoring
from matching.encoding import SOURCE_CODE
from matching.languages import across_reasons, need_links
from matching.model import WORK_MODES, Candidate, Match, Need, Weights
from matching.rank import DEFAULT_WEIGHTS, top_rows
from matching.reasons import PairDetail, SkillSlot, reasons
from matching.scoring import PAY_CODE, FloatArray
from matching.text import TextModel, fit_text_model, term_counts, terms


@dataclass(frozen=True)
class NeedIndex:
    """Open needs as arrays: one row per need, one *slot* per (need, skill)."""

    needs: tuple[Need, ...]
    skill_columns: Mapping[str, int]
    text_model: TextModel
    text: sp.csr_matrix
    slot_need: npt.NDArray[np.intp]
    slot_col: npt.NDArray[np.intp]
    slot_required: FloatArray
    slot_is_must: npt.NDArray[np.bool_]
    n_must: FloatArray
    n_nice: FloatArray
    lat: FloatArray
    lng: FloatArray
    is_remote: npt.NDArray[np.bool_]
    work_mode: npt.NDArray[np.int8]  # index into WORK_MODES
    need_ids: npt.NDArray[np.int64]
    hours: FloatArray
    start_day: npt.NDArray[np.int64]
    pay_kind: npt.NDArray[np.int64]
    pay_yen: FloatArray
    needs_onsite: npt.NDArray[np.bool_]
    onsite_days: FloatArray  # 0 = not said
    students_only: npt.NDArray[np.bool_]
    start_slack: npt.NDArray[np.int64]


def build_need_index(
    needs: Sequence[Need], vocabulary: Sequence[str], *, text_model: TextModel | None = None
) -> NeedIndex:
    """Index needs against a skill vocabulary; the text model is fitted on the need texts
    unless one is given (e.g. the candidate index's, for identical text scores both ways)."""
    skill_columns = {code: i for i, code in enumerate(vocabulary)}
    model = text_model or fit_text_model([term_counts(n.text) for n in needs])
    slots = [
        (row, code, level, is_must) for row, need in enumerate(needs) for code, level, is_must in _need_slots(need)
    ]
    nan = float("nan")
    return NeedIndex(
        needs=tuple(needs),
        skill_columns=skill_columns,
        text_model=model,
        text=_text_matrix(needs, model),
        slot_need=np.array([s[0] for s in slots], np.intp),
        slot_col=np.array([skill_columns.get(s[1], len(vocabulary)) for s in slots], np.intp),
        slot_required=np.array([max(1, min(s[2], 4)) for s in slots], np.float32),
        slot_is_must=np.array([s[3] for s in slots], np.bool_),
        n_must=np.array([len(n.must_have) for n in needs], np.float32),
        n_nice=np.array([len(_need_slots(n)) - len(n.must_have) for n in needs], np.float32),
        lat=np.radians(np.array([nan if n.lat is None else n.lat for n in needs], np.float32)),
        lng=np.radians(np.array([nan if n.lng is None else n.lng for n in needs], np.float32)),
        is_remote=np.array([n.work_mode == "remote" for n in needs], np.bool_),
        work_mode=np.array([WORK_MODES.index(n.work_mode) for n in needs], np.int8),
        need_ids=np.array([n.id for n in needs], np.int64),
        hours=np.array([n.hours_per_week for n in needs], np.float32),
        start_day=np.array([n.start.toordinal() if n.start else 0 for n in needs], np.int64),
        pay_kind=np.array([PAY_CODE[n.pay.kind] for n in needs], np.int64),
        pay_yen=np.array([n.pay.yen for n in needs], np.float32),
        needs_onsite=np.array([n.needs_onsite for n in needs], np.bool_),
        onsite_days=np.array([n.onsite_days_per_month or 0 for n in needs], np.float32),
        students_only=np.array([n.students_only for n in needs], np.bool_),
        start_slack=np.array([n.start_slack_days for n in needs], np.int64),
    )


def _need_slots(need: Need) -> list[tuple[str, int, bool]]:
    slots = [(c, lv, True) for c, lv in need.must_have.items()]
    return slots + [(c, lv, False) for c, lv in need.nice_to_have.items() if c not in need.must_have]


def _text_matrix(needs: Sequence[Need], model: TextModel) -> sp.csr_matrix:
    rows, cols, vals = [], [], []
    for row, need in enumerate(needs):
        ids, weights = model.vector(need.text)
        rows.append(np.full(len(ids), row, np.int32))
        cols.append(ids)
        vals.append(weights)
    shape = (len(needs), len(model.idf))
    if not needs:
        empty = np.zeros(0, np.int32)
        return sp.csr_matrix((np.zeros(0, np.float32), (empty, empty)), shape=shape)
    data = (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols)))
    return sp.csr_matrix(data, shape=shape, dtype=np.float32)


def rank_projects(
    candidate: Candidate,
    needs_index: NeedIndex,
    k: int,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    today: dt.date,
    exclude: Collection[int] = (),
) -> list[Match]:
    """The k best needs for a person, best first, with reasons (same components as ``rank``).

    Never ranked: need ids in ``exclude`` (already applied), missing must-haves under
    ``weights.missing_must="filter"``, and every need the person cannot do by the rules of
    :mod:`matching.feasibility` (being open to offers and visible does not matter here: they are
    looking, not being found).
    """
    ix = needs_index
    levels, sources = skill_vectors(candidate, ix)
    credit = scoring.skill_credit(levels[ix.slot_col], ix.slot_required)
    m = len(ix.needs)

    def per_need(values: npt.ArrayLike) -> FloatArray:
        return np.bincount(ix.slot_need, weights=values, minlength=m).astype(np.float32)

    must_hits = per_need((levels[ix.slot_col] > 0) & ix.slot_is_must)
    n_missing = ix.n_must - must_hits
    text = _text_scores(candidate, ix)
    start_day = np.maximum(ix.start_day, today.toordinal())
    cand_start = candidate.earliest_start.toordinal() if candidate.earliest_start else 0
    dist = _distances(candidate, ix)
    decay = scoring.distance_decay(dist, candidate.travel_km)
    in_region = np.array([n.subprefecture in candidate.regions for n in ix.needs], np.bool_)
    components = {
        "must_have": scoring.coverage(per_need(credit * ix.slot_is_must), ix.n_must),
        "nice_to_have": scoring.coverage(per_need(credit * ~ix.slot_is_must), ix.n_nice),
        "verified": scoring.coverage(per_need(credit * (sources[ix.slot_col] > 0)), ix.n_must + ix.n_nice),
        "text": text,
        "availability": scoring.availability(
            scoring.hours_fit(candidate.hours_per_week, ix.hours),
            scoring.start_fit(cand_start - start_day, weights.start_grace_days),
        ),
        "geography": np.where(ix.is_remote, 1.0, scoring.geography(decay, in_region, weights.region_bonus)).astype(
            np.float32
        ),
        "pay": scoring.pay_fit(ix.pay_kind, ix.pay_yen, PAY_CODE[candidate.pay.kind], candidate.pay.yen),
    }
    applies: dict[str, bool | npt.NDArray[np.bool_]] = {
        "must_have": ix.n_must > 0,
        "nice_to_have": ix.n_nice > 0,
        "verified": (ix.n_must + ix.n_nice) > 0,
        "text": np.diff(ix.text.indptr) > 0,
        "availability": True,
        "geography": ~ix.is_remote,
        "pay": True,
    }
    total = scoring.combine(components, applies, weights) * scoring.missing_penalty(n_missing, weights)
    keep = _keep(ix, weights, n_missing, exclude) & (need_blockers(candidate, ix, dist, today) == 0)
    total = np.where(keep, total, -np.inf).astype(np.float32)
    return [
        _match(candidate, ix, row, total, components, applies, dist, levels, sources, today)
        for row in top_rows(total, k, np.array([n.id for n in ix.needs], np.int64)).tolist()
    ]


def skill_vectors(candidate: Candidate, ix: NeedIndex) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Dense level and source vectors over the vocabulary (+1 slot for unknown codes)."""
    size = len(ix.skill_columns) + 1
    levels = np.zeros(size, np.float32)
    sources = np.zeros(size, np.int64)
    for code, claim in candidate.skills.items():
        col = ix.skill_columns.get(code)
        if col is not None:
            levels[col] = max(1, min(claim.level, 4))
            sources[col] = SOURCE_CODE[claim.source]
    return levels, sources


def _text_scores(candidate: Candidate, ix: NeedIndex) -> FloatArray:
    ids, weights = ix.text_model.vector(candidate.text)
    dense = np.zeros(len(ix.text_model.idf), np.float32)
    dense[ids] = weights
    return np.minimum(np.asarray(ix.text @ dense, dtype=np.float32), 1.0)


def _distances(candidate: Candidate, ix: NeedIndex) -> FloatArray:
    if candidate.lat is None or candidate.lng is None:
        return np.full(len(ix.needs), np.nan, np.float32)
    lat, lng = np.radians(candidate.lat), np.radians(candidate.lng)
    return scoring.haversine_km_rad(lat, lng, ix.lat, ix.lng)


def need_blockers(
    candidate: Candidate, ix: NeedIndex, dist: FloatArray | None, today: dt.date
) -> npt.NDArray[np.uint8]:
    """The feasibility bits of every need for the person (``not_open`` never applies: they look)."""
    if dist is None:
        dist = _distances(candidate, ix)
    start_day = np.maximum(ix.start_day, today.toordinal())
    cand_start = candidate.earliest_start.toordinal() if candidate.earliest_start else 0
    days = candidate.onsite_days_per_month
    return feasibility.blockers(
        feasibility.PairFacts(
            is_open=True,
            students_only=ix.students_only,
            is_student=candidate.is_student,
            needs_onsite=ix.needs_onsite,
            person_onsite=candidate.does_onsite,
            distance_km=dist,
            travel_km=candidate.travel_km,
            need_days=ix.onsite_days,
            person_days=np.inf if days is None else days,
            hours=candidate.hours_per_week,
            need_hours=ix.hours,
            days_late=np.where(cand_start > 0, cand_start - start_day, 0),
            slack_days=ix.start_slack,
        )
    )


def _keep(ix: NeedIndex, weights: Weights, n_missing: FloatArray, exclude: Collection[int]) -> npt.NDArray[np.bool_]:
    keep = np.ones(len(ix.needs), np.bool_)
    if exclude:
        keep &= np.array([n.id not in exclude for n in ix.needs], np.bool_)
    if weights.missing_must == "filter":
        keep &= n_missing == 0
    return keep


def _match(
    candidate: Candidate,
    ix: NeedIndex,
    row: int,
    total: FloatArray,
    components: dict[str, FloatArray],
    applies: dict[str, bool | npt.NDArray[np.bool_]],
    dist: FloatArray,
    levels: FloatArray,
    sources: npt.NDArray[np.int64],
    today: dt.date,
) -> Match:
    need = ix.needs[row]
    shown = {
        name: round(float(values[row]), 4)
        for name, values in components.items()
        if bool(np.broadcast_to(applies[name], (len(ix.needs),))[row])
    }
    slots = tuple(
        SkillSlot(
            code,
            max(1, min(required, 4)),
            is_must,
            int(levels[ix.skill_columns.get(code, -1)]),
            int(sources[ix.skill_columns.get(code, -1)]),
        )
        for code, required, is_must in _need_slots(need)
    )
    start = max(need.start, today) if need.start else today
    late = (candidate.earliest_start - start).days if candidate.earliest_start else 0
    detail = PairDetail(
        skills=slots,
        text_score=float(components["text"][row]),
        shared_terms=_shared_terms(need.text, candidate.text, ix.text_model),
        is_remote=need.work_mode == "remote",
        distance_km=None if np.isnan(dist[row]) else float(dist[row]),
        travel_km=candidate.travel_km,
        region=need.subprefecture,
        in_region=need.subprefecture in candidate.regions,
        hours_available=candidate.hours_per_week,
        hours_needed=need.hours_per_week,
        days_late=max(late, 0),
        offer_kind=PAY_CODE[need.pay.kind],
        offer_yen=float(need.pay.yen),
        expected_kind=PAY_CODE[candidate.pay.kind],
        expected_yen=float(candidate.pay.yen),
        pay_score=float(components["pay"][row]),
        across_languages=across_reasons(need_links(need.text), set(terms(candidate.text)).__contains__),
    )
    return Match(candidate.id, need.id, round(max(float(total[row]), 0.0), 6), shown, reasons(detail))


def _shared_terms(need_text: str, candidate_text: str, model: TextModel) -> tuple[str, ...]:
    """Terms of both texts known to the model, by need-side weight (highest first)."""
    ids, weights = model.vector(need_text)
    theirs = set(model.encode(candidate_text)[0].tolist())
    ranked = sorted(((-w, model.terms[i]) for i, w in zip(ids.tolist(), weights.tolist(), strict=True) if i in theirs))
    return tuple(t for _, t in ranked)
