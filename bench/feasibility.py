"""Feasibility before score, measured: infeasible people in the top 5 / top 10, score only vs the engine.

    .venv/bin/python bench/feasibility.py               # 100k profiles, 200 projects
    .venv/bin/python bench/feasibility.py --profiles 20000 --projects 100

One run, one population, one set of projects. *Before* is the score alone (every component, reasons
for the top k, only invisible profiles left out: what the ranking did when distance, hours and the
like only lowered a score); *after* is ``matching.rank`` (feasibility first). Each top list is
checked by a plain-Python reading of the rules written here, independent of matching/feasibility.py,
so "0 after" is not the engine grading itself. Ranking times are p50/p99 over the same projects.

Population (synthetic, Hokkaido-shaped): homes at real municipality offices (copies in
tests/unit/matching/data/), 8 % in another prefecture (measured from its office,
talentbank/data/prefecture_capitals.csv), 2 % abroad (no place); 40 % remote only, 20 % on site
only, 40 % both; travel limits 10–200 km; on-site days a month 1–8 or no limit; 2–40 h a week;
free from 30 days ago to 120 days ahead; 10 % students; 90 % open to offers. Projects: 40 % remote,
25 % on site, 35 % hybrid (on-site days 1–8 a month, or unsaid); 4–24 h a week; 5 % students only.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matching_data import _zipf_probs, load_municipalities, load_skills, synthetic_text  # noqa: E402
from matching import Candidate, Need, Pay, SkillClaim, build_index, rank  # noqa: E402
from matching.index import CandidateIndex  # noqa: E402
from matching.pair_details import segment_details  # noqa: E402
from matching.rank import top_rows  # noqa: E402
from matching.segment_scores import DEFAULT_WEIGHTS, prepare, score_segment  # noqa: E402

TODAY = dt.date(2026, 12, 7)
EARTH_KM = 6371.0088
WAYS = [frozenset({"remote"}), frozenset({"onsite"}), frozenset({"remote", "onsite"})]


def prefecture_offices() -> list[tuple[float, float]]:
    with open(ROOT / "talentbank" / "data" / "prefecture_capitals.csv", encoding="utf-8") as f:
        return [(float(r["office_lat"]), float(r["office_lng"])) for r in csv.DictReader(f) if r["code"] != "01"]


def population(n: int, seed: int, towns: list, skills: list[str]) -> list[Candidate]:
    rng = np.random.default_rng(seed)
    probs = _zipf_probs(len(skills), 0.8)
    offices = prefecture_offices()
    regions = sorted({t[3] for t in towns})
    sources = ["self"] * 7 + ["badge"] * 2 + ["project"]
    out = []
    for i in range(n):
        where = rng.random()
        town = towns[int(rng.integers(len(towns)))]
        if where < 0.90:
            lat, lng = town[1], town[2]
        elif where < 0.98:
            lat, lng = offices[int(rng.integers(len(offices)))]
        else:
            lat = lng = None
        k = int(rng.integers(3, 11))
        codes = rng.choice(len(skills), size=k, p=probs).tolist()
        out.append(
            Candidate(
                id=i + 1,
                skills={skills[c]: SkillClaim(int(rng.integers(1, 5)), sources[int(rng.integers(10))]) for c in codes},
                text=synthetic_text(rng, town[0], 2 + i % 3),
                lat=lat,
                lng=lng,
                travel_km=float(rng.choice([10, 20, 50, 100, 200])),
                regions=frozenset(rng.choice(regions, size=int(rng.integers(0, 3)), replace=False).tolist()),
                hours_per_week=float(rng.integers(2, 41)),
                earliest_start=TODAY + dt.timedelta(days=int(rng.integers(-30, 121))),
                work_modes=WAYS[int(rng.choice(3, p=[0.4, 0.2, 0.4]))],
                pay=Pay("hourly", int(rng.integers(0, 4000))),
                open_to_offers=bool(rng.random() < 0.9),
                visible=bool(rng.random() < 0.95),
                onsite_days_per_month=[None, 1, 2, 4, 8][int(rng.integers(5))],
                is_student=bool(rng.random() < 0.1),
            )
        )
    return out


def projects(n: int, seed: int, towns: list, skills: list[str]) -> list[Need]:
    rng = np.random.default_rng(seed)
    probs = _zipf_probs(len(skills), 0.8)
    out = []
    for i in range(n):
        town = towns[int(rng.integers(len(towns)))]
        codes = rng.choice(len(skills), size=int(rng.integers(3, 8)), replace=False, p=probs).tolist()
        n_must = int(rng.integers(1, 4))
        mode = str(rng.choice(["remote", "onsite", "hybrid"], p=[0.4, 0.25, 0.35]))
        out.append(
            Need(
                id=i + 1,
                must_have={skills[c]: int(rng.integers(1, 4)) for c in codes[:n_must]},
                nice_to_have={skills[c]: int(rng.integers(1, 4)) for c in codes[n_must:]},
                text=f"{town[0]}役場の" + synthetic_text(rng, town[0], int(rng.integers(3, 7))),
                work_mode=mode,  # type: ignore[arg-type]
                lat=town[1],
                lng=town[2],
                subprefecture=town[3],
                hours_per_week=float(rng.integers(4, 25)),
                start=TODAY + dt.timedelta(days=int(rng.integers(0, 90))),
                pay=Pay("hourly", int(rng.integers(1000, 4000))),
                onsite_days_per_month=[None, 1, 2, 4, 8][int(rng.integers(5))] if mode == "hybrid" else None,
                students_only=bool(rng.random() < 0.05),
            )
        )
    return out


def km(a_lat: float, a_lng: float, b_lat: float, b_lng: float) -> float:
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b_lng - a_lng) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


def infeasible(n: Need, c: Candidate) -> bool:
    """The rules in plain Python, as the issue states them (#17)."""
    if not c.open_to_offers or (n.students_only and not c.is_student):
        return True
    needs_onsite = n.work_mode == "onsite" or (n.work_mode == "hybrid" and bool(n.onsite_days_per_month))
    if needs_onsite:
        if "onsite" not in c.work_modes or c.lat is None or c.lng is None or n.lat is None or n.lng is None:
            return True
        # a little slack for float32 distances in the engine
        if km(c.lat, c.lng, n.lat, n.lng) > c.travel_km + 0.05:
            return True
        days, limit = n.onsite_days_per_month, c.onsite_days_per_month
        if days and limit is not None and days > limit:
            return True
    if 0 < c.hours_per_week < 0.3 * n.hours_per_week:
        return True
    start = max(n.start or TODAY, TODAY)
    return bool(c.earliest_start and (c.earliest_start - start).days > n.start_slack_days)


def rank_score_only(need: Need, index: CandidateIndex, k: int) -> list[int]:
    """Before: the same scores and reasons, ranked by score alone (only invisible profiles left out)."""
    q = prepare(need, index, TODAY)
    seg = index.base
    scores = score_segment(q, seg, DEFAULT_WEIGHTS, apply_filters=False)
    total = np.where(seg.alive & seg.eligible, scores.total, -np.inf).astype(np.float32)
    rows = top_rows(total, k, seg.ids)
    segment_details(q, seg, rows, scores)  # the reasons for the top k, as rank() builds them
    return seg.ids[rows].tolist()


def rank_feasible(need: Need, index: CandidateIndex, k: int) -> list[int]:
    return [m.candidate_id for m in rank(need, index, k, today=TODAY)]


def measure(
    ranker: Callable[[Need, CandidateIndex, int], list[int]],
    needs: list[Need],
    index: CandidateIndex,
    people: dict[int, Candidate],
    k: int,
) -> tuple[dict[int, int], int, list[float]]:
    """(infeasible people in the top 5 / top 10, projects with any in their top 5, ranking ms)."""
    bad = {5: 0, 10: 0}
    projects_hit = 0
    times = []
    for need in needs:
        t0 = time.perf_counter()
        ids = ranker(need, index, k)
        times.append((time.perf_counter() - t0) * 1000)
        flags = [infeasible(need, people[i]) for i in ids]
        bad[5] += sum(flags[:5])
        bad[10] += sum(flags[:10])
        projects_hit += any(flags[:5])
    return bad, projects_hit, times


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    towns, skills = load_municipalities(), load_skills()
    t0 = time.perf_counter()
    people_list = population(args.profiles, args.seed, towns, skills)
    needs = projects(args.projects, args.seed + 1, towns, skills)
    t1 = time.perf_counter()
    index = build_index(people_list, skills)
    t2 = time.perf_counter()
    people = {c.id: c for c in people_list}
    share = sum(infeasible(n, c) for n in needs[:20] for c in people_list[:5_000]) / (20 * 5_000)
    print(f"{args.profiles:,} profiles, {args.projects} projects (seed {args.seed}); generated in {t1 - t0:.1f} s, "
          f"index built in {t2 - t1:.1f} s; {share:.0%} of (project, person) pairs are infeasible")  # fmt: skip
    rank_feasible(needs[0], index, 10)  # warm up
    rank_score_only(needs[0], index, 10)
    rows = []
    for label, ranker in (("before: score only", rank_score_only), ("after: feasibility first", rank_feasible)):
        bad, hit, times = measure(ranker, needs, index, people, 10)
        rows.append((label, bad[5], bad[10], hit, pct(times, 50), pct(times, 99)))
    print()
    print("| ranking | infeasible in top 5 | in top 10 | projects with one in top 5 | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, b5, b10, hit, p50, p99 in rows:
        print(f"| {label} | {b5:,} of {5 * len(needs):,} | {b10:,} of {10 * len(needs):,} | "
              f"{hit} of {len(needs)} | {p50:.1f} | {p99:.1f} |")  # fmt: skip
    print(f"\nmean top-10 size after: {statistics.mean(len(rank_feasible(n, index, 10)) for n in needs[:50]):.1f}")


if __name__ == "__main__":
    main()
