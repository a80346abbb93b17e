"""Benchmark of skill-gap paths (#15) on synthetic data (prints figures; not a test).

    .venv/bin/python bench/learning.py                 # 10,000 open projects, 20,000 opportunities
    .venv/bin/python bench/learning.py --people 50     # fewer people timed
    .venv/bin/python bench/learning.py --page-profiles 100000 [--database-url postgresql://...]
                                                       # and the supply-and-demand page (see bench/supply_page.py)

Figures, all from one run: building the need and opportunity indexes; p50/p95 of
``matching.gaps.gap_paths`` for one person (many people, one at a time, as the dashboard asks);
and the baseline: a naive pure-Python loop over the same projects and opportunities applying the
same rules (nearly matched projects, closing opportunities, the same step score, top 5 per skill;
it computes every skill's path, the engine the first 20 by projects missing it, as the app asks),
on a subset of the same people, with the speed-up. The issue's targets: p50 ≤ 20 ms and ≥ 50× the
baseline. Projects and people come from bench/matching.py's generators (real Hokkaido municipality
coordinates and DSS codes, Zipf-like skill popularity); opportunities are generated here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matching_data import _zipf_probs, candidates, load_municipalities, load_skills, needs  # noqa: E402
from matching import Candidate, Need, build_need_index  # noqa: E402
from matching.feasibility import MIN_HOURS_SHARE  # noqa: E402
from matching.gaps import DEFAULT_STEP_WEIGHTS, gap_paths  # noqa: E402
from matching.opportunities import Opportunity, build_opportunity_index  # noqa: E402

TODAY = dt.date(2026, 11, 22)


def opportunities(n: int, seed: int, towns: list, skills: list[str]) -> list[Opportunity]:
    rng = np.random.default_rng(seed)
    probs = _zipf_probs(len(skills), 0.8)
    out = []
    for i in range(n):
        town = towns[int(rng.integers(len(towns)))]
        codes = rng.choice(len(skills), size=int(rng.integers(1, 4)), replace=False, p=probs).tolist()
        online = bool(rng.random() < 0.5)
        start = None if rng.random() < 0.3 else TODAY + dt.timedelta(days=int(rng.integers(0, 180)))
        out.append(
            Opportunity(
                id=i + 1,
                teaches={skills[c]: int(rng.integers(1, 5)) for c in codes},
                online=online,
                lat=None if online else town[1],
                lng=None if online else town[2],
                cost_yen=0 if rng.random() < 0.6 else int(rng.integers(1, 20)) * 5000,
                start=start,
                for_students=[None, None, None, True, False][int(rng.integers(5))],
            )
        )
    return out


def _km(a_lat: float, a_lng: float, b_lat: float, b_lng: float) -> float:
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b_lng - a_lng) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


def _decay(d: float, limit: float) -> float:
    return 1 - (d / limit) ** 2 if limit > 0 and d <= limit else 0.0


def naive_feasible(c: Candidate, need: Need, today: dt.date) -> bool:
    """matching.feasibility's rules for one pair, in plain Python (not_open aside: the person looks)."""
    if need.students_only and not c.is_student:
        return False
    if need.needs_onsite:
        if not c.does_onsite or c.lat is None or need.lat is None:
            return False
        if _km(c.lat, c.lng, need.lat, need.lng) > c.travel_km:
            return False
        if c.onsite_days_per_month is not None and (need.onsite_days_per_month or 0) > c.onsite_days_per_month:
            return False
    if 0 < c.hours_per_week < MIN_HOURS_SHARE * need.hours_per_week:
        return False
    start = max(need.start, today) if need.start else today
    return not (c.earliest_start and (c.earliest_start - start).days > need.start_slack_days)


def naive_gap_paths(c: Candidate, projects: list[Need], opps: list[Opportunity], today: dt.date) -> dict:
    """The same rules as ``gap_paths`` in plain Python loops: {skill: [top opportunity ids]}."""
    w = DEFAULT_STEP_WEIGHTS
    near: dict[int, dict[str, int]] = {}
    for need in projects:
        if not naive_feasible(c, need, today):
            continue
        gaps = {k: lv for k, lv in need.must_have.items() if (c.skills[k].level if k in c.skills else 0) < lv}
        if 1 <= len(gaps) <= w.max_missing:
            near[need.id] = gaps
    remote_only = set(c.work_modes) == {"remote"}
    scored: dict[int, float] = {}
    closing: dict[str, list[int]] = {}
    for o in opps:
        if o.for_students is not None and o.for_students != c.is_student:
            continue
        dist = None if o.online or c.lat is None else _km(c.lat, c.lng, o.lat, o.lng)
        if not o.online and (dist is None or dist > c.travel_km):
            continue
        unlocks = partial = 0
        closes_any = set()
        for gaps in near.values():
            hit = [k for k, lv in gaps.items() if o.teaches.get(k, 0) >= lv]
            closes_any.update(hit)
            if hit and len(hit) == len(gaps):
                unlocks += 1
            elif hit:
                partial += 1
        if not closes_any:
            continue
        decay = 1.0 if o.online else _decay(dist, c.travel_km)
        fit = 1.0 if o.online else decay * (1 / 3 if remote_only else 1.0)
        days = (o.start - today).days if o.start else 0
        scored[o.id] = (
            w.gap * min((unlocks + 0.5 * partial) / max(len(near), 1), 1.0)
            + w.format * fit
            + w.cost * 1 / (1 + o.cost_yen / 20_000)
            + w.start * min(max(1 - (days - 7) / 113, 0.0), 1.0)
            + w.distance * decay
        )
        for k in closes_any:
            closing.setdefault(k, []).append(o.id)
    return {k: sorted(ids, key=lambda i: (-scored[i], i))[: w.steps_per_path] for k, ids in closing.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--opportunities", type=int, default=20_000)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--naive-people", type=int, default=10)
    parser.add_argument("--page-profiles", type=int, default=0, help="also time /supply-demand at this many profiles")
    parser.add_argument("--page-runs", type=int, default=20)
    parser.add_argument("--database-url", help="for the page: an EMPTY PostgreSQL database (default: SQLite file)")
    args = parser.parse_args()
    if args.page_profiles:
        from bench.supply_page import run_page_bench

        run_page_bench(args.page_profiles, args.page_runs, args.database_url)
        print()
    towns, skills = load_municipalities(), load_skills()
    projects = needs(args.projects, 7, towns, skills)
    opps = opportunities(args.opportunities, 11, towns, skills)
    people = list(candidates(args.people, 13, towns, skills))

    t0 = time.perf_counter()
    need_index = build_need_index(projects, skills)
    t1 = time.perf_counter()
    opp_index = build_opportunity_index(opps, need_index.skill_columns)
    t2 = time.perf_counter()

    times, n_paths, n_near = [], [], []
    for person in people:
        s = time.perf_counter()
        result = gap_paths(person, need_index, opp_index, is_student=person.is_student, today=TODAY)
        times.append((time.perf_counter() - s) * 1000)
        n_paths.append(result.n_paths)
        n_near.append(result.n_near)

    naive_times, agree = [], 0
    for person in people[: args.naive_people]:
        s = time.perf_counter()
        expected = naive_gap_paths(person, projects, opps, TODAY)
        naive_times.append((time.perf_counter() - s) * 1000)
        got = gap_paths(person, need_index, opp_index, is_student=person.is_student, today=TODAY)
        shown = {p.skill: [st.opportunity_id for st in p.steps] for p in got.paths if p.steps}
        agree += shown == {skill: expected[skill] for skill in shown}

    p50, p95 = statistics.median(times), float(np.percentile(times, 95))
    naive_p50 = statistics.median(naive_times)
    print(f"skill-gap paths: {args.projects:,} open projects, {args.opportunities:,} opportunities, "
          f"{len(people)} people timed one at a time")  # fmt: skip
    print(f"  index build: needs {(t1 - t0) * 1000:,.0f} ms, opportunities {(t2 - t1) * 1000:,.0f} ms")
    print(f"  per person: nearly matched projects median {statistics.median(n_near):.0f}, "
          f"missing skills median {statistics.median(n_paths):.0f} (the first 20 get a path)")  # fmt: skip
    print()
    print(f"  {'':<34}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"  {'gap_paths (matching.gaps)':<34}{p50:>10.2f}{p95:>10.2f}")
    print(f"  {'baseline: naive pure-Python loop':<34}{naive_p50:>10.1f}{float(np.percentile(naive_times, 95)):>10.1f}")
    print()
    print(f"  speed-up at p50: {naive_p50 / p50:,.0f}x (target >= 50x); p50 target <= 20 ms: "
          f"{'met' if p50 <= 20 else 'NOT met'}")  # fmt: skip
    print(f"  same paths as the baseline for {agree} of {len(naive_times)} people")


if __name__ == "__main__":
    main()
