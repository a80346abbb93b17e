"""Benchmark of the matching engine on synthetic profiles (prints figures; not a test).

    .venv/bin/python bench/matching.py            # 100k and 1M profiles, 1,000 projects
    .venv/bin/python bench/matching.py --quick    # 100k only

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
import csv
import datetime as dt
import gc
import math
import resource
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching import Candidate, Need, Pay, SkillClaim, Weights, build_index, rank  # noqa: E402
from matching.index import CandidateIndex  # noqa: E402
from matching.rank import top_rows  # noqa: E402

DATA = ROOT / "tests" / "unit" / "matching" / "data"
TODAY = dt.date(2026, 11, 22)
TOP_K = 20

DOMAINS = [
    "酪農",
    "畜産",
    "漁業",
    "水産加工",
    "林業",
    "農業",
    "観光",
    "インバウンド",
    "スキー場",
    "温泉旅館",
    "防災",
    "除雪",
    "地域交通",
    "物流",
    "医療",
    "介護",
    "福祉",
    "教育",
    "図書館",
    "子育て支援",
    "移住促進",
    "ふるさと納税",
    "商店街",
    "中小企業",
    "再生可能エネルギー",
    "森林管理",
    "港湾",
    "dairy",
    "tourism",
    "fisheries",
    "snow removal",
    "public transport",
    "healthcare",
]
TASKS = [
    "データ分析",
    "ダッシュボード構築",
    "業務改善",
    "kintone導入",
    "アプリ開発",
    "Webサイト改修",
    "GISによる地図作成",
    "機械学習による需要予測",
    "アンケート集計",
    "オープンデータ公開",
    "RPAによる自動化",
    "クラウド移行",
    "セキュリティ対策",
    "SNS発信",
    "予約システム構築",
    "センサーデータの収集",
    "ドローン撮影",
    "画像認識",
    "住民向けワークショップ",
    "DX研修",
    "data analysis",
    "dashboard",
    "python",
    "machine learning",
    "gis",
    "iot sensors",
    "web app",
    "power bi",
    "tableau",
    "excel vba",
    "aws",
    "azure",
    "react",
    "django",
]
ROLES = [
    "エンジニア",
    "データサイエンティスト",
    "デザイナー",
    "PM",
    "学生",
    "公務員",
    "コンサルタント",
    "engineer",
    "analyst",
    "designer",
    "student",
    "researcher",
]


def load_municipalities() -> list[tuple[str, float, float, str]]:
    with open(DATA / "municipalities.csv", encoding="utf-8") as f:
        return [
            (r["name_ja"], float(r["office_lat"]), float(r["office_lng"]), r["subprefecture_en"])
            for r in csv.DictReader(f)
        ]


def load_skills() -> list[str]:
    with open(DATA / "dss.csv", encoding="utf-8") as f:
        return [r["id"] for r in csv.DictReader(f)]


def _zipf_probs(n: int, s: float = 1.0) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** s
    return p / p.sum()


def synthetic_text(rng: np.random.Generator, town: str, n_phrases: int) -> str:
    picks = rng.integers(0, 1 << 30, size=2 * n_phrases + 1).tolist()
    parts = [f"{town}在住の{ROLES[picks[0] % len(ROLES)]}。"]
    for i in range(n_phrases):
        d = DOMAINS[picks[1 + 2 * i] % len(DOMAINS)]
        t = TASKS[picks[2 + 2 * i] % len(TASKS)]
        parts.append(f"{d}の{t}を担当しました。")
    return "".join(parts)


def candidates(n: int, seed: int, towns: list, skills: list[str]) -> Iterator[Candidate]:
    """n synthetic profiles, generated lazily in batches (the 1M run never holds them all)."""
    rng = np.random.default_rng(seed)
    probs = _zipf_probs(len(skills), 0.8)
    regions = np.array(sorted({t[3] for t in towns}))
    modes = [
        frozenset({"remote"}),
        frozenset({"remote", "hybrid"}),
        frozenset({"onsite", "hybrid"}),
        frozenset({"remote", "onsite", "hybrid"}),
    ]
    kinds = ["hourly", "fixed", "volunteer", "internship"]
    sources = ["self"] * 7 + ["badge"] * 2 + ["project"]
    batch = 10_000
    for b0 in range(0, n, batch):
        m = min(batch, n - b0)
        town_ix = rng.integers(len(towns), size=m)
        n_skills = rng.integers(3, 11, size=m)
        codes = rng.choice(len(skills), size=(m, 10), p=probs)
        levels = rng.integers(1, 5, size=(m, 10))
        src = rng.integers(10, size=(m, 10))
        outside = rng.random(m) < 0.1
        jitter = rng.normal(0, 0.02, size=(m, 2))
        travel = rng.choice([0, 20, 50, 100, 200, 400], size=m)
        n_regions = rng.integers(0, 4, size=m)
        region_ix = rng.integers(len(regions), size=(m, 3))
        hours = rng.integers(2, 41, size=m)
        start = rng.integers(-60, 120, size=m)
        mode_ix = rng.integers(len(modes), size=m)
        kind_ix = rng.integers(4, size=m)
        yen = np.where(kind_ix == 0, rng.integers(0, 5000, size=m), rng.integers(0, 300_000, size=m))
        flags = rng.random((m, 2))
        for j in range(m):
            town = towns[town_ix[j]]
            k = n_skills[j]
            yield Candidate(
                id=b0 + j + 1,
                skills={
                    skills[c]: SkillClaim(int(lv), sources[s])
                    for c, lv, s in zip(codes[j, :k].tolist(), levels[j, :k].tolist(), src[j, :k].tolist(), strict=True)
                },
                text=synthetic_text(rng, town[0], 2 + (j % 3)),
                lat=None if outside[j] else town[1] + float(jitter[j, 0]),
                lng=None if outside[j] else town[2] + float(jitter[j, 1]),
                travel_km=float(travel[j]),
                regions=frozenset(regions[region_ix[j, : n_regions[j]]].tolist()),
                hours_per_week=float(hours[j]),
                earliest_start=TODAY + dt.timedelta(days=int(start[j])),
                work_modes=modes[mode_ix[j]],
                pay=Pay(kinds[kind_ix[j]], int(yen[j])),
                open_to_offers=bool(flags[j, 0] < 0.9),
                visible=bool(flags[j, 1] < 0.95),
            )


def needs(n: int, seed: int, towns: list, skills: list[str]) -> list[Need]:
    rng = np.random.default_rng(seed)
    probs = _zipf_probs(len(skills), 0.8)
    out = []
    for i in range(n):
        town = towns[rng.integers(len(towns))]
        codes = rng.choice(len(skills), size=int(rng.integers(3, 8)), replace=False, p=probs).tolist()
        n_must = int(rng.integers(1, 5))
        pay_kind = ["hourly", "fixed", "volunteer", "internship"][int(rng.integers(4))]
        out.append(
            Need(
                id=i + 1,
                must_have={skills[c]: int(rng.integers(1, 4)) for c in codes[:n_must]},
                nice_to_have={skills[c]: int(rng.integers(1, 4)) for c in codes[n_must:]},
                text=f"{town[0]}役場の" + synthetic_text(rng, town[0], int(rng.integers(3, 7))),
                work_mode=["remote", "onsite", "hybrid"][int(rng.integers(3))],
                lat=town[1],
                lng=town[2],
                subprefecture=town[3],
                hours_per_week=float(rng.integers(4, 25)),
                start=TODAY + dt.timedelta(days=int(rng.integers(0, 90))),
                pay=Pay(
                    pay_kind, int(rng.integers(1000, 4000)) if pay_kind == "hourly" else int(rng.integers(0, 500_000))
                ),
            )
        )
    return out


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1,000,000-profile run")
    parser.add_argument("--projects", type=int, default=1000, help="projects timed at 100k")
    parser.add_argument("--projects-1m", type=int, default=1000, help="projects timed at 1M")
    parser.add_argument("--naive-projects", type=int, default=5, help="projects the naive loop ranks at 100k")
    args = parser.parse_args()
    towns, skills = load_municipalities(), load_skills()
    projects = needs(1000, seed=7, towns=towns, skills=skills)
    print(
        f"matching benchmark: {len(projects)} synthetic projects, {len(skills)} DSS skills, "
        f"{len(towns)} municipalities; top-{TOP_K} with reasons; numpy {np.__version__}"
    )
    rows = [run_size(100_000, projects, towns, skills, args.projects, naive_projects=args.naive_projects)]
    print(f"after 100k: peak RSS {rows[0]['peak_mb']:.0f} MB", flush=True)
    if not args.quick:
        rows.append(run_size(1_000_000, projects, towns, skills, args.projects_1m, naive_projects=0))
    print()
    print(
        "| profiles | build (s) | generate (s) | rank p50 (ms) | rank p99 (ms) | floor p50 (ms) | rank/floor | floor, same top-k (ms) | rank/that | naive p50 (ms) | speed-up vs naive | peak RSS (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        naive = r.get("naive_p50")
        naive_txt = f"{naive:,.0f} (over {int(r['naive_projects'])} projects)" if naive else "—"
        speedup = f"{naive / r['p50']:.0f}×" if naive else "—"
        print(
            f"| {int(r['n']):,} | {r['build_s']:.1f} | {r['gen_s']:.1f} | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{r['floor_p50']:.2f} | {r['p50'] / r['floor_p50']:.1f}× | {r['floor2_p50']:.2f} | "
            f"{r['p50'] / r['floor2_p50']:.1f}× | {naive_txt} | {speedup} | {r['peak_mb']:.0f} |"
        )
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
        " peak RSS is the process maximum so far (ru_maxrss), generators included."
    )


if __name__ == "__main__":
    main()
