"""Comprehensive Learner Records (CLR 2.0): the issuer's page to issue one to a learner, the record's
public page with its verification, and its downloads (JSON, JWT)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.credentials import achievements, learner_records, verification
from talentbank.credentials.blueprint import bp
from talentbank.credentials.context import issuer_context
from talentbank.credentials.credential_views import attachment, document_attachment
from talentbank.credentials.forms import LearnerRecordForm
from talentbank.errors import Conflict, Invalid, NotFound
from talentbank.models import ProofFormat
from talentbank.organisations.services import get_organisation
from talentbank.security import can, require
from talentbank.wallet import offers as wallet_offers
from talentbank.wallet.forms import WalletOfferForm
from talentbank.web import current_actor


def _record_form(organisation, **kwargs) -> LearnerRecordForm:
    form = LearnerRecordForm(**kwargs)
    form.achievement_ids.choices = [
        (str(a.public_id), a.name) for a in achievements.achievements_of(db.session, organisation)
    ]
    return form


def _render_new(organisation, form: LearnerRecordForm, status: int = 200):
    return render_template(
        "credentials/learner_record_form.html",
        organisation=organisation,
        form=form,
        records=learner_records.records_of_organisation(db.session, organisation),
    ), status


@bp.get("/orgs/<public_id>/learner-records/new")
@login_required
def new_learner_record(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "issue", organisation)
    return _render_new(organisation, _record_form(organisation, formdata=None))


@bp.post("/orgs/<public_id>/learner-records/new")
@login_required
def issue_learner_record(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "issue", organisation)
    form = _record_form(organisation)
    if not form.validate_on_submit():
        return _render_new(organisation, form, 422)
    try:
        record = learner_records.issue_learner_record(
            db.session, current_actor(), organisation, form.to_input(), issuer_context()
        )
    except (Invalid, Conflict) as error:
        db.session.rollback()
        if isinstance(error, Invalid):
            form.set_errors(error.fields)
        else:
            form.form_errors.append(error.message)
        return _render_new(organisation, form, 422)
    db.session.commit()
    flash(_("学修記録（CLR）を発行しました。"), "success")
    return redirect(url_for("credentials.learner_record", public_id=record.public_id))


@bp.get("/learner-records/<public_id>")
def learner_record(public_id: str):
    record = learner_records.get_learner_record(db.session, public_id)
    result = verification.verify_learner_record(db.session, learner_records.stored_form(record), issuer_context())
    actor = current_actor()
    subject = record.document.get("credentialSubject", {})
    nested = subject.get("verifiableCredential", []) if isinstance(subject, dict) else []
    return render_template(
        "credentials/learner_record.html",
        record=record,
        result=result,
        nested=list(zip(nested, result.nested, strict=False)),
        track=next(iter(subject.get("achievement", []) if isinstance(subject, dict) else []), None),
        associations=subject.get("association", []) if isinstance(subject, dict) else [],
        can_revoke=can(actor, "issue", record.organisation) and not record.is_revoked,
        form=ConfirmForm(),
        can_offer_to_wallet=wallet_offers.is_record_holder(actor, record) and not record.is_revoked,
        wallet_deliveries=wallet_offers.deliveries_of_record(db.session, actor, record),
        wallet_form=WalletOfferForm(formdata=None),
    )


@bp.post("/learner-records/<public_id>/revoke")
@login_required
def revoke_learner_record(public_id: str):
    record = learner_records.get_learner_record(db.session, public_id)
    require(current_actor(), "issue", record.organisation)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("credentials.learner_record", public_id=public_id))
    try:
        learner_records.revoke_learner_record(db.session, current_actor(), record)
    except Conflict as problem:
        flash(problem.message, "error")
        return redirect(url_for("credentials.learner_record", public_id=public_id))
    db.session.commit()
    flash(_("学修記録を取り消しました。"), "info")
    return redirect(url_for("credentials.learner_record", public_id=public_id))


@bp.get("/learner-records/<public_id>/record.json")
def learner_record_json(public_id: str):
    return document_attachment(learner_records.get_learner_record(db.session, public_id), "clr.json")


@bp.get("/learner-records/<public_id>/record.jwt")
def learner_record_jwt(public_id: str):
    record = learner_records.get_learner_record(db.session, public_id)
    if record.proof_format is not ProofFormat.JWT or not record.jwt:
        raise NotFound()
    return attachment(record.jwt, "application/vc+jwt", "clr.jwt")
