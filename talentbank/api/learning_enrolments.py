"""Enrolments in 学びの場 over the API: enrolling and withdrawing, the caller's learning history, the
provider's learners (seen, added by e-mail address) and their completion, which issues the opportunity's
badge. Same services as the pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from flask import url_for
from pydantic import Field

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation, params, require_scope
from talentbank.api.projects import TEXT
from talentbank.api.schemas import Model, Out, PageQuery, page_of, paginate
from talentbank.credentials.context import issuer_context
from talentbank.learning import enrolments, opportunities
from talentbank.models import Enrolment, EnrolmentStatus
from talentbank.profiles.services import own_profile

MAX_LEARNERS = 500  # one class list, or one batch of completions


def _credential_url(enrolment: Enrolment) -> str | None:
    if enrolment.credential is None:
        return None
    return url_for("credentials.show", public_id=enrolment.credential.public_id, _external=True)


class EnrolmentOut(Out):
    """The caller's own enrolment."""

    id: uuid.UUID
    opportunity_id: uuid.UUID
    opportunity_title: str
    provider_id: uuid.UUID
    provider_name: str
    status: EnrolmentStatus
    enrolled_at: datetime
    finished_at: datetime | None = Field(description="when it was completed, marked not completed or withdrawn")
    credential_id: uuid.UUID | None = Field(description="the badge its completion issued")
    credential_url: str | None


EnrolmentPage = page_of(EnrolmentOut, "EnrolmentPage")


def enrolment_out(enrolment: Enrolment) -> EnrolmentOut:
    opportunity = enrolment.opportunity
    return EnrolmentOut(
        id=enrolment.public_id,
        opportunity_id=opportunity.public_id,
        opportunity_title=opportunity.title,
        provider_id=opportunity.organisation.public_id,
        provider_name=opportunity.organisation.name,
        status=enrolment.status,
        enrolled_at=enrolment.enrolled_at,
        finished_at=enrolment.finished_at,
        credential_id=enrolment.credential.public_id if enrolment.credential else None,
        credential_url=_credential_url(enrolment),
    )


class LearnerOut(Out):
    """An enrolment, as the provider sees it."""

    id: uuid.UUID = Field(description="the enrolment (what completions name)")
    display_name: str
    status: EnrolmentStatus
    added_by_provider: bool = Field(description="the provider added them (false: they enrolled themselves)")
    enrolled_at: datetime
    finished_at: datetime | None
    credential_id: uuid.UUID | None = Field(description="the badge their completion issued")
    credential_url: str | None


LearnerPage = page_of(LearnerOut, "LearnerPage")


def learner_out(enrolment: Enrolment) -> LearnerOut:
    return LearnerOut(
        id=enrolment.public_id,
        display_name=enrolment.profile.display_name,
        status=enrolment.status,
        added_by_provider=enrolment.added_by_id is not None,
        enrolled_at=enrolment.enrolled_at,
        finished_at=enrolment.finished_at,
        credential_id=enrolment.credential.public_id if enrolment.credential else None,
        credential_url=_credential_url(enrolment),
    )


# ---- the learner ----------------------------------------------------------------------------------


@bp.post("/learning-opportunities/<opportunity_id>/enrolments")
@operation(tag="learning", scope="write", ok=EnrolmentOut, status=201, errors=(409,))
def enrol_in_learning_opportunity(opportunity_id: str):
    """Enrol in a learning opportunity with your profile

    409 when it is closed, past its deadline or over, full, for students (or working adults) only and you
    are not one, or you are enrolled already. Enrolling again after withdrawing is allowed.
    """
    opportunity = opportunities.get_opportunity(db.session, opportunity_id)
    return enrolment_out(enrolments.enrol(db.session, api_actor(), opportunity)), 201


@bp.post("/learning-opportunities/<opportunity_id>/withdraw")
@operation(tag="learning", scope="write", ok=EnrolmentOut, errors=(409,))
def withdraw_from_learning_opportunity(opportunity_id: str):
    """Leave a learning opportunity you are enrolled in (404 if you are not; 409 once it is completed or not)"""
    opportunity = opportunities.get_opportunity(db.session, opportunity_id)
    return enrolment_out(enrolments.withdraw(db.session, api_actor(), opportunity))


@bp.get("/me/enrolments")
@operation(tag="learning", scope="read", query=PageQuery, ok=EnrolmentPage)
def list_my_enrolments():
    """Your learning history: every enrolment, newest first, with the badges completion issued"""
    profile = own_profile(db.session, api_actor())
    found = enrolments.enrolments_of_profile(db.session, profile) if profile else []
    page = paginate(found, params())
    page["items"] = [enrolment_out(enrolment) for enrolment in page["items"]]
    return page


# ---- the provider ---------------------------------------------------------------------------------


@bp.get("/learning-opportunities/<opportunity_id>/enrolments")
@operation(tag="learning", scope="read", query=PageQuery, ok=LearnerPage)
def list_learners(opportunity_id: str):
    """The learners of an opportunity, in the order they enrolled (members of its verified organisation)"""
    opportunity = opportunities.get_opportunity(db.session, opportunity_id)
    found = enrolments.learners_of(db.session, api_actor(), opportunity)
    page = paginate(found, params())
    page["items"] = [learner_out(enrolment) for enrolment in page["items"]]
    return page


class LearnersIn(Model):
    emails: list[Annotated[str, Field(max_length=320, pattern=TEXT)]] = Field(
        min_length=1,
        max_length=MAX_LEARNERS,
        description="the learners' account e-mail addresses (each must have a profile); repeats count once",
    )


class AddedLearnerOut(Out):
    email: str = Field(description="the address as read (trimmed, lower case)")
    enrolment: LearnerOut | None = Field(description="the enrolment made; null when there is a problem")
    problem: str | None = Field(description="why this address was not enrolled")


class AddedLearners(Out):
    items: list[AddedLearnerOut] = Field(description="one per distinct address, in the order sent")
    enrolled: int = Field(description="how many were enrolled")


@bp.post("/learning-opportunities/<opportunity_id>/learners")
@operation(tag="learning", scope="write", json=LearnersIn, ok=AddedLearners)
def add_learners(opportunity_id: str):
    """Enrol people by their e-mail addresses (members of its verified organisation)

    Each address is answered on its own: enrolled, or the reason it was not (no profile, full, not
    eligible, enrolled already). The ones that could be enrolled are, whatever the others.
    """
    opportunity = opportunities.get_opportunity(db.session, opportunity_id)
    added = enrolments.add_learners(db.session, api_actor(), opportunity, body().emails)
    items = [
        AddedLearnerOut(
            email=one.email, enrolment=learner_out(one.enrolment) if one.enrolment else None, problem=one.problem
        )
        for one in added
    ]
    return AddedLearners(items=items, enrolled=sum(1 for one in added if one.enrolment is not None))


class CompletionsIn(Model):
    enrolments: list[uuid.UUID] = Field(
        min_length=1, max_length=MAX_LEARNERS, description="enrolments of this opportunity, still enrolled"
    )
    completed: bool = Field(
        description="true: completed (the opportunity's badge, if any, is issued to each and put on their "
        "profile); false: did not complete (nothing is issued)"
    )


class LearnerList(Out):
    items: list[LearnerOut]


@bp.post("/learning-opportunities/<opportunity_id>/completions")
@operation(tag="learning", scope="write", json=CompletionsIn, ok=LearnerList, errors=(409,))
def record_learning_completions(opportunity_id: str):
    """Mark learners completed or not completed (members of its verified organisation)

    Completion issues the opportunity's badge (one batch, once per enrolment) and attaches it to each
    learner's profile, where its skills become badge-verified: that needs the `issue` scope as well
    (marking not completed, or completing where no badge is awarded, needs only `write`). 422 names
    `enrolments` when one of them is not an enrolment of this opportunity, or is not still enrolled; 409
    when the badge's organisation has no issuer set up.
    """
    actor = api_actor()
    opportunity = opportunities.get_opportunity(db.session, opportunity_id)
    request = body()
    ids = [str(enrolment_id) for enrolment_id in request.enrolments]
    if request.completed:
        if opportunity.achievement is not None:
            require_scope("issue")
        marked = enrolments.complete(db.session, actor, opportunity, ids, issuer_context())
    else:
        marked = enrolments.mark_not_completed(db.session, actor, opportunity, ids)
    return LearnerList(items=[learner_out(enrolment) for enrolment in marked])
