"""The caller's skills over the API: declare a skill or change its level and years, remove a self-declared
one. Same services as the skills page."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from pydantic import Field

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation
from talentbank.api.profile_out import ProfileSkillOut, skill_out
from talentbank.api.schemas import SKILL_CODE, Model
from talentbank.errors import NotFound
from talentbank.models import SkillSource
from talentbank.profiles import services
from talentbank.profiles.inputs import SkillInput


class SkillIn(Model):
    level: int = Field(ge=1, le=4, description="1 (with guidance) to 4 (leads others), as in DSS")
    years: float | None = Field(None, ge=0, le=60, allow_inf_nan=False, description="years of experience")


@bp.put("/me/profile/skills/<skill_code>")
@operation(tag="profiles", scope="write", json=SkillIn, ok=ProfileSkillOut, status=(200, 201))
def put_my_skill(skill_code: str):
    """Declare a skill (201) or change the level and years of one already declared (200)

    Only self-declared skills change; badge- and project-verified entries stay as they are. An unknown or
    retired skill code is refused with 422 on `skill_code`, as on the skills page.
    """
    actor = api_actor()
    code = skill_code if re.fullmatch(SKILL_CODE, skill_code) else ""  # not a code: the service refuses it
    declared = next(
        (s for s in services.require_own_profile(db.session, actor).skills
         if s.skill_code == code and s.source is SkillSource.SELF),
        None,
    )  # fmt: skip
    if declared is not None:  # the page changes a level by removing and declaring again: one request here
        services.remove_skill(db.session, actor, declared.id)
    details = body()
    entry = services.add_skill(db.session, actor, SkillInput(skill_code=code, level=details.level, years=details.years))
    return skill_out(entry), 200 if declared is not None else 201


@bp.delete("/me/profile/skills/<skill_code>")
@operation(tag="profiles", scope="write", ok=None, status=204, errors=(409,))
def delete_my_skill(skill_code: str):
    """Remove a self-declared skill (verified ones stay: 409, as on the skills page)"""
    actor = api_actor()
    entries = [s for s in services.require_own_profile(db.session, actor).skills if s.skill_code == skill_code]
    if not entries:
        raise NotFound(_("このスキルはプロフィールにありません。"))
    entry = next((s for s in entries if s.source is SkillSource.SELF), entries[0])
    services.remove_skill(db.session, actor, entry.id)
    return "", 204
