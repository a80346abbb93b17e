from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.errors import Conflict, Invalid
from talentbank.learning.opportunities import opportunities_of
from talentbank.organisations import services
from talentbank.organisations.forms import KIND_LABELS, ROLE_LABELS, InvitationForm, OrganisationForm, RoleForm
from talentbank.projects.labels import STATUS_LABELS
from talentbank.projects.posting import projects_of
from talentbank.projects.statuses import PUBLIC_STATUSES
from talentbank.reference.services import municipality_choices
from talentbank.security import can, require
from talentbank.web import current_actor

bp = Blueprint("organisations", __name__, url_prefix="/orgs")


def _organisation_form(obj=None) -> OrganisationForm:
    form = OrganisationForm(obj=obj)
    form.municipality_code.choices = municipality_choices(db.session, str(get_locale()))
    return form


def _render_form(form: OrganisationForm, organisation=None, status: int = 200):
    return render_template("organisations/form.html", form=form, organisation=organisation), status


@bp.get("/")
def index():
    kind = request.args.get("kind") or None
    organisations = services.list_organisations(db.session, kind=kind)
    return render_template("organisations/index.html", organisations=organisations, kind=kind, kind_labels=KIND_LABELS)


@bp.get("/new")
@login_required
def new():
    return _render_form(_organisation_form())


@bp.post("/new")
@login_required
def create():
    form = _organisation_form()
    if not form.validate_on_submit():
        return _render_form(form, status=422)
    try:
        organisation = services.create_organisation(db.session, current_actor(), form.to_input())
    except Invalid as error:
        form.set_errors(error.fields)
        return _render_form(form, status=422)
    db.session.commit()
    flash(_("組織を登録しました。サイト管理者の確認後に「確認済み」になります。"), "success")
    return redirect(url_for("organisations.show", public_id=organisation.public_id))


@bp.get("/<public_id>")
def show(public_id: str):
    return _render_show(services.get_organisation(db.session, public_id))


def _render_show(organisation, invitation_form: InvitationForm | None = None, status: int = 200):
    actor = current_actor()
    can_manage = can(actor, "manage_members", organisation)
    return render_template(
        "organisations/show.html",
        organisation=organisation,
        kind_labels=KIND_LABELS,
        role_labels=ROLE_LABELS,
        can_edit=can(actor, "edit", organisation),
        can_manage=can_manage,
        can_view_members=can(actor, "view_members", organisation),
        can_run_allocation=can(actor, "run_allocation", organisation),
        invitations=services.pending_invitations(db.session, organisation) if can_manage else [],
        projects=[
            p
            for p in projects_of(db.session, organisation)
            if p.status in PUBLIC_STATUSES or can(actor, "post_project", organisation)
        ],
        status_labels=STATUS_LABELS,
        can_publish_learning=can(actor, "publish_learning", organisation),
        learning=opportunities_of(db.session, organisation),
        invitation_form=invitation_form or InvitationForm(formdata=None),
        role_form=RoleForm(formdata=None),
        confirm_form=ConfirmForm(),
    ), status


@bp.get("/<public_id>/edit")
@login_required
def edit(public_id: str):
    organisation = services.get_organisation(db.session, public_id)
    require(current_actor(), "edit", organisation)
    form = _organisation_form(obj=organisation)
    form.kind.data = organisation.kind.value
    return _render_form(form, organisation)


@bp.post("/<public_id>/edit")
@login_required
def update(public_id: str):
    organisation = services.get_organisation(db.session, public_id)
    require(current_actor(), "edit", organisation)
    form = _organisation_form()
    if not form.validate_on_submit():
        return _render_form(form, organisation, 422)
    try:
        services.update_organisation(db.session, current_actor(), organisation, form.to_input())
    except Invalid as error:
        db.session.rollback()
        form.set_errors(error.fields)
        return _render_form(form, organisation, 422)
    db.session.commit()
    flash(_("組織の情報を更新しました。"), "success")
    return redirect(url_for("organisations.show", public_id=organisation.public_id))


@bp.post("/<public_id>/invitations")
@login_required
def invite(public_id: str):
    organisation = services.get_organisation(db.session, public_id)
    actor = current_actor()
    require(actor, "invite", organisation)
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            services.invite_member(
                db.session,
                actor,
                organisation,
                form.to_input(),
                base_url=current_app.config["BASE_URL"],
                days=current_app.config["INVITATION_DAYS"],
            )
        except Invalid as error:
            form.set_errors(error.fields)
        else:
            db.session.commit()
            flash(_("%(email)s に招待メールを送りました。", email=form.email.data), "success")
            return redirect(url_for("organisations.show", public_id=organisation.public_id))
    return _render_show(organisation, form, 422)


@bp.post("/<public_id>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(public_id: str, invitation_id: int):
    organisation = services.get_organisation(db.session, public_id)
    services.revoke_invitation(db.session, current_actor(), organisation, invitation_id)
    db.session.commit()
    flash(_("招待を取り消しました。"), "info")
    return redirect(url_for("organisations.show", public_id=organisation.public_id))


@bp.post("/<public_id>/members/<int:membership_id>/role")
@login_required
def change_role(public_id: str, membership_id: int):
    organisation = services.get_organisation(db.session, public_id)
    form = RoleForm()
    if not form.validate_on_submit():
        raise Invalid(_("役割を選んでください。"))
    services.change_role(db.session, current_actor(), organisation, membership_id, form.role.data)
    db.session.commit()
    flash(_("役割を変更しました。"), "success")
    return redirect(url_for("organisations.show", public_id=organisation.public_id))


@bp.post("/<public_id>/members/<int:membership_id>/remove")
@login_required
def remove_member(public_id: str, membership_id: int):
    organisation = services.get_organisation(db.session, public_id)
    services.remove_member(db.session, current_actor(), organisation, membership_id)
    db.session.commit()
    flash(_("メンバーを外しました。"), "info")
    if can(current_user, "view_members", organisation):
        return redirect(url_for("organisations.show", public_id=organisation.public_id))
    return redirect(url_for("main.dashboard"))


invitations_bp = Blueprint("invitations", __name__, url_prefix="/invitations")


@invitations_bp.get("/<token>")
def show_invitation(token: str):
    invitation = services.find_invitation(db.session, token)
    return render_template("organisations/invitation.html", invitation=invitation, token=token, form=ConfirmForm())


@invitations_bp.post("/<token>")
@login_required
def accept_invitation(token: str):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("invitations.show_invitation", token=token))
    try:
        membership = services.accept_invitation(db.session, current_actor(), token)
    except Conflict as error:
        flash(error.message, "info")
        return redirect(url_for("main.dashboard"))
    db.session.commit()
    flash(_("%(name)s に参加しました。", name=membership.organisation.name), "success")
    return redirect(url_for("organisations.show", public_id=membership.organisation.public_id))
