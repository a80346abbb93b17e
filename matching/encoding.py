"""One candidate as index row values: skill postings (``level | source << 3`` bytes), the per-row
scalars in :class:`matching.index.Segment` order, and those scalars as arrays for a block of rows."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.model import SKILL_SOURCES, WORK_MODES, Candidate
from matching.scoring import PAY_CODE

NO_START = np.iinfo(np.int32).min // 2
MODE_BIT = {mode: 1 << i for i, mode in enumerate(WORK_MODES)}
SOURCE_CODE = {source: i for i, source in enumerate(SKILL_SOURCES)}
MAX_REGIONS = 64
# lat, lng, travel_km, hours, start_day, modes, pay_kind, pay_yen, regions, eligible (visible),
# is_open, does_onsite, onsite_days (inf = no limit), is_student
Scalars = tuple[float, float, float, float, int, int, int, float, int, bool, bool, bool, float, bool]


@dataclass(frozen=True)
class EncodedRow:
    """One candidate encoded against the vocabularies (kept for delta rows only)."""

    id: int
    skill_cols: npt.NDArray[np.int32]
    skill_values: npt.NDArray[np.uint8]
    term_ids: npt.NDArray[np.int32]
    term_tfs: npt.NDArray[np.uint8]
    scalars: Scalars


def encode_skills(
    candidate: Candidate, skill_columns: Mapping[str, int]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
    """Skill columns (ascending) and ``level | source << 3`` bytes; unknown codes are skipped."""
    column, source = skill_columns.get, SOURCE_CODE
    pairs = sorted(
        (col, max(1, min(claim.level, 4)) | source[claim.source] << 3)
        for code, claim in candidate.skills.items()
        if (col := column(code)) is not None
    )
    cols, values = zip(*pairs, strict=True) if pairs else ((), ())
    return np.array(cols, np.int32), np.array(values, np.uint8)


def region_mask(regions: Iterable[str], region_bits: dict[str, int], *, grow: bool) -> int:
    """Bitmask of regions; with ``grow`` unseen region codes get the next free bit."""
    mask = 0
    for region in regions:
        if region not in region_bits:
            if not grow:
                continue
            if len(region_bits) >= MAX_REGIONS:
                raise ValueError(f"more than {MAX_REGIONS} region codes")
            region_bits[region] = len(region_bits)
        mask |= 1 << region_bits[region]
    return mask


def encode_scalars(candidate: Candidate, region_bits: dict[str, int]) -> Scalars:
    """The per-row scalar fields, in :class:`Segment` order (lat/lng in radians, NaN = unknown)."""
    lat = lng = math.nan
    if candidate.lat is not None and candidate.lng is not None:
        lat, lng = math.radians(candidate.lat), math.radians(candidate.lng)
    start = candidate.earliest_start.toordinal() if candidate.earliest_start else NO_START
    modes = sum(MODE_BIT[m] for m in set(candidate.work_modes))
    return (
        float(lat),
        float(lng),
        float(candidate.travel_km),
        float(candidate.hours_per_week),
        int(start),
        modes,
        PAY_CODE[candidate.pay.kind],
        float(candidate.pay.yen),
        region_mask(candidate.regions, region_bits, grow=True),
        bool(candidate.visible),
        bool(candidate.open_to_offers),
        candidate.does_onsite,
        math.inf if candidate.onsite_days_per_month is None else float(candidate.onsite_days_per_month),
        bool(candidate.is_student),
    )


def scalar_arrays(
    scalars: list[Scalars],
) -> dict[str, np.ndarray]:
    n = len(scalars)
    cols = list(zip(*scalars, strict=True)) if n else [()] * 14
    return {
        "lat": np.array(cols[0], np.float32),
        "lng": np.array(cols[1], np.float32),
        "travel_km": np.array(cols[2], np.float32),
        "hours": np.array(cols[3], np.float32),
        "start_day": np.array(cols[4], np.int32),
        "modes": np.array(cols[5], np.uint8),
        "pay_kind": np.array(cols[6], np.uint8),
        "pay_yen": np.array(cols[7], np.float32),
        "regions": np.array(cols[8], np.uint64),
        "eligible": np.array(cols[9], np.bool_),
        "is_open": np.array(cols[10], np.bool_),
        "does_onsite": np.array(cols[11], np.bool_),
        "onsite_days": np.array(cols[12], np.float32),
        "is_student": np.array(cols[13], np.bool_),
    }
