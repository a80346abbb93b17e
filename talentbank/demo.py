"""A small, realistic Hokkaido demo data set so that a newcomer sees a living site.

Every demo account's address ends in `@demo.talentbank.invalid` and shares the password below:
demo data is for laptops and staging, never production (`talentbank setup --no-demo`).
"""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from talentbank.db import utcnow
from talentbank.models import Membership, MembershipRole, Organisation, OrganisationKind, User

DEMO_PASSWORD = "hokkaido-demo-2026"  # noqa: S105  (public on purpose: demo accounts only)
DEMO_DOMAIN = "demo.talentbank.invalid"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"

# (name, English name, kind, municipality code, verified, description, owner e-mail local part)
ORGANISATIONS = [
    ("旭川市 デジタル戦略課", "Asahikawa City Digital Strategy Division", OrganisationKind.MUNICIPALITY, "012041", True,
     "行政手続きのオンライン化と、市内事業者のDX支援を進めています。", "asahikawa"),
    ("帯広市 ICT推進室", "Obihiro City ICT Promotion Office", OrganisationKind.MUNICIPALITY, "012076", True,
     "十勝の農業データ活用と、窓口業務の効率化に取り組んでいます。", "obihiro"),
    ("上士幌町 デジタル推進係", "Kamishihoro Town Digital Promotion", OrganisationKind.MUNICIPALITY, "016331", True,
     "人口約5,000人の町。ドローン配送やスマート農業の実証フィールドを提供しています。", "kamishihoro"),
    ("株式会社とかちデータ工房", "Tokachi Data Works Inc.", OrganisationKind.COMPANY, "012076", True,
     "酪農・畑作のデータ分析と、kintoneによる業務改善を手がける社員12名の会社です。", "tokachi-data"),
    ("オホーツク観光DX合同会社", "Okhotsk Tourism DX LLC", OrganisationKind.COMPANY, "012084", False,
     "流氷観光の予約・多言語案内をデジタル化するスタートアップです。", "okhotsk-dx"),
    ("道北工業高等専門学校", "Dohoku National College of Technology", OrganisationKind.SCHOOL, "012041", True,
     "情報・電気・機械の3学科。地域課題解決型のPBLとデジタルバッジを発行しています。", "dohoku-kosen"),
    ("北海道 総合政策部 デジタル推進局", "Hokkaido Government Digital Promotion Bureau", OrganisationKind.PREFECTURE,
     "011002", True, "北海道Society5.0の推進とデジタル人材の育成・確保を担当しています。", "pref-digital"),
]  # fmt: skip

# (display name, e-mail local part) — the first seven own the organisations above.
PEOPLE = [
    ("佐藤 美咲", "asahikawa"), ("高橋 健太", "obihiro"), ("鈴木 花子", "kamishihoro"),
    ("田中 翔", "tokachi-data"), ("伊藤 さくら", "okhotsk-dx"), ("渡辺 大輔", "dohoku-kosen"),
    ("山本 由美", "pref-digital"), ("中村 拓也", "nakamura"), ("小林 愛", "kobayashi"),
    ("加藤 陽介", "kato"), ("吉田 真央", "yoshida"), ("山田 直樹", "yamada"), ("佐々木 彩", "sasaki"),
    ("山口 亮", "yamaguchi"), ("松本 千尋", "matsumoto"), ("井上 悠斗", "inoue"), ("木村 菜々", "kimura"),
    ("林 海斗", "hayashi"), ("斎藤 結衣", "saito"), ("清水 蓮", "shimizu"), ("山崎 葵", "yamazaki"),
    ("森 颯太", "mori"), ("阿部 美月", "abe"), ("池田 蒼", "ikeda"), ("橋本 凛", "hashimoto"),
    ("石川 湊", "ishikawa"), ("前田 芽衣", "maeda"), ("藤田 大和", "fujita"), ("Emily Carter", "carter"),
    ("Nguyen Van An", "nguyen"),
]  # fmt: skip

# Extra members: (e-mail local part of the person, index into ORGANISATIONS)
MEMBERS = [("nakamura", 0), ("kobayashi", 3), ("kato", 5), ("yoshida", 6)]


def load_demo_data(session: Session, *, hasher: PasswordHasher) -> int:
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
    return created
