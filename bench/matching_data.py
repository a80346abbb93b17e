"""Synthetic Hokkaido-shaped profiles and projects for the matching benchmarks (bench/matching.py,
bench/feasibility.py): real municipality coordinates and DSS skill codes (copies in
tests/unit/matching/data/), Zipf-like skill popularity, texts built from Japanese/English phrases
about local DX work. Plain values only: the engine's Candidate and Need."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from matching import Candidate, Need, Pay, SkillClaim

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "unit" / "matching" / "data"
TODAY = dt.date(2026, 11, 22)

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
