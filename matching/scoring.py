"""Score components as vectorised numpy functions (each value 0–1).

Every function broadcasts: the same code scores one need against 1M candidate rows, one
candidate against all needs, or a single pair. Arrays are float32 unless stated.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matching.model import PAY_KINDS, PayKind, Weights

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

EARTH_RADIUS_KM = 6371.0088
PAY_CODE: dict[PayKind, int] = {kind: i for i, kind in enumerate(PAY_KINDS)}
_HOURLY, _FIXED, _VOLUNTEER, _INTERNSHIP = (PAY_CODE[k] for k in PAY_KINDS)
COMPONENTS = ("must_have", "nice_to_have", "verified", "text", "availability", "geography", "pay")


def skill_credit(level: npt.ArrayLike, required: npt.ArrayLike) -> FloatArray:
    """Credit for one needed skill: min(level / required, 1); 0 when the person lacks it.

    ``level`` 0 means absent; ``required`` is the minimum level 1–4. Level 2 against a
    required 4 counts 0.5.
    """
    lv = np.asarray(level, dtype=np.float32)
    req = np.maximum(np.asarray(required, dtype=np.float32), 1.0)
    return np.minimum(lv / req, 1.0).astype(np.float32)


def coverage(credit_sum: npt.ArrayLike, n_skills: npt.ArrayLike) -> FloatArray:
    """Mean credit over a need's skills (must-haves or nice-to-haves); 0 when there are none."""
    n = np.asarray(n_skills, dtype=np.float32)
    return np.where(n > 0, np.asarray(credit_sum, np.float32) / np.maximum(n, 1.0), 0.0).astype(np.float32)


def hours_fit(available: npt.ArrayLike, needed: npt.ArrayLike) -> FloatArray:
    """min(available / needed, 1) hours per week; 1 when the need states no hours."""
    av = np.asarray(available, dtype=np.float32)
    nd = np.asarray(needed, dtype=np.float32)
    return np.where(nd > 0, np.minimum(av / np.maximum(nd, 1e-6), 1.0), 1.0).astype(np.float32)


def start_fit(days_late: npt.ArrayLike, grace_days: int) -> FloatArray:
    """1 if the person is free by the start; falls linearly to 0 at ``grace_days`` late."""
    fit = np.array(days_late, dtype=np.float32)  # one copy, then in place: the ranker calls this on 1M rows
    fit *= np.float32(-1.0 / max(grace_days, 1))
    fit += np.float32(1.0)
    return np.clip(fit, 0.0, 1.0, out=fit)


def availability(hours: FloatArray, start: FloatArray) -> FloatArray:
    """Mean of hours fit and start fit."""
    return ((hours + start) * 0.5).astype(np.float32)


def haversine_km(lat1: npt.ArrayLike, lng1: npt.ArrayLike, lat2: npt.ArrayLike, lng2: npt.ArrayLike) -> FloatArray:
    """Great-circle distance in km between points given in degrees (NaN in → NaN out)."""
    return haversine_km_rad(*(np.radians(np.asarray(v, dtype=np.float32)) for v in (lat1, lng1, lat2, lng2)))


def haversine_km_rad(lat1: npt.ArrayLike, lng1: npt.ArrayLike, lat2: npt.ArrayLike, lng2: npt.ArrayLike) -> FloatArray:
    """Great-circle distance in km between points given in radians."""
    p1, p2 = np.asarray(lat1, np.float32), np.asarray(lat2, np.float32)
    dlat = p2 - p1
    dlng = np.asarray(lng2, np.float32) - np.asarray(lng1, np.float32)
    a = np.sin(dlat * 0.5) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlng * 0.5) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float32)


def distance_decay(distance_km: npt.ArrayLike, travel_km: npt.ArrayLike) -> FloatArray:
    """1 - (d / limit)² inside the person's travel limit, 0 beyond it, when unknown (NaN) or
    when the limit is 0 (the person does not travel). Flat near home, steeper near the limit."""
    d = np.asarray(distance_km, dtype=np.float32)
    limit = np.asarray(travel_km, dtype=np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_limit = np.where(limit > 0, np.float32(1.0) / limit, np.float32(np.inf))
        ratio = d * inv_limit
        # fmin ignores NaN: unknown distance (or 0 km with no travel) gives ratio 1 → 0
        return np.asarray(1.0 - np.fmin(ratio * ratio, 1.0), dtype=np.float32)


def geography(decay: FloatArray, in_region: BoolArray, region_bonus: float) -> FloatArray:
    """Distance decay plus ``region_bonus`` when the need is in a region of interest (≤ 1)."""
    return np.minimum(decay + np.where(in_region, region_bonus, 0.0), 1.0).astype(np.float32)


def pay_fit(
    offer_kind: npt.ArrayLike,
    offer_yen: npt.ArrayLike,
    expect_kind: npt.ArrayLike,
    expect_yen: npt.ArrayLike,
) -> FloatArray:
    """How well an offer meets an expectation, 0–1 (kinds are :data:`PAY_CODE` integers).

    - no expectation (volunteer, or 0 yen): 1;
    - same kind (hourly/hourly, fixed/fixed, internship/internship): min(offer / expected, 1);
    - a paid expectation against a volunteer or unpaid offer: 0;
    - other kind pairs (hourly vs fixed) cannot be compared without an end date: 0.5.
    """
    ok = np.asarray(offer_kind)
    oy = np.asarray(offer_yen, dtype=np.float32)
    ek = np.asarray(expect_kind)
    ey = np.asarray(expect_yen, dtype=np.float32)
    no_expectation = (ek == _VOLUNTEER) | (ey <= 0)
    unpaid_offer = (ok == _VOLUNTEER) | (oy <= 0)
    ratio = np.minimum(oy / np.maximum(ey, 1.0), 1.0)
    fit = np.where(ok == ek, ratio, np.where(unpaid_offer, 0.0, 0.5))
    return np.where(no_expectation, 1.0, fit).astype(np.float32)


def combine(
    components: dict[str, FloatArray],
    applies: dict[str, bool | BoolArray],
    weights: Weights,
) -> FloatArray:
    """Weighted mean of the components that apply (0–1); ``applies`` may vary per row."""
    total: FloatArray | float = 0.0
    weight_sum: FloatArray | float = 0.0
    for name in COMPONENTS:
        w = np.float32(getattr(weights, name))
        if w <= 0:
            continue
        w_row = np.where(applies[name], w, np.float32(0.0)).astype(np.float32)
        total = total + w_row * components[name]
        weight_sum = weight_sum + w_row
    ws = np.asarray(weight_sum, dtype=np.float32)
    out = np.where(ws > 0, np.asarray(total, np.float32) / np.maximum(ws, 1e-9), 0.0)
    return out.astype(np.float32)


def missing_penalty(n_missing: npt.ArrayLike, weights: Weights) -> FloatArray:
    """Score multiplier for missing must-haves: ``missing_must_factor ** n_missing``.

    With ``missing_must="filter"`` the multiplier is 0 for any missing must-have (and the
    ranker drops those rows).
    """
    missing = np.asarray(n_missing, dtype=np.float32)
    if weights.missing_must == "filter":
        return np.where(missing > 0, 0.0, 1.0).astype(np.float32)
    return np.power(np.float32(weights.missing_must_factor), missing).astype(np.float32)
