"""The labelled evaluation sets (data/eval_set.json, data/trap_set.json) as engine values, and the
measures read on them (nDCG@k, P@k); shared by the tests and bench/matching_eval.py."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

from matching_support import DATA, municipalities

from matching import Candidate, Need, Pay, SkillClaim

Place = tuple[float | None, float | None, str | None]


@dataclass(frozen=True)
class EvalSet:
    """Profiles, projects and labels (project id → candidate id → grade); ``infeasible``: project id →
    candidate id → the rule that stops the pair, as the set's rubric judged it (trap set only)."""

    today: dt.date
    candidates: list[Candidate]
    needs: list[Need]
    labels: dict[int, dict[int, int]]
    infeasible: dict[int, dict[int, str]]
    traps: dict[int, str]
    notes: dict[int, str]


def load_eval_set(name: str = "eval_set.json") -> EvalSet:
    doc = json.loads((DATA / name).read_text(encoding="utf-8"))
    today = dt.date.fromisoformat(doc["today"])
    places: dict[str, Place] = dict(municipalities())
    for town, (lat, lng) in doc.get("coordinates_outside_hokkaido", {}).items():
        places[town] = (lat, lng, None)
    projects = doc["projects"]
    return EvalSet(
        today=today,
        candidates=[_candidate(p, today, places) for p in doc["profiles"]],
        needs=[_need(p, today, places) for p in projects],
        labels={p["id"]: {int(k): v for k, v in p["relevance"].items()} for p in projects},
        infeasible={p["id"]: {int(k): v for k, v in p.get("infeasible", {}).items()} for p in projects},
        traps={p["id"]: p.get("trap", "") for p in projects},
        notes={p["id"]: p["note"] for p in doc["profiles"] if p.get("note")},
    )


def _candidate(p: dict, today: dt.date, places: dict[str, Place]) -> Candidate:
    home = places[p["home"]] if p["home"] else (None, None, None)
    return Candidate(
        id=p["id"],
        skills={c: SkillClaim(s["level"], s["source"]) for c, s in p["skills"].items()},
        text=p["text"],
        lat=home[0],
        lng=home[1],
        travel_km=p["travel_km"],
        regions=frozenset(p["regions"]),
        hours_per_week=p["hours_per_week"],
        earliest_start=today + dt.timedelta(days=p["start_in_days"]),
        work_modes=frozenset(p["work_modes"]),
        pay=Pay(p["pay"]["kind"], p["pay"]["yen"]),
        open_to_offers=p.get("open_to_offers", True),
        visible=p.get("visible", True),
        onsite_days_per_month=p.get("onsite_days_per_month"),
        is_student=p.get("is_student", False),
    )


def _need(p: dict, today: dt.date, places: dict[str, Place]) -> Need:
    lat, lng, subprefecture = places[p["municipality"]]
    return Need(
        id=p["id"],
        must_have=p["must_have"],
        nice_to_have=p["nice_to_have"],
        text=f"{p['title']}\n{p['text']}",
        work_mode=p["work_mode"],
        lat=lat,
        lng=lng,
        subprefecture=subprefecture,
        hours_per_week=p["hours_per_week"],
        start=today + dt.timedelta(days=p["start_in_days"]),
        pay=Pay(p["pay"]["kind"], p["pay"]["yen"]),
        onsite_days_per_month=p.get("onsite_days_per_month"),
        students_only=p.get("students_only", False),
        start_slack_days=p.get("start_slack_days", 30),
    )


def ndcg_at(k: int, ranked_ids: list[int], grades: dict[int, int]) -> float:
    """nDCG@k with gains 2^rel − 1; unjudged ids count as 0."""
    dcg = sum((2 ** grades.get(c, 0) - 1) / math.log2(i + 2) for i, c in enumerate(ranked_ids[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def rule_stops(need: Need, c: Candidate) -> str | None:
    """The first rule of #17 that stops a pair, read plainly from the facts (not through the engine's
    vectorised :mod:`matching.feasibility`): for the eval set, which has no feasibility labels."""
    onsite = need.work_mode == "onsite" or (need.work_mode == "hybrid" and bool(need.onsite_days_per_month))
    late = (c.earliest_start - need.start).days if c.earliest_start and need.start else 0
    if not (c.open_to_offers and c.visible):
        return "not_open"
    if need.students_only and not c.is_student:
        return "students_only"
    if onsite and not ({"onsite", "hybrid"} & set(c.work_modes)):
        return "no_onsite"
    if onsite and None in (c.lat, c.lng, need.lat, need.lng):
        return "place_unknown"
    if onsite and _km(c.lat, c.lng, need.lat, need.lng) > c.travel_km:  # type: ignore[arg-type]
        return "beyond_travel"
    if onsite and c.onsite_days_per_month is not None and (need.onsite_days_per_month or 0) > c.onsite_days_per_month:
        return "onsite_days"
    if 0 < c.hours_per_week < 0.3 * need.hours_per_week:
        return "short_hours"
    if late > need.start_slack_days:
        return "late_start"
    return None


def _km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2, dp, dl = map(math.radians, (lat1, lat2, lat2 - lat1, lng2 - lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def precision_at(k: int, ranked_ids: list[int], grades: dict[int, int]) -> tuple[float, float]:
    """P@k (share of the top k judged relevant, grade ≥ 1) and its ceiling min(k, relevant) / k."""
    hits = sum(1 for c in ranked_ids[:k] if grades.get(c, 0) > 0)
    relevant = sum(1 for g in grades.values() if g > 0)
    return hits / k, min(k, relevant) / k


def reachable_ceiling(k: int, grades: dict[int, int], stopped: set[int]) -> float:
    """The P@k ceiling counting only the relevant people no feasibility rule stops (``stopped``): the
    ranked list may not show the others, whatever their grade."""
    return min(k, sum(1 for c, g in grades.items() if g > 0 and c not in stopped)) / k
