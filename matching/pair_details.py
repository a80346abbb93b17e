"""The plain values behind the scores of the chosen rows, and the match (score, components, reasons)
each becomes: the reasons' side of ranking (:mod:`matching.reasons` turns a detail into codes)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matching import scoring
from matching.index import Segment
from matching.languages import across_reasons, link_terms
from matching.model import Match, Reason
from matching.reasons import PairDetail, SkillSlot, reasons
from matching.scoring import PAY_CODE
from matching.segment_scores import NeedQuery, SegmentScores

# Shared terms for the text_overlap reason are looked for among the 24 heaviest query terms.
MAX_REASON_TERMS = 24


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


def match_of(q: NeedQuery, seg: Segment, scores: SegmentScores, row: int, detail: PairDetail) -> Match:
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
    across = _across_languages(q, seg, rows)
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
                across_languages=across[i],
            )
        )
    return out


def _across_languages(q: NeedQuery, seg: Segment, rows: npt.NDArray[np.intp]) -> list[tuple[Reason, ...]]:
    """The ``across_languages`` reasons of each row: one posting lookup per term the need's links test."""
    if not q.links or len(rows) == 0:
        return [()] * len(rows)
    vocabulary = q.text_vocabulary
    held = {t: seg.text.lookup(vocabulary[t], rows) > 0 for t in link_terms(q.links) if t in vocabulary}
    return [across_reasons(q.links, lambda t, i=i: t in held and bool(held[t][i])) for i in range(len(rows))]
