"""The caller's outcomes (成果) over the API: add, replace, delete, hide or show again. Same services as
the outcome pages."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import Field

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation
from talentbank.api.profile_out import MyOutcomeOut, my_outcome_out
from talentbank.api.schemas import MULTI_LINE, SKILL_CODE, TEXT, Model
from talentbank.profiles import outcomes
from talentbank.profiles.forms import MAX_BIO
from talentbank.profiles.inputs import OutcomeInput

SkillCode = Annotated[str, Field(pattern=SKILL_CODE, description="DSS item code, e.g. dssp2-36")]
Link = Annotated[str, Field(max_length=500, pattern=r"^https?://[^\s\x00]+$")]


class OutcomeIn(Model):
    """An outcome (成果), as on the outcome form."""

    title: str = Field(min_length=1, max_length=140, pattern=TEXT)
    description: str = Field("", max_length=MAX_BIO, pattern=TEXT, description="Markdown", json_schema_extra=MULTI_LINE)
    role: str = Field("", max_length=80, pattern=TEXT)
    started_on: date | None = None
    ended_on: date | None = Field(None, description="not before started_on")
    organisation_name: str = Field("", max_length=120, pattern=TEXT)
    organisation: uuid.UUID | None = Field(None, description="link a registered organisation (its id)")
    links: list[Link] = Field(default_factory=list, max_length=5, description="http(s) URLs")
    skill_codes: list[SkillCode] = Field(
        default_factory=list, max_length=10, description="skills used; each also appears on the profile"
    )
    skill_level: int = Field(2, ge=1, le=4, description="the level at which the skills were used")

    def to_input(self) -> OutcomeInput:
        return OutcomeInput(
            title=self.title,
            description=self.description,
            role=self.role,
            started_on=self.started_on,
            ended_on=self.ended_on,
            organisation_name=self.organisation_name,
            organisation=str(self.organisation) if self.organisation else "",
            links="\n".join(self.links),
            skill_codes=list(self.skill_codes),
            skill_level=self.skill_level,
        )


@bp.post("/me/profile/outcomes")
@operation(tag="profiles", scope="write", json=OutcomeIn, ok=MyOutcomeOut, status=201, errors=(404,))
def create_my_outcome():
    """Add an outcome (成果) to the caller's profile"""
    return my_outcome_out(outcomes.save_outcome(db.session, api_actor(), body().to_input())), 201


@bp.put("/me/profile/outcomes/<outcome_id>")
@operation(tag="profiles", scope="write", json=OutcomeIn, ok=MyOutcomeOut, errors=(409,))
def update_my_outcome(outcome_id: str):
    """Replace one of the caller's outcomes (one recorded by an organisation for a project: 409)"""
    return my_outcome_out(outcomes.save_outcome(db.session, api_actor(), body().to_input(), outcome_id))


@bp.delete("/me/profile/outcomes/<outcome_id>")
@operation(tag="profiles", scope="write", ok=None, status=204)
def delete_my_outcome(outcome_id: str):
    """Delete one of the caller's outcomes"""
    outcomes.delete_outcome(db.session, api_actor(), outcome_id)
    return "", 204


class OutcomeVisibilityIn(Model):
    hidden: bool = Field(description="true: only you see it; false: shown on your profile again")


@bp.put("/me/profile/outcomes/<outcome_id>/visibility")
@operation(tag="profiles", scope="write", json=OutcomeVisibilityIn, ok=MyOutcomeOut)
def set_my_outcome_visibility(outcome_id: str):
    """Hide one of the caller's outcomes from others, or show it again (project-verified outcomes too)"""
    actor = api_actor()
    outcomes.set_outcome_hidden(db.session, actor, outcome_id, body().hidden)
    return my_outcome_out(outcomes.get_own_outcome(db.session, actor, outcome_id))
