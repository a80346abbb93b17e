from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.models import OutboxMessage
from talentbank.organisations import services as organisation_services
from talentbank.organisations.forms import KIND_LABELS
from talentbank.security import require
from talentbank.web import current_actor

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    require(current_actor(), "admin")


RATE_LIMIT_STORAGE_LABELS = {
    "redis": _l("Redis（すべてのワーカーで共有）"),
    "database": _l("データベース（すべてのワーカーで共有）"),
    "memory": _l(
        "プロセス内のメモリ（ワーカーごとに別々に数えます。"
        "ワーカーが複数なら REDIS_URL か RATELIMIT_STORAGE = database を設定してください）"
    ),
}


@bp.get("/")
def index():
    organisations = organisation_services.list_organisations(db.session)
    return render_template(
        "admin/index.html",
        pending=[o for o in organisations if not o.is_verified],
        verified=[o for o in organisations if o.is_verified],
        kind_labels=KIND_LABELS,
        form=ConfirmForm(),
        rate_limit_storage=RATE_LIMIT_STORAGE_LABELS[current_app.extensions["talentbank.rate_limit_storage"]],
    )


@bp.post("/orgs/<public_id>/verify")
def verify_organisation(public_id: str):
    organisation = organisation_services.get_organisation(db.session, public_id)
    if ConfirmForm().validate_on_submit():
        verified = request.form.get("verified") == "1"
        organisation_services.set_verified(db.session, current_actor(), organisation, verified)
        db.session.commit()
        flash(
            _("%(name)s を確認済みにしました。", name=organisation.name)
            if verified
            else _("%(name)s の確認を取り消しました。", name=organisation.name),
            "success",
        )
    return redirect(url_for("admin.index"))


@bp.get("/outbox")
def outbox():
    messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)).all()
    return render_template("admin/outbox.html", messages=messages)
