"""The provider's catalogue import page: upload a CSV of learning opportunities, see what each row would
do (create, update, unchanged, or its problems), then import the good rows."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.csvtext import MAX_CSV_BYTES, decode_csv
from talentbank.errors import Conflict
from talentbank.learning import imports
from talentbank.organisations.services import get_organisation
from talentbank.security import require
from talentbank.web import current_actor

bp = Blueprint("learning_import", __name__)


def _render(organisation, form, planned=None, carried="", error=None, status=200):
    return render_template(
        "learning/import.html", organisation=organisation, form=form, planned=planned, carried=carried,
        error=error, Action=imports.ImportAction, columns=imports.CSV_COLUMNS,
    ), status  # fmt: skip


@bp.get("/orgs/<public_id>/learning/import")
@login_required
def form(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "publish_learning", organisation)
    return _render(organisation, ConfirmForm())


@bp.get("/orgs/<public_id>/learning/import/example.csv")
@login_required
def example(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "publish_learning", organisation)
    return Response(
        "\ufeff" + imports.example_csv(db.utcnow().date()),  # the BOM lets spreadsheet programs read it as UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=learning-opportunities.csv"},
    )


@bp.post("/orgs/<public_id>/learning/import")
@login_required
def submit(public_id: str):
    """Preview an uploaded CSV (nothing is saved), or import the previewed rows."""
    organisation = get_organisation(db.session, public_id)
    actor = current_actor()
    require(actor, "publish_learning", organisation)
    confirm = ConfirmForm()
    if not confirm.validate_on_submit():
        return redirect(url_for("learning_import.form", public_id=public_id))
    upload = request.files.get("csv")
    importing = request.form.get("action") == "import"
    try:
        if importing:
            text = request.form.get("rows", "")
        elif upload is not None and upload.filename:
            data = upload.read(MAX_CSV_BYTES + 1)
            if len(data) > MAX_CSV_BYTES:
                raise ValueError(_("CSVファイルは1MBまでです。"))
            text = decode_csv(data)
        else:
            raise ValueError(_("CSVファイルを選んでください。"))
        rows = imports.parse_csv(text)
    except ValueError as error:
        return _render(organisation, confirm, error=str(error), status=422)
    today = db.utcnow().date()
    planned = imports.plan_import(db.session, actor, organisation, rows, today)
    if not importing:
        return _render(organisation, confirm, planned, text)  # carried as read: the lines keep their numbers
    try:
        result = imports.apply_import(db.session, actor, organisation, planned, today)
    except Conflict as problem:
        return _render(organisation, confirm, error=problem.message, status=409)
    db.session.commit()
    flash(_("取り込みました：新規%(created)d件、更新%(updated)d件、変更なし%(unchanged)d件、誤りのため飛ばした行%(errors)d件。",
            created=result.count(imports.ImportAction.CREATE), updated=result.count(imports.ImportAction.UPDATE),
            unchanged=result.count(imports.ImportAction.UNCHANGED),
            errors=result.count(imports.ImportAction.ERROR)), "success")  # fmt: skip
    return redirect(url_for("organisations.show", public_id=public_id) + "#learning")
