"""The applications pages: applying and scouting, the answers and withdrawing, the applicant's order of
preference among internship applications, and recording completion."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.credentials.context import issuer_context
from talentbank.credentials.issuers import is_issuer
from talentbank.errors import Conflict, Invalid
from talentbank.profiles.services import get_profile, own_profile
from talentbank.projects import applications, completion, posting
from talentbank.projects.blueprint import base_url, bp
from talentbank.projects.forms import CompletionForm, MessageForm
from talentbank.security import can, require
from talentbank.web import current_actor

# ---- applications -----------------------------------------------------------------------------------


@bp.post("/projects/<public_id>/apply")
@login_required
def apply(public_id: str):
    project = posting.get_project(db.session, current_actor(), public_id)
    form = MessageForm()
    if not form.validate_on_submit():
        flash(_("メッセージは2000文字以内にしてください。"), "error")
        return redirect(url_for("projects.show", public_id=public_id))
    try:
        applications.apply(db.session, current_actor(), project, form.message.data or "", base_url=base_url())
    except Invalid as error:
        flash(error.message, "error")
        return redirect(url_for("profiles.edit"))
    db.session.commit()
    flash(_("応募しました。組織にあなたの連絡先が伝わります。"), "success")
    return redirect(url_for("projects.show", public_id=public_id))


@bp.post("/projects/<public_id>/invite/<profile_id>")
@login_required
def invite(public_id: str, profile_id: str):
    project = posting.get_project(db.session, current_actor(), public_id)
    require(current_actor(), "post_project", project.organisation)
    profile = get_profile(db.session, current_actor(), profile_id)
    form = MessageForm()
    if not form.validate_on_submit():
        flash(_("メッセージは2000文字以内にしてください。"), "error")
        return redirect(url_for("projects.matches", public_id=public_id))
    applications.invite(db.session, current_actor(), project, profile, form.message.data or "", base_url=base_url())
    db.session.commit()
    flash(_("%(name)s さんを招待しました。承諾されると連絡先が伝わります。", name=profile.display_name), "success")
    return redirect(url_for("projects.matches", public_id=public_id))


def _answer(application_id: str, action: str):
    application = applications.get_application(db.session, application_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("projects.show", public_id=application.project.public_id))
    if action == "withdraw":
        applications.withdraw(db.session, current_actor(), application, base_url=base_url())
    else:
        applications.respond(db.session, current_actor(), application, action == "accept", base_url=base_url())
    db.session.commit()
    flash(
        {"accept": _("承諾しました。"), "decline": _("辞退しました。"), "withdraw": _("取り下げました。")}[action],
        "info",
    )
    return redirect(request.form.get("back") if request.form.get("back") in {url_for("main.dashboard")}
                    else url_for("projects.show", public_id=application.project.public_id))  # fmt: skip


@bp.post("/applications/<application_id>/accept")
@login_required
def accept(application_id: str):
    return _answer(application_id, "accept")


@bp.post("/applications/<application_id>/decline")
@login_required
def decline(application_id: str):
    return _answer(application_id, "decline")


@bp.post("/applications/<application_id>/withdraw")
@login_required
def withdraw(application_id: str):
    return _answer(application_id, "withdraw")


# ---- the applicant's order of preference (allocation rounds follow it) --------------------------------


def _render_preferences(profile, error=None, status=200, chosen=None):
    rankable = applications.rankable_applications(db.session, profile) if profile else []
    ranks = chosen if chosen is not None else {str(a.public_id): str(a.preference_rank or "") for a in rankable}
    return render_template("projects/preferences.html", applications=rankable, ranks=ranks, error=error,
                           has_profile=profile is not None, form=ConfirmForm()), status  # fmt: skip


@bp.get("/me/internship-preferences")
@login_required
def preferences():
    return _render_preferences(own_profile(db.session, current_actor()))


@bp.post("/me/internship-preferences")
@login_required
def save_preferences():
    profile = own_profile(db.session, current_actor())
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("projects.preferences"))
    chosen = {
        key.removeprefix("rank_"): value.strip() for key, value in request.form.items() if key.startswith("rank_")
    }
    ranked: list[tuple[int, str]] = []
    for application_id, value in chosen.items():
        if value:
            if not value.isdigit() or not 1 <= int(value) <= applications.MAX_PREFERENCES:
                return _render_preferences(profile, _("順位は一覧から選んでください。"), 422, chosen)
            ranked.append((int(value), application_id))
    if len({rank for rank, _id in ranked}) != len(ranked):
        return _render_preferences(profile, _("同じ順位が2つあります。順位はひとつずつ選んでください。"), 422, chosen)
    try:
        applications.set_preferences(db.session, current_actor(), [i for _rank, i in sorted(ranked)])
    except Invalid as error:
        db.session.rollback()
        return _render_preferences(profile, error.message, 422, chosen)
    db.session.commit()
    flash(_("希望順位を保存しました。インターンシップの配属では、この順に希望が考えられます。"), "success")
    return redirect(url_for("projects.preferences"))


# ---- completion ---------------------------------------------------------------------------------------


def _completion_skills() -> list[tuple[str, int]]:
    skills = []
    for code in request.form.getlist("skill")[:10]:
        try:
            level = int(request.form.get(f"level_{code}", ""))
        except ValueError:
            level = 0
        skills.append((code[:16], level))
    return skills


@bp.route("/applications/<application_id>/complete", methods=["GET", "POST"])
@login_required
def complete(application_id: str):
    application = applications.get_application(db.session, application_id)
    require(current_actor(), "post_project", application.project.organisation)
    organisation = application.project.organisation
    can_issue_badge = can(current_actor(), "issue", organisation) and is_issuer(db.session, organisation)
    form = CompletionForm()
    error, refused = None, 422
    if request.method == "POST" and form.validate_on_submit():
        wants_badge = request.form.get("issue_badge") == "1" and can_issue_badge
        try:
            completion.complete(db.session, current_actor(), application, form.summary.data, _completion_skills(),
                                base_url=base_url(), issuer=issuer_context() if wants_badge else None)  # fmt: skip
        except (Invalid, Conflict) as problem:
            db.session.rollback()
            error, refused = problem.message, problem.status
        else:
            db.session.commit()
            flash(
                _("完了を記録しました。成果が参加者のプロフィールに「プロジェクトで検証」として載りました。"), "success"
            )
            return redirect(url_for("projects.show", public_id=application.project.public_id))
    project = posting.get_project(db.session, current_actor(), str(application.project.public_id))
    status = refused if request.method == "POST" else 200
    return render_template("projects/complete.html", application=application, project=project, form=form,
                           error=error, can_issue_badge=can_issue_badge), status  # fmt: skip
