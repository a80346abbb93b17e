"""Shared helpers for the matching unit tests: small constructors and reference data copies."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from matching import Candidate, Need, Pay, SkillClaim

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 22)
SAPPORO = (43.06208877, 141.3543886)
OBIHIRO = (42.92336111, 143.1961111)


def skill_codes() -> list[str]:
    """DSS skill codes (copy of the reference list in data/dss.csv)."""
    with open(DATA / "dss.csv", encoding="utf-8") as f:
        return [row["id"] for row in csv.DictReader(f)]


def municipalities() -> dict[str, tuple[float, float, str]]:
    """name_ja → (office lat, office lng, subprefecture_en), from data/municipalities.csv."""
    with open(DATA / "municipalities.csv", encoding="utf-8") as f:
        return {
            r["name_ja"]: (float(r["office_lat"]), float(r["office_lng"]), r["subprefecture_en"])
            for r in csv.DictReader(f)
        }


def need(**fields: object) -> Need:
    """A remote need with one must-have (dssp2-36 at level 2) unless overridden."""
    base: dict[str, object] = {
        "id": 1,
        "must_have": {"dssp2-36": 2},
        "text": "",
        "work_mode": "remote",
        "hours_per_week": 0.0,
        "start": TODAY,
        "pay": Pay("volunteer"),
    }
    base.update(fields)
    return Need(**base)  # type: ignore[arg-type]


def candidate(id: int = 1, skills: dict[str, int | tuple[int, str]] | None = None, **fields: object) -> Candidate:
    """A candidate; ``skills`` maps code → level or (level, source)."""
    claims = {
        code: SkillClaim(*value) if isinstance(value, tuple) else SkillClaim(value)
        for code, value in (skills or {}).items()
    }
    return Candidate(id=id, skills=claims, **fields)  # type: ignore[arg-type]
