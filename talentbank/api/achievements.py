"""Achievements (badges) over the API: an organisation's list, one achievement with its aligned skills and
endorsements, and defining one. Its output models (the issuer, an endorsement, an achievement's summary) are
also what the credential and issuer operations return (`credentials`, `issuers`). Every operation calls the
same services as the pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urljoin

from flask import request, url_for
from pydantic import Field, StringConstraints

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation, params
from talentbank.api.schemas import MULTI_LINE, Model, Out, PageQuery, page_of, paginate
from talentbank.credentials import achievements, endorsements
from talentbank.credentials.context import badge_image, issuer_context
from talentbank.credentials.inputs import AchievementInput
from talentbank.errors import Invalid
from talentbank.models import Achievement, Organisation, ProofFormat
from talentbank.organisations.services import get_organisation

# ---- output --------------------------------------------------------------------------------------------


class AchievementSkillOut(Out):
    code: str = Field(description="DSS item code, e.g. dssp2-36")
    name_ja: str
    name_en: str
    level: int = Field(ge=1, le=4, description="the level the badge certifies (1–4)")
    url: str = Field(description="the skill's page, also the alignment target in the credential")


class AchievementIssuerOut(Out):
    id: uuid.UUID
    name: str
    verified: bool
    url: str


class EndorsementOut(Out):
    id: uuid.UUID
    endorser: AchievementIssuerOut
    comment: str
    created_at: datetime
    verified: bool = Field(description="the EndorsementCredential's signature and issuer check out now")
    url: str = Field(description="the signed EndorsementCredential (JSON)")


class AchievementSummaryOut(Out):
    id: uuid.UUID
    name: str
    description: str
    skills: list[AchievementSkillOut]
    image_url: str
    expiry_months: int | None = Field(description="months each credential stays valid; null: no expiry")
    proof_format: ProofFormat = Field(description="jwt (VC-JWT) or di (Data Integrity eddsa-rdfc-2022)")
    url: str


class AchievementDetailOut(AchievementSummaryOut):
    criteria: str
    tags: list[str]
    issuer: AchievementIssuerOut
    created_at: datetime
    endorsements: list[EndorsementOut]


AchievementPage = page_of(AchievementSummaryOut, "AchievementPage")


def achievement_issuer_out(organisation: Organisation) -> AchievementIssuerOut:
    return AchievementIssuerOut(
        id=organisation.public_id,
        name=organisation.name,
        verified=organisation.is_verified,
        url=url_for("organisations.show", public_id=organisation.public_id, _external=True),
    )


def achievement_summary_fields(achievement: Achievement) -> dict[str, Any]:
    return {
        "id": achievement.public_id,
        "name": achievement.name,
        "description": achievement.description,
        "skills": [
            AchievementSkillOut(
                code=s.skill_code,
                name_ja=s.skill.name_ja,
                name_en=s.skill.name_en,
                level=s.level,
                url=url_for("reference.skill", code=s.skill_code, _external=True),
            )
            for s in achievement.skills
        ],
        "image_url": urljoin(request.host_url, badge_image(achievement)),
        "expiry_months": achievement.expiry_months,
        "proof_format": achievement.proof_format,
        "url": url_for("credentials.achievement", public_id=achievement.public_id, _external=True),
    }


def endorsement_fields(checked: endorsements.CheckedEndorsement) -> dict[str, Any]:
    endorsement = checked.endorsement
    return {
        "id": endorsement.public_id,
        "endorser": achievement_issuer_out(endorsement.endorser),
        "comment": endorsement.comment,
        "created_at": endorsement.created_at,
        "verified": checked.verified,
        "url": url_for("credentials.endorsement", public_id=endorsement.public_id, _external=True),
    }


def endorsements_out(achievement: Achievement) -> list[EndorsementOut]:
    """The achievement's endorsements, each verified now (the same check the pages show)."""
    return [
        EndorsementOut(**endorsement_fields(checked))
        for checked in endorsements.checked_endorsements(db.session, achievement, issuer_context())
    ]


def achievement_detail_out(achievement: Achievement) -> AchievementDetailOut:
    return AchievementDetailOut(
        **achievement_summary_fields(achievement),
        criteria=achievement.criteria,
        tags=list(achievement.tags),
        issuer=achievement_issuer_out(achievement.organisation),
        created_at=achievement.created_at,
        endorsements=endorsements_out(achievement),
    )


# ---- operations ----------------------------------------------------------------------------------------


@bp.get("/organisations/<organisation_id>/achievements")
@operation(tag="credentials", public=True, query=PageQuery, ok=AchievementPage)
def list_achievements(organisation_id: str):
    """The achievements (badges) an organisation offers, newest first"""
    organisation = get_organisation(db.session, organisation_id)
    page = paginate(achievements.achievements_of(db.session, organisation), params())
    page["items"] = [AchievementSummaryOut(**achievement_summary_fields(a)) for a in page["items"]]
    return page


@bp.get("/achievements/<achievement_id>")
@operation(tag="credentials", public=True, ok=AchievementDetailOut)
def get_achievement(achievement_id: str):
    """One achievement: criteria, aligned DSS skills with levels, image, expiry, proof format, endorsements"""
    return achievement_detail_out(achievements.get_achievement(db.session, achievement_id))


Tag = Annotated[str, StringConstraints(min_length=1, max_length=30, pattern=r"^[^,]+$")]


class AchievementSkillIn(Model):
    code: str = Field(pattern=r"^[a-z0-9-]{1,16}$", description="a selectable DSS item code (see /api/v1/skills)")
    level: int = Field(2, ge=1, le=4)


class AchievementIn(Model):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=2000, json_schema_extra=MULTI_LINE)
    criteria: str = Field(
        min_length=1, max_length=4000, description="what a person did to earn it", json_schema_extra=MULTI_LINE
    )
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    expiry_months: int | None = Field(None, ge=1, le=120, description="null: credentials never expire")
    proof_format: ProofFormat = ProofFormat.JWT
    skills: list[AchievementSkillIn] = Field(min_length=1, max_length=2, description="one or two DSS skills")


# The achievement form's field names, as the service reports them, and where they are in AchievementIn.
_ACHIEVEMENT_FIELDS = {
    "skill_code": "skills.0.code",
    "skill_level": "skills.0.level",
    "skill_code_2": "skills.1.code",
    "skill_level_2": "skills.1.level",
}


@bp.post("/organisations/<organisation_id>/achievements")
@operation(tag="credentials", scope="issue", json=AchievementIn, ok=AchievementDetailOut, status=201, errors=(409,))
def create_achievement(organisation_id: str):
    """Define an achievement (a badge) of a verified issuer; its image is generated"""
    organisation = get_organisation(db.session, organisation_id)
    request_body = body()
    first, *second = request_body.skills
    details = AchievementInput(
        name=request_body.name,
        description=request_body.description,
        criteria=request_body.criteria,
        tags=",".join(request_body.tags),
        expiry_months=request_body.expiry_months,
        proof_format=request_body.proof_format.value,
        skill_code=first.code,
        skill_level=first.level,
        skill_code_2=second[0].code if second else "",
        skill_level_2=second[0].level if second else 1,
    )
    try:
        achievement = achievements.create_achievement(db.session, api_actor(), organisation, details)
    except Invalid as error:
        raise Invalid(error.message, {_ACHIEVEMENT_FIELDS.get(k, k): v for k, v in error.fields.items()}) from None
    return achievement_detail_out(achievement), 201
