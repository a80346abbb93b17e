"""Achievements: what a badge certifies (criteria, image, the DSS skills it aligns to with their
levels, expiry, proof format), and the Open Badges achievement the issuing code builds from one."""

from __future__ import annotations

import calendar
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

import badges
from talentbank import audit
from talentbank.credentials import uploads
from talentbank.credentials.inputs import AchievementInput
from talentbank.credentials.issuers import achievement_url, is_issuer
from talentbank.errors import Conflict, Invalid
from talentbank.lookup import by_public_id
from talentbank.models import Achievement, AchievementSkill, Organisation, ProofFormat, Skill, User
from talentbank.security import require

DSS_FRAMEWORK = "デジタルスキル標準 DSS-P ver.2.0 (METI/IPA)"


def create_achievement(
    session: Session,
    actor: User,
    organisation: Organisation,
    details: AchievementInput,
    image: tuple[str, bytes] | None = None,
) -> Achievement:
    """Define a badge: what it certifies, which DSS skills at which level, expiry, proof format, and
    optionally its image (`(file name, bytes)`: PNG re-encoded, SVG rebuilt from an allow-list)."""
    require(actor, "issue", organisation)
    if not is_issuer(session, organisation):
        raise Conflict(str(_l("先に発行者の設定をしてください。")))
    pairs = [(details.skill_code, details.skill_level)]
    if details.skill_code_2:
        if details.skill_code_2 == details.skill_code:
            raise Invalid.on("skill_code_2", _l("同じスキルが2回選ばれています。"))
        pairs.append((details.skill_code_2, details.skill_level_2))
    for index, (code, level) in enumerate(pairs):
        skill = session.get(Skill, code)
        if skill is None or not skill.is_selectable:
            raise Invalid.on("skill_code" if index == 0 else "skill_code_2", _l("スキルを一覧から選んでください。"))
        if level not in (1, 2, 3, 4):
            raise Invalid.on("skill_level", _l("レベルは1〜4から選んでください。"))
    achievement = Achievement(
        organisation=organisation,
        name=details.name.strip(),
        description=details.description.strip(),
        criteria=details.criteria.strip(),
        tags=[t.strip() for t in (details.tags or "").split(",") if t.strip()][:10],
        expiry_months=details.expiry_months,
        proof_format=ProofFormat(details.proof_format),
        skills=[AchievementSkill(skill_code=code, level=level) for code, level in pairs],
    )
    if image is not None:
        name, data = image
        try:
            if name.lower().endswith(".svg"):
                achievement.image_svg = uploads.clean_svg(data)
            else:
                achievement.image_png = uploads.clean_png(data)
        except uploads.UploadError as error:
            raise Invalid.on("image", error) from None
    session.add(achievement)
    session.flush()
    audit.record(session, actor, "achievement.create", object_type="achievement", object_id=achievement.public_id)
    return achievement


def get_achievement(session: Session, public_id: str) -> Achievement:
    return by_public_id(
        session,
        Achievement,
        public_id,
        selectinload(Achievement.skills).selectinload(AchievementSkill.skill),
        selectinload(Achievement.organisation),
    )


def achievements_of(session: Session, organisation: Organisation) -> list[Achievement]:
    return list(
        session.scalars(
            sa.select(Achievement)
            .where(Achievement.organisation_id == organisation.id)
            .options(selectinload(Achievement.skills).selectinload(AchievementSkill.skill))
            .order_by(Achievement.id.desc())
        )
    )


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def achievement_input(achievement: Achievement, base_url: str) -> badges.AchievementInput:
    alignments = tuple(
        badges.Alignment(
            target_name=s.skill.name_ja,
            target_url=f"{base_url}/skills/{s.skill_code}",
            target_code=s.skill_code,
            target_framework=DSS_FRAMEWORK,
            target_type="ext:DSS",
            target_description=s.skill.name_en,
            skill_level=s.level,
        )
        for s in achievement.skills
    )
    return badges.AchievementInput(
        id=achievement_url(base_url, achievement),
        name=achievement.name,
        description=achievement.description,
        criteria_narrative=achievement.criteria,
        image_url=f"{achievement_url(base_url, achievement)}/image.{achievement.image_extension}",
        alignments=alignments,
        tags=tuple(achievement.tags),
    )
