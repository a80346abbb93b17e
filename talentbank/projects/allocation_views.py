"""The cohort allocation rounds of internship programmes: create a round, see its proposal, choose the
method, publish the seats."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.errors import Conflict, Invalid
from talentbank.organisations.services import get_organisation
from talentbank.projects import allocation
from talentbank.projects.blueprint import LABELS, base_url, bp, today
from talentbank.projects.forms import METHOD_LABELS, AllocationMethodForm, AllocationRoundForm
from talentbank.security import require
from talentbank.web import current_actor

# ---- cohort allocation rounds (internship programmes) -------------------------------------------------


@bp.get("/orgs/<public_id>/allocation")
@login_required
def allocation_rounds(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "run_allocation", organisation)
    return _render_rounds(organisation, AllocationRoundForm(formdata=None))


def _render_rounds(organisation, form: AllocationRoundForm, status: int = 200):
    projects = allocation.eligible_projects(db.session)
    form.projects.choices = [(str(p.public_id), f"{p.title}（{p.organisation.name}・{p.seats}）") for p in projects]
    return render_template(
        "projects/allocation_rounds.html",
        organisation=organisation,
        rounds=allocation.rounds_of(db.session, organisation),
        form=form,
        has_projects=bool(projects),
    ), status


@bp.post("/orgs/<public_id>/allocation")
@login_required
def allocation_round_create(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "run_allocation", organisation)
    form = AllocationRoundForm()
    if not form.validate_on_submit():
        return _render_rounds(organisation, form, 422)
    try:
        created = allocation.create_round(
            db.session, current_actor(), organisation, name=form.name.data, project_ids=form.projects.data or [],
            method=form.method.data or "", message=form.message.data or "",
        )  # fmt: skip
    except Invalid as error:
        db.session.rollback()
        form.set_errors(error.fields)
        return _render_rounds(organisation, form, 422)
    db.session.commit()
    return redirect(url_for("projects.allocation_round", public_id=created.public_id))


@bp.get("/allocation/<public_id>")
@login_required
def allocation_round(public_id: str):
    allocation_round = allocation.get_round(db.session, current_actor(), public_id)
    proposal = (
        None if allocation_round.published_at else allocation.propose(db.session, allocation_round, today=today())
    )
    return render_template(
        "projects/allocation_round.html",
        allocation_round=allocation_round,
        proposal=proposal,
        method_form=AllocationMethodForm(method=allocation_round.method.value),
        method_labels=METHOD_LABELS,
        labels=LABELS,
        form=ConfirmForm(),
    )


@bp.post("/allocation/<public_id>/method")
@login_required
def allocation_round_method(public_id: str):
    allocation_round = allocation.get_round(db.session, current_actor(), public_id)
    form = AllocationMethodForm()
    if form.validate_on_submit():
        try:
            allocation.set_method(db.session, current_actor(), allocation_round, form.method.data)
        except Conflict as error:
            flash(error.message, "error")
        else:
            db.session.commit()
    return redirect(url_for("projects.allocation_round", public_id=public_id))


@bp.post("/allocation/<public_id>/publish")
@login_required
def allocation_round_publish(public_id: str):
    allocation_round = allocation.get_round(db.session, current_actor(), public_id)
    if ConfirmForm().validate_on_submit():
        try:
            seats = allocation.publish(
                db.session, current_actor(), allocation_round, base_url=base_url(), today=today()
            )
        except Conflict as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("配属を公開し、%(n)d人に知らせました。", n=len(seats)), "success")
    return redirect(url_for("projects.allocation_round", public_id=public_id))
