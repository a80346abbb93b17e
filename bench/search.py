"""Talent search benchmark: render the /people search page over 10,000 profiles (or --profiles).

Run:  .venv/bin/python bench/search.py [--profiles 100000] [--database-url postgresql://...] [--explain]

Prints p50/p95 page render times (the Flask test client, whole request: filters, index lookup,
loading the page of profiles, template) for several searches, then, in the same run, the text
lookup alone (`search_profile_ids`: one page of ids and the total, from the index) next to the
baseline (the same text filter done naively with LIKE '%word%' over headline and bio, no index, a
page of 20 and the count) and their ratio, for a two-character word, a five-character word and a
Latin word. After seeding it runs ANALYZE (PostgreSQL: VACUUM ANALYZE, what autovacuum does after a
bulk load). --explain prints PostgreSQL's EXPLAIN ANALYZE of the lookup queries.
Targets: a filtered search page renders in under 200 ms with 10,000 profiles (issue #3); the index
lookup ≥ 10× faster than the LIKE scan at 100,000 profiles (issue #18).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this folder comes first on sys.path and its matching.py would shadow the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from talentbank import create_app
from talentbank.cli import upgrade_database
from talentbank.config import resolve_database_url
from talentbank.db import make_engine
from talentbank.models import Municipality, Profile, ProfileSearchTerm, ProfileSkill, Skill, User, Visibility
from talentbank.profiles.search import index_rows
from talentbank.reference.loader import load_reference_data

WORDS_JA = ["酪農", "観光", "農業", "防災", "漁業", "林業", "除雪", "子育て", "移住", "物流", "ドローン", "データ分析",
            "窓口", "予約", "地図", "教育", "医療", "福祉", "商店街", "温泉"]  # fmt: skip
WORDS_EN = ["python", "kintone", "react", "gis", "aws", "tourism", "dairy", "security", "design", "marketing"]
# The text lookups timed against the LIKE scan (#18): a two-character word (one bigram), a Japanese
# word (four katakana: three bigrams), a multi-term word (five characters: four bigrams), a Latin
# word, two words, and text with the filters skill + level + region.
CHUNK = 20_000
FILTERS = {"skills": (("dssp2-11", 2),), "subprefecture_id": 6}
LOOKUPS = {
    "酪農": {"text": "酪農"},
    "ドローン": {"text": "ドローン"},
    "データ分析": {"text": "データ分析"},
    "python": {"text": "python"},
    "データ分析 python": {"text": "データ分析 python"},
    "観光 + skill + level + region": {"text": "観光", **FILTERS},
}
SEARCHES = {
    "text only (酪農)": "q=酪農",
    "Japanese word (ドローン)": "q=ドローン",
    "multi-term word (データ分析)": "q=データ分析",
    "text + skill + level + region": "q=観光&skill=dssp2-11&level=2&subprefecture=6",
    "skill + verified + remote + hours": "skill=dssp2-36&min_level=2&verified=1&remote=1&hours=5",
    "English word + open to offers": "q=python&open=1",
    "no filters, page 20": "page=20",
}


def seed(url: str, count: int) -> None:
    engine = make_engine(url)
    rng = random.Random(7)
    with Session(engine) as session:
        load_reference_data(session)
        skills = list(session.scalars(sa.select(Skill.code).where(Skill.is_selectable)))
        municipalities = list(session.scalars(sa.select(Municipality.code)))
        for start in range(0, count, CHUNK):  # in chunks: a million rows at once would not fit
            users = [
                {"email": f"bench{n}@example.jp", "display_name": f"ベンチ{n}", "password_hash": "x", "locale": "ja"}
                for n in range(start, min(count, start + CHUNK))
            ]
            user_ids = session.scalars(sa.insert(User).returning(User.id, sort_by_parameter_order=True), users).all()
            profiles = []
            for n, user_id in enumerate(user_ids, start):
                words = rng.sample(WORDS_JA, 3) + rng.sample(WORDS_EN, 2)
                profiles.append(
                    {
                        "user_id": user_id,
                        "display_name": f"人材{n}",
                        "headline": f"{words[0]}と{words[1]}の{words[3]}エンジニア",
                        "bio": f"{words[2]}の課題に{words[4]}で取り組んでいます。" * 3,
                        "home_municipality_code": rng.choice(municipalities),
                        "work_mode": rng.choice(["remote", "onsite", "hybrid"]),
                        "hours_per_week": rng.randint(2, 20),
                        "visibility": rng.choice(["public", "public", "members"]),
                        "open_to_offers": rng.random() < 0.8,
                        "motives": [],
                    }
                )
            profile_ids = session.scalars(
                sa.insert(Profile).returning(Profile.id, sort_by_parameter_order=True), profiles
            ).all()
            skill_rows = []
            for profile_id in profile_ids:
                for code in rng.sample(skills, 4):
                    skill_rows.append({"profile_id": profile_id, "skill_code": code, "level": rng.randint(1, 4),
                                       "source": "badge" if rng.random() < 0.2 else "self"})  # fmt: skip
            session.execute(sa.insert(ProfileSkill), skill_rows)
            session.commit()
            # The index rows, computed by the same function the app uses.
            for first in range(0, len(profile_ids), 1000):
                batch = session.scalars(
                    sa.select(Profile)
                    .where(Profile.id.in_(profile_ids[first : first + 1000]))
                    .options(
                        selectinload(Profile.skills).selectinload(ProfileSkill.skill), selectinload(Profile.outcomes)
                    )
                ).all()
                session.execute(sa.insert(ProfileSearchTerm), [row for p in batch for row in index_rows(p)])
                session.commit()
                session.expunge_all()
    # Statistics for the planner, and on PostgreSQL the visibility map an index-only scan needs:
    # what autovacuum does after a bulk load, done now rather than whenever it gets round to it.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    engine.dispose()


def timed(client, path: str, runs: int) -> list[float]:
    client.get(path)  # warm caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def timed_call(call, db, runs: int) -> list[float]:
    call()  # warm caches
    db.session.remove()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
        db.session.remove()
    return times


def explain(db, label: str, criteria) -> None:
    """PostgreSQL's plan of the text lookup, as executed (EXPLAIN ANALYZE)."""
    from sqlalchemy.dialects import postgresql

    from talentbank.profiles import search

    for statement in search.lookup_queries(None, criteria, search._query_terms(criteria), 1, search.PAGE_SIZE):
        if statement is None:
            continue
        sql = str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
        print(f"\nEXPLAIN ANALYZE of a lookup query for {label}:")
        for (line,) in db.session.execute(sa.text("EXPLAIN (ANALYZE, BUFFERS) " + sql)):
            print("  " + line)


def naive_like(url: str, criteria, runs: int) -> list[float]:
    """The baseline: every word of the text matched with LIKE '%word%' over headline and bio (no
    index), the same other filters as the app's, a page of 20 and the count."""
    from talentbank.profiles.search import _filters

    engine = make_engine(url)
    times = []
    with engine.connect() as connection:
        query = sa.select(Profile.id).where(
            *(
                sa.or_(Profile.headline.like(f"%{word}%"), Profile.bio.like(f"%{word}%"))
                for word in criteria.text.split()
            ),
            Profile.visibility == Visibility.PUBLIC,
            *_filters(criteria),
        )
        for _ in range(runs):
            start = time.perf_counter()
            connection.execute(query.order_by(Profile.updated_at.desc()).limit(20)).all()
            connection.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar()
            times.append((time.perf_counter() - start) * 1000)
    engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's EXPLAIN ANALYZE of the lookup")
    parser.add_argument("--database-url", help="an EMPTY PostgreSQL database (default: a temporary SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tb-bench-"))
    url = resolve_database_url(args.database_url, "") if args.database_url else f"sqlite:///{folder / 'bench.db'}"
    upgrade_database(url)
    started = time.perf_counter()
    seed(url, args.profiles)
    print(f"seeded {args.profiles:,} profiles in {time.perf_counter() - started:.1f} s on {url.split(':')[0]}")
    os.environ["TALENTBANK_INSTANCE_PATH"] = str(folder)
    app = create_app({"DATABASE_URL": url, "SECURE_COOKIES": False, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    print(f"{'search page (GET /people?...)':<40} {'p50 ms':>8} {'p95 ms':>8}")
    for label, query in SEARCHES.items():
        times = timed(client, f"/people?{query}", args.runs)
        print(f"{label:<40} {statistics.median(times):8.1f} {p95(times):8.1f}")
    print(f"\n{'text lookup, anonymous, page 1 + total':<40} {'p50 ms':>8} {'p95 ms':>8}")
    with app.app_context():
        from talentbank import db
        from talentbank.profiles.search import SearchCriteria, search_profile_ids

        ratios = []
        for label, fields in LOOKUPS.items():
            criteria = SearchCriteria(**fields)
            lookup = timed_call(lambda c=criteria: search_profile_ids(db.session, None, c), db, args.runs)
            scan = naive_like(url, criteria, args.runs)
            found = search_profile_ids(db.session, None, criteria)[1]
            ratios.append(statistics.median(scan) / statistics.median(lookup))
            print(f"{f'index: {label} ({found:,} found)':<40} {statistics.median(lookup):8.1f} {p95(lookup):8.1f}")
            print(f"{'scan:  LIKE':<40} {statistics.median(scan):8.1f} {p95(scan):8.1f}")
            print(f"{'  scan / index (p50)':<40} {ratios[-1]:7.1f}x")
            db.session.remove()
        print(f"{'lowest scan / index (p50)':<40} {min(ratios):7.1f}x   (target ≥ 10x at 100,000 profiles)")
        if args.explain and url.startswith("postgresql"):
            for label, fields in LOOKUPS.items():
                explain(db, label, SearchCriteria(**fields))
    print("target: every search page p95 < 200 ms")


if __name__ == "__main__":
    main()
