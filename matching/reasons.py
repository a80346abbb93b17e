"""Reasons for one pair: codes and numbers, never sentences (the app translates them).

Codes and their numbers (``subject`` in brackets):

- ``must_have_met`` / ``nice_to_have_met`` [skill]: level, required, verified (0/1), source
  (0 self, 1 badge, 2 project);
- ``must_have_partial`` / ``nice_to_have_partial`` [skill]: level, required, verified, source;
- ``must_have_missing`` / ``nice_to_have_missing`` [skill]: required;
- ``verified_skill`` [skill]: level, source;
- ``text_overlap``: score (cosine 0–1), ``terms`` = shared terms (up to 8);
- ``across_languages`` [``ja_en``: a Japanese project met by an English profile, ``en_ja`` the
  reverse]: ``terms`` = the glossary pairs that met, ``"酪農 = dairy"`` (see :mod:`matching.languages`);
- ``remote``; ``distance_km``: km; ``within_travel`` / ``beyond_travel``: km, limit_km;
  ``distance_unknown`` (home outside Hokkaido or need without a place);
- ``region_of_interest`` [subprefecture];
- ``hours_ok`` / ``hours_short``: available, required (hours per week);
- ``start_ok`` / ``start_late``: days_late;
- ``pay_ok`` / ``pay_below_expectation`` / ``pay_not_comparable`` [offer kind]: offer, expected (yen).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from matching.model import PAY_KINDS, Reason

MAX_TERMS = 8


@dataclass(frozen=True)
class SkillSlot:
    """One needed skill and what the person has: level 0 = absent; source 0/1/2."""

    code: str
    required: int
    is_must: bool
    level: int
    source: int


@dataclass(frozen=True)
class PairDetail:
    """Everything the reasons need about one (need, candidate) pair, as plain values."""

    skills: tuple[SkillSlot, ...]
    text_score: float
    shared_terms: tuple[str, ...]
    is_remote: bool
    distance_km: float | None
    travel_km: float
    region: str | None
    in_region: bool
    hours_available: float
    hours_needed: float
    days_late: int
    offer_kind: int
    offer_yen: float
    expected_kind: int
    expected_yen: float
    pay_score: float
    across_languages: tuple[Reason, ...] = ()


def reasons(detail: PairDetail) -> tuple[Reason, ...]:
    """All reasons for a pair, in display order: skills, text, place, time, pay."""
    return (
        *_skill_reasons(detail.skills),
        *_text_reasons(detail),
        *_place_reasons(detail),
        *_time_reasons(detail),
        *_pay_reasons(detail),
    )


def _skill_reasons(slots: tuple[SkillSlot, ...]) -> list[Reason]:
    out: list[Reason] = []
    for slot in slots:
        prefix = "must_have" if slot.is_must else "nice_to_have"
        if slot.level == 0:
            out.append(Reason(f"{prefix}_missing", slot.code, {"required": slot.required}))
            continue
        verified = 1 if slot.source > 0 else 0
        numbers = {
            "level": slot.level,
            "required": slot.required,
            "verified": verified,
            "source": slot.source,
        }
        status = "met" if slot.level >= slot.required else "partial"
        out.append(Reason(f"{prefix}_{status}", slot.code, numbers))
    for slot in slots:
        if slot.level > 0 and slot.source > 0:
            out.append(Reason("verified_skill", slot.code, {"level": slot.level, "source": slot.source}))
    return out


def _text_reasons(detail: PairDetail) -> list[Reason]:
    if not detail.shared_terms:
        return []
    score = round(detail.text_score, 3)
    overlap = Reason("text_overlap", numbers={"score": score}, terms=detail.shared_terms[:MAX_TERMS])
    return [overlap, *detail.across_languages]


def _place_reasons(detail: PairDetail) -> list[Reason]:
    if detail.is_remote:
        return [Reason("remote")]
    out: list[Reason] = []
    if detail.distance_km is None or math.isnan(detail.distance_km):
        out.append(Reason("distance_unknown"))
    else:
        km = round(detail.distance_km, 1)
        out.append(Reason("distance_km", numbers={"km": km}))
        code = "within_travel" if detail.distance_km <= detail.travel_km else "beyond_travel"
        out.append(Reason(code, numbers={"km": km, "limit_km": detail.travel_km}))
    if detail.in_region:
        out.append(Reason("region_of_interest", detail.region))
    return out


def _time_reasons(detail: PairDetail) -> list[Reason]:
    out: list[Reason] = []
    if detail.hours_needed > 0:
        code = "hours_ok" if detail.hours_available >= detail.hours_needed else "hours_short"
        numbers = {"available": detail.hours_available, "required": detail.hours_needed}
        out.append(Reason(code, numbers=numbers))
    if detail.days_late > 0:
        out.append(Reason("start_late", numbers={"days_late": detail.days_late}))
    else:
        out.append(Reason("start_ok", numbers={"days_late": 0}))
    return out


def _pay_reasons(detail: PairDetail) -> list[Reason]:
    numbers = {"offer": detail.offer_yen, "expected": detail.expected_yen}
    kind = PAY_KINDS[detail.offer_kind]
    if detail.pay_score >= 1.0:
        return [Reason("pay_ok", kind, numbers)]
    comparable = detail.offer_kind == detail.expected_kind or detail.pay_score == 0.0
    code = "pay_below_expectation" if comparable else "pay_not_comparable"
    return [Reason(code, kind, numbers)]
