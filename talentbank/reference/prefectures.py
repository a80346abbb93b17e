"""The 47 prefectures' office positions (data/prefecture_capitals.csv, sources in data/PREFECTURES.md).

Read once per process: the file is small and ships with the app, so there is no table for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from talentbank.reference.loader import read_csv


@dataclass(frozen=True)
class PrefectureOffice:
    code: str
    name_ja: str
    name_en: str
    capital_ja: str
    lat: float
    lng: float


@cache
def prefecture_offices() -> dict[str, PrefectureOffice]:
    """Prefecture name in Japanese (e.g. ``"青森県"``) → its office position."""
    return {
        row["prefecture_ja"]: PrefectureOffice(
            row["code"],
            row["prefecture_ja"],
            row["prefecture_en"],
            row["capital_ja"],
            float(row["office_lat"]),
            float(row["office_lng"]),
        )
        for row in read_csv("prefecture_capitals.csv")
    }


def prefecture_place(name_ja: str | None) -> tuple[float, float] | None:
    """The (lat, lng) a home base in another prefecture is measured from; None for 海外 or unknown."""
    office = prefecture_offices().get(name_ja or "")
    return None if office is None else (office.lat, office.lng)
