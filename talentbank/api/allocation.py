"""Internship allocation rounds over the API (#5): create a round, read its proposal (or, once published,
its assignments), change the method, publish. The same functions as the pages (`projects.allocation`);
members of a verified prefecture office or school only."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import current_app
from pydantic import Field

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation, params
from talentbank.api.schemas import MULTI_LINE, TEXT, Model, Out, PageQuery, page_of, paginate
from talentbank.models import AllocationMethod, AllocationRound
from talentbank.organisations.services import get_organisation
from talentbank.projects import allocation
from talentbank.security import require


class RoundProjectOut(Out):
    id: uuid.UUID
    title: str
    organisation_name: str
    seats: int


class PersonOut(Out):
    profile_id: uuid.UUID
    display_name: str


class SeatOut(Out):
    project_id: uuid.UUID
    project_title: str
    profile_id: uuid.UUID
    display_name: str
    score: float = Field(ge=0, description="match score, 0–1")
    student_rank: int = Field(description="where the project stands in the person's list (1 = first choice)")
    project_rank: int = Field(description="where the person stands in the project's list (1 = best candidate)")
    applied: bool | None = Field(description="the person had applied to this project (null once published)")


class ProposalOut(Out):
    seats: list[SeatOut]
    unassigned: list[PersonOut] = Field(description="candidates the proposal places nowhere")
    candidates: int
    open_seats: int


class RoundSummaryOut(Out):
    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    method: AllocationMethod = Field(description="stable (deferred acceptance, students proposing) or max_score")
    message: str = Field(description="sent with each invitation")
    created_at: datetime
    published_at: datetime | None


class RoundOut(RoundSummaryOut):
    projects: list[RoundProjectOut]
    proposal: ProposalOut | None = Field(description="what the engine proposes now (until published; nothing saved)")
    assignments: list[SeatOut] = Field(description="the published assignments (empty until published)")


RoundPage = page_of(RoundSummaryOut, "AllocationRoundPage")


def _summary_fields(allocation_round: AllocationRound) -> dict:
    return {
        "id": allocation_round.public_id,
        "organisation_id": allocation_round.organisation.public_id,
        "name": allocation_round.name,
        "method": allocation_round.method,
        "message": allocation_round.message,
        "created_at": allocation_round.created_at,
        "published_at": allocation_round.published_at,
    }


def _seat_out(seat, applied: bool | None) -> SeatOut:
    return SeatOut(
        project_id=seat.project.public_id,
        project_title=seat.project.title,
        profile_id=seat.profile.public_id,
        display_name=seat.profile.display_name,
        score=seat.score,
        student_rank=seat.student_rank,
        project_rank=seat.project_rank,
        applied=applied,
    )


def round_out(allocation_round: AllocationRound) -> RoundOut:
    proposal = None
    if allocation_round.published_at is None:
        found = allocation.propose(db.session, allocation_round, today=db.utcnow().date())
        proposal = ProposalOut(
            seats=[_seat_out(seat, seat.applied) for seat in found.seats],
            unassigned=[PersonOut(profile_id=p.public_id, display_name=p.display_name) for p in found.unassigned],
            candidates=found.candidates,
            open_seats=found.open_seats,
        )
    return RoundOut(
        **_summary_fields(allocation_round),
        projects=[
            RoundProjectOut(id=p.public_id, title=p.title, organisation_name=p.organisation.name, seats=p.seats)
            for p in allocation_round.projects
        ],
        proposal=proposal,
        assignments=[_seat_out(a, None) for a in allocation_round.assignments],
    )


class RoundIn(Model):
    name: str = Field(min_length=1, max_length=120, pattern=TEXT)
    projects: list[uuid.UUID] = Field(
        min_length=1, max_length=allocation.MAX_PROJECTS, description="open internship projects (no repeats)"
    )
    method: AllocationMethod = AllocationMethod.STABLE
    message: str = Field(
        "", max_length=2000, pattern=TEXT, description="sent with each invitation", json_schema_extra=MULTI_LINE
    )


class MethodIn(Model):
    method: AllocationMethod


@bp.get("/organisations/<organisation_id>/allocation-rounds")
@operation(tag="allocation", scope="read", query=PageQuery, ok=RoundPage)
def list_allocation_rounds(organisation_id: str):
    """An organisation's allocation rounds, newest first"""
    organisation = get_organisation(db.session, organisation_id)
    require(api_actor(), "run_allocation", organisation)
    found = allocation.rounds_of(db.session, organisation)
    return paginate([RoundSummaryOut(**_summary_fields(r)) for r in found], params())


@bp.post("/organisations/<organisation_id>/allocation-rounds")
@operation(tag="allocation", scope="write", json=RoundIn, ok=RoundOut, status=201)
def create_allocation_round(organisation_id: str):
    """Start a round over open internship projects (see GET /projects?internship=true); nothing is sent yet"""
    organisation = get_organisation(db.session, organisation_id)
    request_body = body()
    created = allocation.create_round(
        db.session, api_actor(), organisation, name=request_body.name,
        project_ids=[str(p) for p in request_body.projects], method=request_body.method.value,
        message=request_body.message,
    )  # fmt: skip
    return round_out(created), 201


@bp.get("/allocation-rounds/<round_id>")
@operation(tag="allocation", scope="read", ok=RoundOut)
def get_allocation_round(round_id: str):
    """A round: its projects and the proposal (until published) or the published assignments"""
    return round_out(allocation.get_round(db.session, api_actor(), round_id))


@bp.put("/allocation-rounds/<round_id>/method")
@operation(tag="allocation", scope="write", json=MethodIn, ok=RoundOut, errors=(409,))
def set_allocation_method(round_id: str):
    """Recompute the proposal with the other method (until published)"""
    allocation_round = allocation.get_round(db.session, api_actor(), round_id)
    allocation.set_method(db.session, api_actor(), allocation_round, body().method.value)
    db.session.flush()
    return round_out(allocation_round)


@bp.post("/allocation-rounds/<round_id>/publish")
@operation(tag="allocation", scope="write", ok=RoundOut, errors=(409,))
def publish_allocation_round(round_id: str):
    """Publish the proposal: the people placed are invited (or their application accepted), once"""
    allocation_round = allocation.get_round(db.session, api_actor(), round_id)
    allocation.publish(
        db.session, api_actor(), allocation_round,
        base_url=current_app.config["BASE_URL"].rstrip("/"), today=db.utcnow().date(),
    )  # fmt: skip
    db.session.refresh(allocation_round)
    return round_out(allocation_round)
