"""Benchmark of the matching engine on synthetic profiles (prints figures; not a test).

    .venv/bin/python bench/matching.py            # 100k and 1M profiles, 1,000 projects
    .venv/bin/python bench/matching.py --quick    # 100k only
    .venv/bin/python bench/matching.py --quick --before main --projects 200   # against main too

Before and after in one run: the engine as it was at ``--before`` (default: before #17) is measured
first on the same generated data (its ``matching/`` from git, in a child process), then this one.
On a shared machine the load can change between the runs: generating the profiles is the same
work for every engine, so "build ÷ generate" compares builds under whatever load each run had.

Figures printed, all in one run: index build time; p50/p99 latency of ``rank`` (all profiles,
reasons for the top 20) over the projects; the floor (bare sparse product skills × need vector
+ argpartition top-20, no text/geo/reasons); the baseline (a naive pure-Python loop over
profiles doing the same scoring, on the same 100k profiles, for a few projects); peak RSS; freshness (an
edited profile upserted into the index's delta, then the next ranking, as the app does per edit).
Synthetic data: real Hokkaido municipality coordinates and DSS skill codes (copies in
tests/unit/matching/data/), Zipf-like skill popularity, texts built from Japanese/English
phrases about local DX work.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
# A child run (--before) finds another version's matching/ first on the path.
ENGINE_ENV = "BENCH_MATCHING_ENGINE"
sys.path.insert(0, str(ROOT))
if os.environ.get(ENGINE_ENV):
    sys.path.insert(0, os.environ[ENGINE_ENV])
# main before #17's merge (ab0c030): ranking on scores alone, text relevance in one language at a time.
BEFORE = "fffab83"

from bench.matching_data import TODAY, candidates, load_municipalities, load_skills, needs  # noqa: E402
from matching import Candidate, Need, Weights, build_index, rank  # noqa: E402
from matching.index import CandidateIndex  # noqa: E402
from matching.rank import top_rows  # noqa: E402

TOP_K = 20


class TimedIterator:
    """Wraps a generator and accumulates the time spent inside it (to subtract from builds)."""

    def __init__(self, inner: Iterator[Candidate]) -> None:
        self.inner = inner
        self.seconds = 0.0

    def __iter__(self) -> TimedIterator:
        return self

    def __next__(self) -> Candidate:
        t0 = time.perf_counter()
        try:
            return next(self.inner)
        finally:
            self.seconds += time.perf_counter() - t0


FRESH_EDITS = 200


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_rank(index: CandidateIndex, projects: list[Need]) -> list[float]:
    times = []
    for need in projects:
        t0 = time.perf_counter()
        result = rank(need, index, TOP_K, today=TODAY)
        times.append((time.perf_counter() - t0) * 1000)
        assert len(result) == TOP_K
    return times


def time_fresh(index: CandidateIndex, projects: list[Need], towns: list, skills: list[str], seed: int) -> list[float]:
    """An edited profile goes into the delta, then the next ranking runs: what the app does after
    an edit instead of rebuilding. 200 edits in a row, so the delta grows to 200."""
    times = []
    for i, edited in enumerate(candidates(FRESH_EDITS, seed=seed, towns=towns, skills=skills)):
        t0 = time.perf_counter()
        index.upsert(edited)
        rank(projects[i % len(projects)], index, TOP_K, today=TODAY)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def skills_csr(index: CandidateIndex) -> sp.csr_matrix:
    """The skills matrix (profiles × skills, value = level) as scipy CSR, for the floor."""
    post = index.base.skills
    csc = sp.csc_matrix(
        ((post.values & 7).astype(np.float32), post.rows, post.indptr),
        shape=(index.base.size, len(index.skill_columns)),
    )
    return csc.tocsr()


def time_floor(matrix: sp.csr_matrix, index: CandidateIndex, projects: list[Need]) -> tuple[list[float], list[float]]:
    """ms per project: skills CSR @ need vector, then top-20 by (a) np.argpartition + sort,
    (b) the engine's own ``top_rows`` (the same top-k ``rank`` uses)."""
    plain, same_topk = [], []
    for need in projects:
        vec = np.zeros(matrix.shape[1], np.float32)
        for code, level in {**need.nice_to_have, **need.must_have}.items():
            vec[index.skill_columns[code]] = 1.0 / level
        t0 = time.perf_counter()
        scores = matrix @ vec
        top = np.argpartition(-scores, TOP_K)[:TOP_K]
        top = top[np.argsort(-scores[top])]
        plain.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        scores = matrix @ vec
        top_rows(scores, TOP_K)
        same_topk.append((time.perf_counter() - t0) * 1000)
    return plain, same_topk


def naive_score(need: Need, c: Candidate, need_vec: dict[str, float], cand_vec: dict[str, float], w: Weights) -> float:
    """Per-profile pure-Python version of the same score (no numpy), for the baseline."""
    if not (c.visible and c.open_to_offers) or need.work_mode not in c.work_modes:
        return -1.0
    must = [min(c.skills[s].level / r, 1) if s in c.skills else 0.0 for s, r in need.must_have.items()]
    nice = [min(c.skills[s].level / r, 1) if s in c.skills else 0.0 for s, r in need.nice_to_have.items()]
    ver = sum(
        min(c.skills[s].level / r, 1)
        for s, r in {**need.nice_to_have, **need.must_have}.items()
        if s in c.skills and c.skills[s].source != "self"
    )
    text = sum(v * cand_vec.get(t, 0.0) for t, v in need_vec.items())
    hours = min(c.hours_per_week / need.hours_per_week, 1) if need.hours_per_week else 1
    late = (c.earliest_start - need.start).days if c.earliest_start and need.start else 0
    start = min(max(1 - late / w.start_grace_days, 0), 1)
    geo = 1.0
    if need.work_mode != "remote":
        if c.lat is None or need.lat is None:
            geo = 0.0
        else:
            p1, p2 = math.radians(c.lat), math.radians(need.lat)
            a = (
                math.sin((p2 - p1) / 2) ** 2
                + math.cos(p1) * math.cos(p2) * math.sin(math.radians(need.lng - c.lng) / 2) ** 2
            )
            d = 2 * 6371.0088 * math.asin(math.sqrt(a))
            geo = 1 - min(d / c.travel_km, 1) ** 2 if c.travel_km > 0 else 0.0
        if need.subprefecture in c.regions:
            geo = min(geo + w.region_bonus, 1)
    pay = (
        1.0
        if c.pay.kind == "volunteer" or c.pay.yen <= 0
        else (min(need.pay.yen / c.pay.yen, 1) if need.pay.kind == c.pay.kind else 0.5)
    )
    parts = [
        (w.must_have, sum(must) / len(must)) if must else None,
        (w.nice_to_have, sum(nice) / len(nice)) if nice else None,
        (w.verified, ver / (len(must) + len(nice))),
        (w.text, text),
        (w.availability, (hours + start) / 2),
        (w.geography, geo) if need.work_mode != "remote" else None,
        (w.pay, pay),
    ]
    used = [p for p in parts if p]
    missing = sum(1 for s in need.must_have if s not in c.skills)
    return sum(a * b for a, b in used) / sum(a for a, _ in used) * w.missing_must_factor**missing


def time_naive(index: CandidateIndex, subset: list[Candidate], projects: list[Need]) -> float:
    """ms per project (p50) over these profiles (texts vectorised once beforehand, as an index would)."""
    model = index.text_model
    vecs = []
    for c in subset:
        ids, ws = model.vector(c.text)
        vecs.append({model.terms[i]: float(x) for i, x in zip(ids.tolist(), ws.tolist(), strict=True)})
    w = Weights()
    times = []
    for need in projects:
        ids, ws = model.vector(need.text)
        need_vec = {
            model.terms[i]: float(x) * float(model.idf[i]) for i, x in zip(ids.tolist(), ws.tolist(), strict=True)
        }
        t0 = time.perf_counter()
        scored = [(naive_score(need, c, need_vec, v, w), c.id) for c, v in zip(subset, vecs, strict=True)]
        scored.sort(reverse=True)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def run_size(
    n: int, projects: list[Need], towns: list, skills: list[str], n_timed: int, naive_projects: int
) -> dict[str, float]:
    gc.collect()
    source = TimedIterator(candidates(n, seed=n, towns=towns, skills=skills))
    t0 = time.perf_counter()
    index = build_index(source, skills)
    build_s = time.perf_counter() - t0 - source.seconds
    timed = projects[:n_timed]
    rank(timed[0], index, TOP_K, today=TODAY)  # warm-up
    ranks = time_rank(index, timed)
    fresh = time_fresh(index, timed, towns, skills, seed=n + 1)
    matrix = skills_csr(index)
    floor, floor_same = time_floor(matrix, index, timed)
    del matrix
    row: dict[str, float] = {
        "n": n,
        "build_s": build_s,
        "gen_s": source.seconds,
        "p50": pct(ranks, 50),
        "p99": pct(ranks, 99),
        "floor_p50": pct(floor, 50),
        "floor2_p50": pct(floor_same, 50),
        "timed": len(timed),
        "fresh_p50": pct(fresh, 50),
        "fresh_p99": pct(fresh, 99),
    }
    if naive_projects:  # the same n profiles (same seed), every one scored in Python
        everyone = list(candidates(n, seed=n, towns=towns, skills=skills))
        row["naive_p50"] = time_naive(index, everyone, projects[:naive_projects])
        row["naive_projects"] = naive_projects
        del everyone
    row["peak_mb"] = peak_mb()
    del index
    gc.collect()
    return row


def measure(args: argparse.Namespace) -> list[dict[str, float]]:
    """The rows of one engine (the one on ``sys.path``): 100k, and 1M unless ``--quick``."""
    towns, skills = load_municipalities(), load_skills()
    projects = needs(1000, seed=7, towns=towns, skills=skills)
    rows = [run_size(100_000, projects, towns, skills, args.projects, naive_projects=args.naive_projects)]
    if not args.quick:
        rows.append(run_size(1_000_000, projects, towns, skills, args.projects_1m, naive_projects=0))
    return rows


def measure_at(ref: str, argv: list[str]) -> list[dict[str, float]]:
    """The same measurement on the same data with the engine as it was at git ``ref`` (its matching/ in
    a temporary directory, first on the path of a child process)."""
    with tempfile.TemporaryDirectory() as engine:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "matching"], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", engine], input=archive.stdout, check=True)
        child = subprocess.run(
            [sys.executable, __file__, *argv, "--json"],
            env={**os.environ, ENGINE_ENV: engine},
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(child.stdout.strip().splitlines()[-1])


def print_table(label: str, rows: list[dict[str, float]]) -> None:
    print(f"\n{label}\n")
    print(
        "| profiles | build (s) | generate (s) | build ÷ generate | rank p50 (ms) | rank p99 (ms) | floor p50 (ms) | rank/floor "
        "| floor, same top-k (ms) | rank/that | naive p50 (ms) | speed-up vs naive | fresh p50 (ms) | peak RSS (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        naive = r.get("naive_p50")
        naive_txt = f"{naive:,.0f} (over {int(r['naive_projects'])} projects)" if naive else "—"
        speedup = f"{naive / r['p50']:.0f}×" if naive else "—"
        print(
            f"| {int(r['n']):,} | {r['build_s']:.1f} | {r['gen_s']:.1f} | {r['build_s'] / r['gen_s']:.2f} | "
            f"{r['p50']:.1f} | {r['p99']:.1f} | "
            f"{r['floor_p50']:.2f} | {r['p50'] / r['floor_p50']:.1f}× | {r['floor2_p50']:.2f} | "
            f"{r['p50'] / r['floor2_p50']:.1f}× | {naive_txt} | {speedup} | {r['fresh_p50']:.1f} | {r['peak_mb']:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1,000,000-profile run")
    parser.add_argument("--projects", type=int, default=1000, help="projects timed at 100k")
    parser.add_argument("--projects-1m", type=int, default=1000, help="projects timed at 1M")
    parser.add_argument("--naive-projects", type=int, default=5, help="projects the naive loop ranks at 100k")
    parser.add_argument(
        "--before",
        action="append",
        default=None,
        metavar="REF",
        help=f"also measure the engine at this git ref, first, on the same data (default {BEFORE}: before #17's "
        "feasibility and bilingual text); repeat for several; --before none for this engine only",
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # a child run: rows as JSON
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args)))
        return
    refs = [r for r in (args.before or [BEFORE]) if r != "none"]
    argv = [a for a in sys.argv[1:] if not a.startswith("--before") and a not in refs]
    print(
        f"matching benchmark: 1000 synthetic projects, DSS skills, Hokkaido municipalities; top-{TOP_K} with "
        f"reasons; numpy {np.__version__}; engines: {', '.join([*refs, 'this worktree'])} (one after another, "
        "each in its own process, on the same generated data)",
        flush=True,
    )
    tables = [(f"before: the engine at {ref}", measure_at(ref, argv)) for ref in refs]
    rows = measure(args)
    for label, before in tables:
        print_table(label, before)
    print_table("after: this worktree (feasibility first, both languages)", rows)
    print()
    for r in rows:
        print(
            f"fresh at {int(r['n']):,}: one edited profile upserted + the next ranking p50 {r['fresh_p50']:.1f} ms, "
            f"p99 {r['fresh_p99']:.1f} ms over {FRESH_EDITS} edits (a full rebuild would take {r['build_s']:.1f} s)"
        )
    print()
    print(
        f"rank timed over {int(rows[0]['timed'])} projects at 100k"
        + (f" and {int(rows[1]['timed'])} at 1M" if len(rows) > 1 else "")
        + "; the naive loop scores every one of the same 100k profiles in Python;"
        " build excludes the time spent generating profiles (shown apart);"
        " peak RSS is the process maximum (ru_maxrss), generators included."
    )


if __name__ == "__main__":
    main()
