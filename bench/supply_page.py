"""The supply-and-demand page with learning capacity (#15) at many profiles: seeding and timing, run
from bench/learning.py (``--page-profiles 100000``). Target: GET /supply-demand p95 <= 200 ms.

Seeds (compactly, core inserts): N people with 4 skills each (20 % badge-verified) at random Hokkaido
homes, 1,000 open projects with 1–3 needs, 2,000 learning opportunities (half online). Times the page
for a visitor and for prefecture staff, without and with filters, and in the same run the baseline:
the figures computed the way the page did before (every aggregate a pass over every claim), whose
numbers must agree with the page's. The page reads the supply counts kept on write
(talentbank/models/supply.py): the seeding's bulk inserts make its commit count everyone once, and the
price of keeping them is shown as the time of one person's write (a claim added, committed, removed).
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank import create_app
from talentbank.cli import upgrade_database
from talentbank.config import resolve_database_url
from talentbank.db import make_engine, utcnow
from talentbank.models import (
    LearningOpportunity,
    LearningSkill,
    Municipality,
    Organisation,
    Profile,
    ProfileSkill,
    Project,
    ProjectNeed,
    Skill,
    User,
)
from talentbank.reference.loader import load_reference_data

PAGES = {
    "visitor, no filter": ("", False),
    "visitor, one category": ("?category=3", False),
    "staff, one subprefecture": ("?subprefecture=tokachi", True),
}


def _insert(session: Session, model, rows: list[dict], chunk: int = 20_000) -> None:
    for start in range(0, len(rows), chunk):
        session.execute(sa.insert(model), rows[start : start + chunk])


def seed(url: str, count: int) -> int:
    """Seed `count` people and the projects and learning around them; the id of a prefecture staff user."""
    engine = make_engine(url)
    rng = random.Random(15)
    today = utcnow().date()
    with Session(engine) as session:
        load_reference_data(session)
        skills = list(session.scalars(sa.select(Skill.code).where(Skill.is_selectable)))
        towns = list(session.scalars(sa.select(Municipality.code)))
        weights = [1 / (i + 1) ** 0.8 for i in range(len(skills))]
        _insert(session, User, [{"email": f"b{n}@example.jp", "display_name": f"b{n}", "password_hash": "x",
                                 "locale": "ja"} for n in range(count + 1)])  # fmt: skip
        users = list(session.scalars(sa.select(User.id).order_by(User.id)))
        staff_id = users.pop()
        session.execute(sa.update(User).where(User.id == staff_id).values(is_admin=True))  # sees exact figures
        _insert(session, Profile, [{"user_id": u, "display_name": "b", "home_municipality_code": rng.choice(towns),
                                    "visibility": rng.choice(["public", "members"]), "motives": []}
                                   for u in users])  # fmt: skip
        profiles = list(session.scalars(sa.select(Profile.id)))
        rows = [{"profile_id": p, "skill_code": code, "level": rng.randint(1, 4),
                 "source": "badge" if rng.random() < 0.2 else "self"}
                for p in profiles for code in set(rng.choices(skills, weights, k=4))]  # fmt: skip
        _insert(session, ProfileSkill, rows)
        session.add(organisation := Organisation(name="ベンチ町", kind="municipality", municipality_code=towns[0],
                                                 verified_at=utcnow()))  # fmt: skip
        session.flush()
        _insert(session, Project, [{"organisation_id": organisation.id, "title": f"p{n}", "problem": "課題",
                                    "expected_outcome": "成果", "theme": "agriculture",
                                    "municipality_code": rng.choice(towns), "work_mode": "remote",
                                    "hours_per_week": 8, "starts_on": today, "pay_kind": "volunteer",
                                    "seats": rng.randint(1, 4), "status": "open", "opened_at": utcnow()}
                                   for n in range(1_000)])  # fmt: skip
        projects = list(session.scalars(sa.select(Project.id)))
        _insert(session, ProjectNeed, [{"project_id": p, "skill_code": code, "min_level": 2, "is_must": True}
                                       for p in projects
                                       for code in set(rng.choices(skills, weights, k=rng.randint(1, 3)))])  # fmt: skip
        _insert(session, LearningOpportunity, [
            {"organisation_id": organisation.id, "title": f"o{n}", "description": "d",
             "format": "self_paced" if n % 2 else "onsite", "municipality_code": None if n % 2 else rng.choice(towns),
             "study_hours": 10, "capacity": rng.choice([None, 20, 40]), "status": "open"}
            for n in range(2_000)])  # fmt: skip
        opportunities = list(session.scalars(sa.select(LearningOpportunity.id)))
        _insert(session, LearningSkill, [{"opportunity_id": o, "skill_code": code, "level": 3}
                                         for o in opportunities
                                         for code in set(rng.choices(skills, weights, k=rng.randint(1, 3)))])  # fmt: skip
        session.commit()
    engine.dispose()
    return staff_id


def timed(get: Callable[[], object], runs: int, *, warm: bool = True) -> list[float]:
    if warm:
        get()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        get()
        times.append((time.perf_counter() - start) * 1000)
    return times


def run_page_bench(count: int, runs: int, database_url: str | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="tb-bench-"))
    url = resolve_database_url(database_url, "") if database_url else f"sqlite:///{folder / 'bench.db'}"
    upgrade_database(url)
    started = time.perf_counter()
    staff_id = seed(url, count)
    print(f"supply-and-demand page: seeded {count:,} people in {time.perf_counter() - started:.0f} s "
          f"on {url.split(':')[0]}")  # fmt: skip
    os.environ["TALENTBANK_INSTANCE_PATH"] = str(folder)
    app = create_app({"DATABASE_URL": url, "SECURE_COOKIES": False, "RATELIMIT_ENABLED": False})
    visitor, staff = app.test_client(), app.test_client()
    with staff.session_transaction() as cookie:
        cookie["_user_id"] = str(staff_id)
        cookie["_fresh"] = True
    print(f"  {'GET /supply-demand':<40}{'p50 ms':>10}{'p95 ms':>10}")
    for label, (query, as_staff) in PAGES.items():
        client = staff if as_staff else visitor

        def get(client=client, query=query):
            response = client.get(f"/supply-demand{query}")
            assert response.status_code == 200, response.status_code
            response.close()  # as a WSGI server does, so the app's after-response work runs as it does there

        times = timed(get, runs)
        print(f"  {label:<40}{statistics.median(times):>10.1f}{float(np.percentile(times, 95)):>10.1f}")
    with app.app_context():
        from talentbank import db
        from talentbank.dashboard.services import summarise_supply_demand

        naive = timed(lambda: baseline(db.session), 1, warm=False)  # a minute a run at 100,000 people
        fast = summarise_supply_demand(db.session, None)
        agree = [f.people for _r, fs in fast.grid for f in fs] == baseline(db.session)
    print(f"  {'baseline: a pass over all claims per cell':<40}{statistics.median(naive):>10.1f}"
          f"{'(1 run)':>10}")  # fmt: skip
    print(f"  the page's grid agrees with the baseline: {agree}; target p95 <= 200 ms")
    writes = timed_writes(app, 40)
    print(f"  one person's write with the counts kept (add a claim, commit; remove it, commit): "
          f"p50 {statistics.median(writes):.1f} ms")  # fmt: skip


def timed_writes(app, count: int) -> list[float]:
    from talentbank import db
    from talentbank.models import SkillSource

    times = []
    with app.app_context():
        people = list(db.session.scalars(sa.select(Profile).order_by(Profile.id).limit(count)))
        for person in people:
            start = time.perf_counter()
            claim = ProfileSkill(skill_code="dssl-03", level=2, source=SkillSource.PROJECT)
            person.skills.append(claim)
            db.session.commit()
            person.skills.remove(claim)
            db.session.commit()
            times.append((time.perf_counter() - start) * 1000)
    return times


def _claims_read_in_python(session: Session) -> list[tuple[int, str, int, bool, int]]:
    """Every counted person's current claims, one per skill at their highest level for it (profile id,
    skill, level, verified, subprefecture id), read row by row as the open data used to."""
    from talentbank.models import SkillSource
    from talentbank.models.supply import is_counted_for_aggregation

    now = utcnow()
    statement = (
        sa.select(ProfileSkill.profile_id, ProfileSkill.skill_code, ProfileSkill.level, ProfileSkill.source,
                  Municipality.subprefecture_id)
        .join(Profile, Profile.id == ProfileSkill.profile_id)
        .join(User, User.id == Profile.user_id)
        .join(Municipality, Municipality.code == Profile.home_municipality_code)
        .where(is_counted_for_aggregation(), ProfileSkill.is_current(now))
    )  # fmt: skip
    best: dict[tuple[int, str], tuple[int, str, int, bool, int]] = {}
    for profile_id, code, level, source, sub in session.execute(statement):
        earlier = best.get((profile_id, code))
        verified = source is not SkillSource.SELF or (earlier is not None and earlier[3])
        best[(profile_id, code)] = (profile_id, code, max(level, earlier[2] if earlier else 0), verified, sub)
    return list(best.values())


def baseline(session: Session) -> list[int | None]:
    """The visitor's grid of people (subprefecture x category), as the page computed it before: one pass
    over every counted claim per cell, a cell withheld when any cell of the open data it is built from is."""
    from talentbank.dashboard.services import _categories, _regions
    from talentbank.opendata.definitions import MIN_CELL

    claims = _claims_read_in_python(session)
    people_in: dict[tuple[str, int, int], int] = {}
    for _p, code, level, _v, sub in claims:
        people_in[(code, level, sub)] = people_in.get((code, level, sub), 0) + 1
    categories, category_of, _groups = _categories(list(session.scalars(sa.select(Skill).order_by(Skill.position))))
    regions, region_of = _regions(session)
    out: list[int | None] = []
    for region in regions:
        for category in categories:
            inside = [c for c in claims if category_of[c[1]] == category and c[4] == region_of[region.slug]]
            hidden = any(people_in[(c[1], c[2], c[4])] < MIN_CELL for c in inside)
            out.append(None if hidden else len({c[0] for c in inside}))
    return out
