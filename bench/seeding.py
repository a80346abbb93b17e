"""A realistic talent bank for the benchmarks, seeded fast with core bulk inserts.

People (users, profiles with skills, outcomes, regions of interest), organisations with their
owners, projects with needs, and credentials of a school's achievements claimed onto profiles (the
aligned skills then badge-verified, as `claims.attach` leaves them). Texts come from the phrases of
bench/matching.py; skills follow its Zipf-like popularity over the DSS codes; homes are the real
municipalities of the reference data. The search index is filled by the app's own `index_rows`.

Credentials: `REAL_CREDENTIALS` are issued through `issuing.issue_credentials` (signed, with status
entries, mails and audit rows, as the bulk-award path writes them); the rest are copies of those
rows (same signed JWT, their own public id, recipient, status entry on further status lists), so
the tables have the size and shape of the real thing without signing 200,000 documents. The pages
a benchmark visits use real ones.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from bench.matching_data import DOMAINS, TASKS, _zipf_probs, synthetic_text
from talentbank.accounts.passwords import hasher
from talentbank.accounts.services import POLICY_VERSION
from talentbank.cli import upgrade_database
from talentbank.credentials import achievements, issuers, issuing
from talentbank.credentials.inputs import AchievementInput, AwardInput
from talentbank.credentials.status_entries import new_status_list
from talentbank.db import make_engine, utcnow
from talentbank.models import (
    AchievementSkill,
    Credential,
    Membership,
    MembershipRole,
    Municipality,
    Organisation,
    OrganisationKind,
    Outcome,
    OutcomeSkill,
    Profile,
    ProfileSearchTerm,
    ProfileSkill,
    Project,
    ProjectNeed,
    Skill,
    Subprefecture,
    User,
)
from talentbank.models.profiles import profile_regions
from talentbank.profiles.search import index_rows
from talentbank.reference.loader import load_reference_data

PASSWORD = "bench horse battery staple"  # noqa: S105  (the seeded accounts of a throwaway database)
REAL_CREDENTIALS = 2_000
ACHIEVEMENTS = 20
BATCH = 5_000
THEMES = ["agriculture", "tourism", "healthcare", "education", "disaster", "transport", "admin_dx", "energy", "retail"]


@dataclass
class Seeded:
    """What a benchmark needs to find its way in: the owner who posted `project`, public ids to visit."""

    owner_email: str
    owner_user_id: int
    project: str
    profiles: list[str] = field(default_factory=list)
    credentials: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def reset_database(url: str) -> None:
    """An empty database at the newest revision (a PostgreSQL database is wiped first, a SQLite file removed)."""
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    upgrade_database(url)


def _insert(session: Session, model, rows: list[dict]) -> None:
    """Core executemany in batches (the ORM's bulk path costs several times more per row)."""
    table = getattr(model, "__table__", model)
    for start in range(0, len(rows), BATCH):
        session.execute(table.insert(), rows[start : start + BATCH])


def _ids(session: Session, column, after: int) -> list[int]:
    return list(session.scalars(sa.select(column).where(column > after).order_by(column)))


def _last_id(session: Session, column) -> int:
    return session.scalar(sa.select(sa.func.max(column))) or 0


def seed_people(session: Session, count: int, rng: random.Random, skills: list[str], towns: list[str],
                regions: list[int]) -> list[int]:  # fmt: skip
    """`count` people, each a user with a profile, 3–8 skills, 1–3 outcomes; returns the profile ids."""
    first_user = _last_id(session, User.id)
    password = hasher("fast").hash(PASSWORD)
    now = utcnow()
    _insert(session, User, [
        {"email": f"person{n}@bench.example.jp", "display_name": f"ベンチ 人材{n}", "password_hash": password,
         "locale": "ja", "email_verified_at": now, "policy_version": POLICY_VERSION, "policy_accepted_at": now}
        for n in range(count)
    ])  # fmt: skip
    user_ids = _ids(session, User.id, first_user)
    first_profile = _last_id(session, Profile.id)
    numbers = np.random.default_rng(rng.randrange(1 << 30))
    modes = ["remote", "remote", "onsite", "hybrid", "hybrid"]
    _insert(session, Profile, [
        {"user_id": user_id, "display_name": f"人材{n}", "headline": synthetic_text(numbers, rng.choice(towns), 1)[:140],
         "bio": synthetic_text(numbers, rng.choice(towns), 3), "home_municipality_code": rng.choice(towns),
         "work_mode": rng.choice(modes), "max_travel_km": rng.choice([10, 30, 50, 100, 200]),
         "hours_per_week": rng.randint(2, 40), "earliest_start": dt.date(2026, 12, 1) + dt.timedelta(rng.randint(-30, 120)),
         "pay_kind": rng.choice(["hourly", "monthly", "volunteer", None]), "pay_yen": rng.choice([0, 1500, 3000, 200000]),
         "visibility": rng.choices(["public", "members", "private"], [60, 35, 5])[0],
         "open_to_offers": rng.random() < 0.85, "is_student": rng.random() < 0.1, "motives": ["learning"],
         "updated_at": now - dt.timedelta(minutes=n)}
        for n, user_id in enumerate(user_ids)
    ])  # fmt: skip
    profile_ids = _ids(session, Profile.id, first_profile)
    probs = _zipf_probs(len(skills), 0.8)
    skill_rows, outcome_rows, region_rows = [], [], []
    for profile_id in profile_ids:
        codes = set(numbers.choice(len(skills), size=rng.randint(3, 8), p=probs).tolist())
        skill_rows += [{"profile_id": profile_id, "skill_code": skills[c], "level": rng.randint(1, 4), "source": "self"}
                       for c in codes]  # fmt: skip
        for _ in range(rng.randint(1, 3)):
            outcome_rows.append({
                "profile_id": profile_id, "title": f"{rng.choice(DOMAINS)}の{rng.choice(TASKS)}"[:140],
                "description": synthetic_text(numbers, rng.choice(towns), 2), "role": rng.choice(["リーダー", "担当", "engineer"]),
                "started_on": dt.date(2020, 1, 1) + dt.timedelta(rng.randint(0, 2000)), "links": [],
            })  # fmt: skip
        if rng.random() < 0.3:
            region_rows += [{"profile_id": profile_id, "subprefecture_id": r} for r in rng.sample(regions, 2)]
    _insert(session, ProfileSkill, skill_rows)
    first_outcome = _last_id(session, Outcome.id)
    _insert(session, Outcome, outcome_rows)
    outcome_ids = _ids(session, Outcome.id, first_outcome)
    _insert(session, OutcomeSkill, [
        {"outcome_id": outcome_id, "skill_code": skills[int(numbers.choice(len(skills), p=probs))], "level": rng.randint(1, 4)}
        for outcome_id in outcome_ids
    ])  # fmt: skip
    _insert(session, profile_regions, region_rows)
    return profile_ids


def seed_organisations(session: Session, towns: list[str], count: int) -> list[int]:
    """`count` verified organisations (municipalities, companies), each with an owner; returns their ids."""
    first_user, first_organisation = _last_id(session, User.id), _last_id(session, Organisation.id)
    password = hasher("fast").hash(PASSWORD)
    now = utcnow()
    _insert(session, User, [
        {"email": f"owner{n}@bench.example.jp", "display_name": f"担当者{n}", "password_hash": password, "locale": "ja",
         "email_verified_at": now, "policy_version": POLICY_VERSION, "policy_accepted_at": now}
        for n in range(count)
    ])  # fmt: skip
    _insert(session, Organisation, [
        {"name": f"ベンチ組織{n}", "kind": "municipality" if n % 3 else "company", "municipality_code": towns[n % len(towns)],
         "verified_at": now}
        for n in range(count)
    ])  # fmt: skip
    owners, organisations = _ids(session, User.id, first_user), _ids(session, Organisation.id, first_organisation)
    _insert(session, Membership, [
        {"organisation_id": o, "user_id": u, "role": "owner"} for o, u in zip(organisations, owners, strict=True)
    ])  # fmt: skip
    return organisations


def seed_projects(session: Session, count: int, rng: random.Random, organisations: list[int], skills: list[str],
                  towns: list[str]) -> list[int]:  # fmt: skip
    """`count` projects (80 % open) with 2–6 needs each; returns their ids."""
    first = _last_id(session, Project.id)
    numbers = np.random.default_rng(rng.randrange(1 << 30))
    now = utcnow()
    _insert(session, Project, [
        {"organisation_id": organisations[n % len(organisations)], "title": f"{rng.choice(DOMAINS)}の{rng.choice(TASKS)}"[:140],
         "problem": synthetic_text(numbers, rng.choice(towns), 4), "expected_outcome": synthetic_text(numbers, rng.choice(towns), 2),
         "theme": rng.choice(THEMES), "municipality_code": rng.choice(towns), "work_mode": rng.choice(["remote", "onsite", "hybrid"]),
         "hours_per_week": rng.randint(4, 24), "starts_on": dt.date(2026, 12, 1) + dt.timedelta(rng.randint(0, 90)),
         "pay_kind": rng.choice(["hourly", "fixed", "volunteer"]), "pay_yen": rng.choice([0, 2000, 100000]),
         "seats": rng.randint(1, 3), "status": rng.choices(["open", "closed", "completed", "draft"], [80, 8, 8, 4])[0],
         "opened_at": now, "updated_at": now - dt.timedelta(minutes=n)}
        for n in range(count)
    ])  # fmt: skip
    ids = _ids(session, Project.id, first)
    probs = _zipf_probs(len(skills), 0.8)
    needs = []
    for project_id in ids:
        codes = list(dict.fromkeys(numbers.choice(len(skills), size=rng.randint(2, 6), p=probs).tolist()))
        needs += [{"project_id": project_id, "skill_code": skills[c], "min_level": rng.randint(1, 3), "is_must": i < 2}
                  for i, c in enumerate(codes)]  # fmt: skip
    _insert(session, ProjectNeed, needs)
    return ids


def _issuer(session: Session, ctx, skills: list[str], towns: list[str]) -> tuple[User, list]:
    """A verified school with an issuer key and `ACHIEVEMENTS` achievements (two aligned skills each)."""
    owner = User(email="school@bench.example.jp", display_name="発行担当", password_hash=hasher("fast").hash(PASSWORD),
                 email_verified_at=utcnow(), policy_version=POLICY_VERSION, policy_accepted_at=utcnow())  # fmt: skip
    school = Organisation(
        name="ベンチ高専", kind=OrganisationKind.SCHOOL, municipality_code=towns[0], verified_at=utcnow()
    )
    school.memberships.append(Membership(user=owner, role=MembershipRole.OWNER))
    session.add(school)
    session.flush()
    issuers.setup_issuer(session, owner, school, ctx)
    made = [
        achievements.create_achievement(session, owner, school, AchievementInput(
            name=f"ベンチ講座{n}", description="地域DXの講座", criteria="講座を修了した", tags="", expiry_months=None,
            proof_format="jwt", skill_code=skills[n], skill_level=2, skill_code_2=skills[n + ACHIEVEMENTS], skill_level_2=1))
        for n in range(ACHIEVEMENTS)
    ]  # fmt: skip
    return owner, made


def seed_credentials(session: Session, ctx, count: int, rng: random.Random, profile_ids: list[int],
                     skills: list[str], towns: list[str], real: int = REAL_CREDENTIALS) -> None:  # fmt: skip
    """`count` credentials, about half claimed onto profiles (their aligned skills badge-verified);
    the real (signed) ones come first."""
    owner, made = _issuer(session, ctx, skills, towns)
    real = min(count, real)
    people = rng.sample(profile_ids, min(len(profile_ids), count))
    emails = dict(session.execute(
        sa.select(Profile.id, User.email).join(User, User.id == Profile.user_id).where(Profile.id.in_(people[:real]))
    ).all())  # fmt: skip
    issued = []
    for n, achievement in enumerate(made):
        chunk = people[n * real // len(made) : (n + 1) * real // len(made)]
        awards = [(AwardInput(email=emails[p], name=f"人材{p}", evidence_url="", narrative=""), None) for p in chunk]
        issued += issuing.issue_credentials(session, owner, achievement, awards, ctx)
    session.flush()
    holders = {email: profile_id for profile_id, email in emails.items()}
    rows = session.execute(sa.select(Credential.id, Credential.public_id, Credential.recipient_email)).all()
    session.execute(sa.update(Credential), [
        {"id": credential_id, "profile_id": holders[email], "claimed_at": utcnow()}
        for credential_id, _, email in rows if holders[email] % 2
    ])  # fmt: skip
    _copies(session, owner, count - real, rng, profile_ids)
    _badge_skills(session)


def _copies(session: Session, owner: User, count: int, rng: random.Random, profile_ids: list[int]) -> None:
    templates = session.execute(
        sa.select(Credential.achievement_id, Credential.jwt, Credential.proof_format, Credential.issued_at)
    ).all()
    school = session.scalar(sa.select(Membership.organisation_id).where(Membership.user_id == owner.id))
    organisation = session.get(Organisation, school)
    lists, done = [], 0
    while done < count:
        status_list = new_status_list(session, organisation)
        lists.append(status_list)
        size = min(count - done, status_list.size_bits)
        rows = []
        for index in range(size):
            template = templates[(done + index) % len(templates)]
            profile_id = rng.choice(profile_ids) if rng.random() < 0.5 else None
            rows.append({
                "public_id": uuid.uuid4(), "achievement_id": template.achievement_id, "recipient_email":
                f"copy{done + index}@bench.example.jp", "recipient_name": f"受講者{done + index}",
                "proof_format": template.proof_format, "jwt": template.jwt, "status_list_id": status_list.id,
                "status_index": index, "issued_at": template.issued_at, "profile_id": profile_id,
                "claimed_at": template.issued_at if profile_id else None,
            })  # fmt: skip
        _insert(session, Credential, rows)
        done += size


def _badge_skills(session: Session) -> None:
    """Each claimed credential's aligned skills on its holder's profile as badge-verified (one row per skill)."""
    pairs = session.execute(
        sa.select(Credential.profile_id, AchievementSkill.skill_code, sa.func.max(AchievementSkill.level),
                  sa.func.min(Credential.id))
        .join(AchievementSkill, AchievementSkill.achievement_id == Credential.achievement_id)
        .where(Credential.profile_id.is_not(None))
        .group_by(Credential.profile_id, AchievementSkill.skill_code)
    ).all()  # fmt: skip
    public_ids = dict(session.execute(sa.select(Credential.id, Credential.public_id)).all())
    _insert(session, ProfileSkill, [
        {"profile_id": p, "skill_code": code, "level": level, "source": "badge",
         "evidence_url": f"https://bench.example.jp/credentials/{public_ids[credential_id]}"}
        for p, code, level, credential_id in pairs
    ])  # fmt: skip


def index_profiles(session: Session, profile_ids: list[int]) -> None:
    """The search index rows of these profiles, computed by the app's `index_rows`."""
    for start in range(0, len(profile_ids), 2000):
        batch = session.scalars(
            sa.select(Profile).where(Profile.id.in_(profile_ids[start : start + 2000]))
            .options(selectinload(Profile.skills).selectinload(ProfileSkill.skill), selectinload(Profile.outcomes))
        ).all()  # fmt: skip
        _insert(session, ProfileSearchTerm, [row for p in batch for row in index_rows(p)])
        session.expunge_all()


def seed_talent_bank(session: Session, ctx, *, people: int, projects: int, credentials: int,
                     organisations: int = 200, real_credentials: int = REAL_CREDENTIALS, seed: int = 18) -> None:  # fmt: skip
    """Reference data, organisations, projects, people, credentials and the search index, committed."""
    rng = random.Random(seed)
    load_reference_data(session)
    skills = list(session.scalars(sa.select(Skill.code).where(Skill.is_selectable).order_by(Skill.position)))
    towns = list(session.scalars(sa.select(Municipality.code).order_by(Municipality.code)))
    regions = list(session.scalars(sa.select(Subprefecture.id)))
    organisation_ids = seed_organisations(session, towns, min(organisations, projects))
    seed_projects(session, projects, rng, organisation_ids, skills, towns)
    profile_ids = seed_people(session, people, rng, skills, towns, regions)
    session.commit()
    seed_credentials(session, ctx, credentials, rng, profile_ids, skills, towns, real_credentials)
    session.commit()
    index_profiles(session, profile_ids)
    session.commit()


def landmarks(session: Session) -> Seeded:
    """Where a benchmark goes in a seeded database: the first open project, its owner, public profiles,
    real credentials, and the table sizes."""
    project = session.scalars(sa.select(Project).where(Project.status == "open").order_by(Project.id)).first()
    owner = session.scalars(
        sa.select(User).join(Membership).where(Membership.organisation_id == project.organisation_id)
    ).first()  # fmt: skip
    public = session.scalars(
        sa.select(Profile.public_id).where(Profile.visibility == "public").order_by(Profile.id).limit(50)
    ).all()  # fmt: skip
    credentials = session.scalars(sa.select(Credential.public_id).order_by(Credential.id).limit(50)).all()
    counts = {
        name: session.scalar(sa.select(sa.func.count()).select_from(model))
        for name, model in [("people", Profile), ("projects", Project), ("credentials", Credential),
                            ("profile skills", ProfileSkill), ("outcomes", Outcome), ("search terms", ProfileSearchTerm)]
    }  # fmt: skip
    return Seeded(
        owner.email, owner.id, str(project.public_id), [str(p) for p in public], [str(c) for c in credentials], counts
    )


def is_seeded(url: str, people: int) -> bool:
    """Whether this database was seeded with `people` people (a benchmark database kept for reuse)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(Profile)) == people
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()
