"""A small, realistic Hokkaido demo data set so that a newcomer sees a living site.

Every demo account's address ends in `@demo.talentbank.example` and shares the password below:
demo data is for laptops and staging, never production (`talentbank setup --no-demo`). This module
loads it; who and what it holds are the tables of `demo_data`.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from talentbank.db import utcnow
from talentbank.demo_data import (
    BADGE_RECIPIENTS,
    MEMBERS,
    ONSITE_DAYS,
    ORGANISATIONS,
    PEOPLE,
    PROFILES,
    PROJECTS,
    STUDENTS,
)
from talentbank.models import (
    Achievement,
    Membership,
    MembershipRole,
    Organisation,
    Outcome,
    OutcomeSkill,
    PayKind,
    Profile,
    ProfileSkill,
    Project,
    ProjectNeed,
    ProjectPay,
    ProjectStatus,
    ProjectWorkMode,
    Subprefecture,
    Theme,
    User,
    Visibility,
    WorkMode,
)

DEMO_PASSWORD = "hokkaido-demo-2026"  # noqa: S105  (public on purpose: demo accounts only)
DEMO_DOMAIN = "demo.talentbank.example"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"


def load_demo_data(session: Session, *, hasher: PasswordHasher, issuer: Any = None) -> int:
    """Create the demo accounts and organisations that do not exist yet; returns rows created."""
    created = 0
    now = utcnow()
    password_hash = hasher.hash(DEMO_PASSWORD)
    users = {u.email: u for u in session.scalars(sa.select(User).where(User.email.like(f"%@{DEMO_DOMAIN}")))}
    admin = users.get(ADMIN_EMAIL)
    if admin is None:
        admin = User(email=ADMIN_EMAIL, display_name="サイト管理者", password_hash=password_hash, is_admin=True,
                     email_verified_at=now)  # fmt: skip
        session.add(admin)
        created += 1
    for display_name, local in PEOPLE:
        email = f"{local}@{DEMO_DOMAIN}"
        if email not in users:
            locale = "en" if local in {"carter", "nguyen"} else "ja"
            users[email] = User(
                email=email,
                display_name=display_name,
                password_hash=password_hash,
                email_verified_at=now,
                locale=locale,
            )
            session.add(users[email])
            created += 1
    session.flush()
    existing = {o.name: o for o in session.scalars(sa.select(Organisation))}
    organisations = []
    for name, name_en, kind, code, verified, description, owner in ORGANISATIONS:
        organisation = existing.get(name)
        if organisation is None:
            organisation = Organisation(
                name=name, name_en=name_en, kind=kind, municipality_code=code, description=description,
                verified_at=now if verified else None, verified_by_id=admin.id if verified else None,
            )  # fmt: skip
            organisation.memberships.append(Membership(user=users[f"{owner}@{DEMO_DOMAIN}"], role=MembershipRole.OWNER))
            session.add(organisation)
            created += 2
        organisations.append(organisation)
    session.flush()
    for local, index in MEMBERS:
        organisation, user = organisations[index], users[f"{local}@{DEMO_DOMAIN}"]
        if not any(m.user_id == user.id for m in organisation.memberships):
            organisation.memberships.append(Membership(user=user, role=MembershipRole.MEMBER))
            created += 1
    session.flush()
    created += _load_profiles(session, users)
    created += _load_projects(session, organisations, users)
    if issuer is not None:
        created += _load_badges(session, organisations, users, issuer)
        created += _load_learning(session, organisations, users, issuer)
    session.flush()
    return created


def _load_badges(session: Session, organisations: list[Organisation], users: dict[str, User], issuer: Any) -> int:
    from talentbank.credentials import achievements, claims, endorsements, issuers, issuing
    from talentbank.credentials.inputs import AchievementInput, AwardInput

    kosen, prefecture = organisations[5], organisations[6]
    if issuers.is_issuer(session, kosen):
        return 0
    teacher, prefecture_owner = kosen.memberships[0].user, prefecture.memberships[0].user
    issuers.setup_issuer(session, teacher, kosen, issuer)
    issuers.setup_issuer(session, prefecture_owner, prefecture, issuer)
    achievement = achievements.create_achievement(
        session, teacher, kosen,
        AchievementInput(name="データ分析基礎（Python）", description="Pythonでデータを集計・可視化し、結果を説明できる。",
                         criteria="30時間の講座を修了し、地域のオープンデータを使った分析レポートが合格した。",
                         tags="python, データ分析", expiry_months=None, proof_format="jwt", skill_code="dssp2-35",
                         skill_level=2, skill_code_2="dssp2-43", skill_level_2=1),
    )  # fmt: skip
    endorsements.endorse(session, prefecture_owner, achievement, prefecture,
                        "北海道のDX人材育成の基準に合った講座です。", issuer)  # fmt: skip
    for local in BADGE_RECIPIENTS:
        user = users[f"{local}@{DEMO_DOMAIN}"]
        award = AwardInput(email=user.email, name=user.display_name, evidence_url="", narrative="")
        credential = issuing.issue_credential(session, teacher, achievement, award, issuer)
        profile = session.scalar(sa.select(Profile).where(Profile.user_id == user.id))
        if profile is not None:
            claims.claim_credential(session, user, credential, profile)
            if local == BADGE_RECIPIENTS[0]:
                _deliver_to_a_demo_wallet(session, user, credential, issuer)
    return 1 + len(BADGE_RECIPIENTS)


def _deliver_to_a_demo_wallet(session: Session, user: User, credential: Any, issuer: Any) -> None:
    """The whole OpenID4VCI exchange once, with a wallet key made here, so the badge page shows a delivery."""
    import time
    from urllib.parse import parse_qs, urlsplit

    import jwt
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    import badges
    from talentbank.wallet import exchange, offers
    from talentbank.wallet.metadata import JWT_CONFIGURATION, PRE_AUTHORIZED_GRANT

    created = offers.create_offer(session, user, credential, issuer.base_url, with_tx_code=False)
    offer = json.loads(parse_qs(urlsplit(created.uri).query)["credential_offer"][0])
    code = offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    token = exchange.redeem_code(session, PRE_AUTHORIZED_GRANT, code, None).token
    secret = secrets.token_bytes(32)  # the demo's own nonce key: its nonce is used at once
    wallet_key = Ed25519PrivateKey.generate()
    proof = jwt.encode({"aud": issuer.base_url, "iat": int(time.time()), "nonce": exchange.new_nonce(secret)},
                       wallet_key, algorithm="EdDSA",
                       headers={"typ": "openid4vci-proof+jwt",
                                "kid": badges.did_key_verification_method(wallet_key.public_key())})  # fmt: skip
    body = {"credential_configuration_id": JWT_CONFIGURATION, "proofs": {"jwt": [proof]}}
    exchange.deliver_credential(session, token, body, issuer, secret)


# 学びの場: the KOSEN's free online course awards its badge; the prefecture's applied course awards its
# own; a KOSEN PBL class works on 上士幌町's drone project. 山田 (Tokyo, no data analysis yet) nearly
# matches 帯広市's dairy project and is enrolled in the applied course; 林 completed the KOSEN course.
def _load_learning(session: Session, organisations: list[Organisation], users: dict[str, User], issuer: Any) -> int:
    from datetime import timedelta

    from talentbank.credentials import achievements
    from talentbank.credentials.inputs import AchievementInput
    from talentbank.learning import enrolments, opportunities
    from talentbank.learning.inputs import OpportunityInput, TaughtSkillInput
    from talentbank.models import LearningOpportunity

    kosen, prefecture = organisations[5], organisations[6]
    if session.scalar(sa.select(LearningOpportunity.id).where(LearningOpportunity.organisation_id == kosen.id)):
        return 0
    teacher, staff = kosen.memberships[0].user, prefecture.memberships[0].user
    today = utcnow().date()
    kosen_badge = session.scalar(sa.select(Achievement).where(Achievement.organisation_id == kosen.id))
    applied_badge = achievements.create_achievement(
        session, staff, prefecture,
        AchievementInput(name="データ分析 応用（北海道DX人材育成講座）",
                         description="地域の統計データを分析し、施策の効果を数字で説明できる。",
                         criteria="全8回のライブ講義に出席し、自治体の実データを使った最終課題が合格した。",
                         tags="データ分析, 北海道", expiry_months=36, proof_format="jwt", skill_code="dssp2-35",
                         skill_level=3, skill_code_2="", skill_level_2=0),
    )  # fmt: skip

    def offer(organisation, owner, **fields):
        details = {"language": "ja", "municipality_code": None, "starts_on": None, "ends_on": None, "cost_yen": 0,
                   "eligibility": "anyone", "capacity": None, "deadline": None, "course_url": "", **fields}  # fmt: skip
        return opportunities.save_opportunity(session, owner, organisation, OpportunityInput(**details), today=today)

    beginner = offer(
        kosen, teacher, title="地域のオープンデータで学ぶPython入門（オンライン）",
        description="旭川市・上士幌町のオープンデータを教材に、Pythonでの集計と可視化を自分のペースで学びます。無料。",
        format="self_paced", study_hours=30, course_url="https://example.jp/kosen/python-intro",
        skills=(TaughtSkillInput("dssp2-35", 2), TaughtSkillInput("dssp2-43", 1)),
        achievement_id=str(kosen_badge.public_id) if kosen_badge else None,
    )  # fmt: skip
    applied = offer(
        prefecture, staff, title="北海道DX人材育成講座：データ分析 応用",
        description="道内自治体の実データで、施策の効果を測る分析をライブ講義で学びます。社会人向け、全8回。",
        format="live_online", study_hours=24, starts_on=today + timedelta(days=21),
        ends_on=today + timedelta(days=77), capacity=40, deadline=today + timedelta(days=14),
        eligibility="working_adults", skills=(TaughtSkillInput("dssp2-35", 3),),
        achievement_id=str(applied_badge.public_id),
    )  # fmt: skip
    drone = session.scalar(sa.select(Project).where(Project.title == PROJECTS[0][1]))
    offer(
        kosen, teacher, title="PBL：上士幌町のドローン配送データを分析する",
        description="上士幌町の配送実証の飛行ログを使い、学生チームが町の担当者と一緒にダッシュボードを作ります。",
        format="pbl", municipality_code="012041", study_hours=60, starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=120), capacity=20, deadline=today + timedelta(days=25),
        eligibility="students", skills=(TaughtSkillInput("dssp2-35", 2), TaughtSkillInput("dssp2-40", 2)),
        project_id=str(drone.public_id) if drone else None,
    )  # fmt: skip
    yamada, hayashi = users[f"yamada@{DEMO_DOMAIN}"], users[f"hayashi@{DEMO_DOMAIN}"]
    enrolments.enrol(session, yamada, applied, today=today)
    finished = enrolments.enrol(session, hayashi, beginner, today=today)
    enrolments.complete(session, teacher, beginner, [str(finished.public_id)], issuer)
    return 6


def _load_projects(session: Session, organisations: list[Organisation], users: dict[str, User]) -> int:
    from datetime import timedelta

    created = 0
    now = utcnow()
    today = now.date()
    titles = set(session.scalars(sa.select(Project.title)))
    for index, title, problem, outcome, theme, code, mode, hours, pay, yen, internship, needs in PROJECTS:
        if title in titles:
            continue
        organisation = organisations[index]
        project = Project(
            organisation=organisation, title=title, problem=problem, expected_outcome=outcome, theme=Theme(theme),
            municipality_code=code, work_mode=ProjectWorkMode(mode), hours_per_week=hours,
            onsite_days_per_month=2 if mode == "hybrid" else None, starts_on=today + timedelta(days=45),
            start_slack_days=14 if internship else 30,  # a term starts on a date: internships wait less
            pay_kind=ProjectPay(pay), pay_yen=yen, is_internship=internship, is_students_only=internship, seats=2,
            deadline=today + timedelta(days=30), status=ProjectStatus.OPEN, created_at=now, opened_at=now,
            created_by_id=organisation.memberships[0].user_id,
        )  # fmt: skip
        for need in needs:
            skill_code, level, kind = need.split(":")
            project.needs.append(ProjectNeed(skill_code=skill_code, min_level=int(level), is_must=kind == "must"))
        session.add(project)
        created += 1
    return created


def _load_profiles(session: Session, users: dict[str, User]) -> int:
    from talentbank.profiles.search import reindex_profile

    created = 0
    subprefectures = {s.slug: s for s in session.scalars(sa.select(Subprefecture))}
    for local, home, headline, bio, mode, hours, km, visibility, regions, skills, outcomes in PROFILES:
        user = users[f"{local}@{DEMO_DOMAIN}"]
        if session.scalar(sa.select(Profile.id).where(Profile.user_id == user.id)) is not None:
            continue
        profile = Profile(
            user=user,
            display_name=user.display_name,
            headline=headline,
            bio=bio,
            home_municipality_code=home if home[0].isdigit() else None,
            home_prefecture=None if home[0].isdigit() else home,
            work_mode=WorkMode(mode),
            hours_per_week=hours,
            max_travel_km=km,
            onsite_days_per_month=ONSITE_DAYS.get(local) if mode != "remote" else None,
            visibility=Visibility(visibility),
            motives=["hometown", "learning"] if not home[0].isdigit() else ["learning"],
            regions=[subprefectures[slug] for slug in regions],
            pay_kind=PayKind.HOURLY,
            pay_yen=3000,
            is_student=local in STUDENTS,
            school_name=STUDENTS.get(local),
        )
        profile.skills = [ProfileSkill(skill_code=code, level=int(level)) for code, level in _split(skills)]
        for title, role, organisation, used, description in outcomes:
            outcome = Outcome(title=title, role=role, organisation_name=organisation or None, description=description)
            outcome.skills = [OutcomeSkill(skill_code=code, level=int(level)) for code, level in _split(used)]
            profile.outcomes.append(outcome)
        session.add(profile)
        session.flush()
        session.refresh(profile)
        reindex_profile(session, profile)
        created += 1
    return created


def _split(items: list[str]) -> list[tuple[str, str]]:
    return [tuple(item.split(":")) for item in items]  # type: ignore[misc]
