from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.credentials.services import is_issuer
from talentbank.credentials.views import issuer_context
from talentbank.errors import Conflict, Invalid
from talentbank.models import ApplicationStatus, Direction, ProjectStatus
from talentbank.organisations.services import get_organisation
from talentbank.profiles.services import get_profile, own_profile
from talentbank.projects import allocation, applications, completion, posting, ranking, reasons, statuses
from talentbank.projects.forms import (
    GUIDES,
    METHOD_LABELS,
    NEED_ROWS,
    AllocationMethodForm,
    AllocationRoundForm,
    CompletionForm,
    MessageForm,
    ProjectForm,
)
from talentbank.projects.labels import APPLICATION_LABELS, PAY_LABELS, STATUS_LABELS, THEME_LABELS, WORK_MODE_LABELS
from talentbank.reference.services import (
    municipality_choices,
    skill_choices,
    skill_names,
    subprefectures_with_municipalities,
)
from talentbank.security import can, require
from talentbank.web import current_actor

bp = Blueprint("projects", __name__)

LABELS = {
    "themes": THEME_LABELS,
    "work_modes": WORK_MODE_LABELS,
    "pay": PAY_LABELS,
    "status": STATUS_LABELS,
    "applications": APPLICATION_LABELS,
}


def _base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _today():
    return db.utcnow().date()


# ---- browse ---------------------------------------------------------------------------------------------


@bp.get("/projects")
def index():
    def arg_int(name):
        try:
            return int(request.args.get(name, ""))
        except ValueError:
            return None

    criteria = posting.ProjectCriteria(
        theme=request.args.get("theme") or None,
        subprefecture_id=arg_int("subprefecture"),
        remote_ok=request.args.get("remote") == "1",
        skill=(request.args.get("skill") or None),
        pay_kind=request.args.get("pay") or None,
        internship_only=request.args.get("internship") == "1",
        open_only=request.args.get("all") != "1",
        students_only={"1": True, "0": False}.get(request.args.get("students", "")),
    )
    return render_template(
        "projects/index.html",
        projects=posting.search_projects(db.session, criteria),
        criteria=criteria,
        labels=LABELS,
        subprefectures=subprefectures_with_municipalities(db.session),
        skill_groups=skill_choices(db.session, str(get_locale())),
    )


@bp.get("/projects/<public_id>")
def show(public_id: str):
    project = posting.get_project(db.session, current_actor(), public_id)
    actor = current_actor()
    is_member = can(actor, "post_project", project.organisation)
    profile = own_profile(db.session, actor) if actor else None
    mine = next((a for a in project.applications if profile and a.profile_id == profile.id), None)
    entries = applications.applications_for_project(db.session, project) if is_member else []
    return render_template(
        "projects/show.html",
        project=project,
        labels=LABELS,
        is_member=is_member,
        profile=profile,
        mine=mine,
        applications=entries,
        contacts={a.id: applications.contact_for(db.session, actor, a) for a in entries},
        transitions=sorted(statuses.TRANSITIONS[project.status], key=list(ProjectStatus).index) if is_member else [],
        can_apply=profile is not None and not is_member and mine is None and applications.is_eligible(project, profile)
        and project.status is ProjectStatus.OPEN and (project.deadline is None or project.deadline >= _today()),
        needs_student=project.is_students_only and profile is not None and not profile.is_student and not is_member,
        can_answer=project.status in statuses.ANSWER_STATUSES,
        can_complete=project.status in statuses.COMPLETE_STATUSES,
        message_form=MessageForm(formdata=None),
        confirm_form=ConfirmForm(),
        Direction=Direction,
        ApplicationStatus=ApplicationStatus,
    )  # fmt: skip


# ---- posting ------------------------------------------------------------------------------------------


def _form(project=None) -> ProjectForm:
    form = ProjectForm(obj=project)
    form.municipality_code.choices = municipality_choices(db.session, str(get_locale()))
    if project is not None and request.method == "GET":
        form.theme.data = project.theme.value
        form.work_mode.data = project.work_mode.value
        form.pay_kind.data = project.pay_kind.value
    return form


def _need_rows(project=None) -> list[dict]:
    if request.method == "POST":
        rows = [
            {"skill": request.form.get(f"need_skill_{i}", ""), "level": request.form.get(f"need_level_{i}", "2"),
             "must": request.form.get(f"need_must_{i}", "must")}
            for i in range(NEED_ROWS)
        ]  # fmt: skip
    else:
        needs = project.needs if project else []
        rows = [
            {"skill": n.skill_code, "level": str(n.min_level), "must": "must" if n.is_must else "nice"} for n in needs
        ]
        rows += [{"skill": "", "level": "2", "must": "must"}] * (NEED_ROWS - len(rows))
    return rows[:NEED_ROWS]


def _render_form(form, organisation, project=None, status=200, need_error=None):
    return render_template(
        "projects/form.html", form=form, organisation=organisation, project=project, need_rows=_need_rows(project),
        skill_groups=skill_choices(db.session, str(get_locale())), need_error=need_error, guides=GUIDES,
    ), status  # fmt: skip


@bp.get("/orgs/<public_id>/projects/new")
@login_required
def new(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "post_project", organisation)
    return _render_form(_form(), organisation)


@bp.post("/orgs/<public_id>/projects/new")
@login_required
def create(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "post_project", organisation)
    return _save(organisation, None)


@bp.get("/projects/<public_id>/edit")
@login_required
def edit(public_id: str):
    project = posting.get_project(db.session, current_actor(), public_id)
    require(current_actor(), "post_project", project.organisation)
    return _render_form(_form(project), project.organisation, project)


@bp.post("/projects/<public_id>/edit")
@login_required
def update(public_id: str):
    project = posting.get_project(db.session, current_actor(), public_id)
    require(current_actor(), "post_project", project.organisation)
    return _save(project.organisation, project)


def _save(organisation, project):
    form = _form()
    if not form.validate_on_submit():
        return _render_form(form, organisation, project, 422)
    try:
        project = posting.save_project(db.session, current_actor(), organisation, form.to_input(), project)
    except Invalid as error:
        db.session.rollback()
        form.set_errors(error.fields)
        return _render_form(form, organisation, project, 422, error.fields.get("needs"))
    db.session.commit()
    flash(_("プロジェクトを保存しました。内容を確認して「募集中」にすると公開されます。"), "success")
    return redirect(url_for("projects.show", public_id=project.public_id))


@bp.post("/projects/<public_id>/status")
@login_required
def change_status(public_id: str):
    project = posting.get_project(db.session, current_actor(), public_id)
    try:
        target = ProjectStatus(request.form.get("status", ""))
    except ValueError:
        raise Invalid(_("状態を選んでください。"), {"status": "invalid"}) from None
    posting.transition(db.session, current_actor(), project, target, base_url=_base_url())
    db.session.commit()
    flash(_("状態を「%(status)s」にしました。", status=STATUS_LABELS[target]), "success")
    return redirect(url_for("projects.show", public_id=public_id))


# ---- matching -------------------------------------------------------------------------------------------


@bp.get("/projects/<public_id>/matches")
@login_required
def matches(public_id: str):
    project = posting.get_project(db.session, current_actor(), public_id)
    require(current_actor(), "post_project", project.organisation)
    names = skill_names(db.session, str(get_locale()))
    results = [
        (profile, match, *reasons.explain(match, names))
        for profile, match in ranking.matches_for_project(db.session, project, k=20, today=_today())
    ]
    return render_template("projects/matches.html", project=project, results=results,
                           message_form=MessageForm(formdata=None))  # fmt: skip


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
        applications.apply(db.session, current_actor(), project, form.message.data or "", base_url=_base_url())
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
    applications.invite(db.session, current_actor(), project, profile, form.message.data or "", base_url=_base_url())
    db.session.commit()
    flash(_("%(name)s さんを招待しました。承諾されると連絡先が伝わります。", name=profile.display_name), "success")
    return redirect(url_for("projects.matches", public_id=public_id))


def _answer(application_id: str, action: str):
    application = applications.get_application(db.session, application_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("projects.show", public_id=application.project.public_id))
    if action == "withdraw":
        applications.withdraw(db.session, current_actor(), application, base_url=_base_url())
    else:
        applications.respond(db.session, current_actor(), application, action == "accept", base_url=_base_url())
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
                              base_url=_base_url(), issuer=issuer_context() if wants_badge else None)  # fmt: skip
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
        None if allocation_round.published_at else allocation.propose(db.session, allocation_round, today=_today())
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
                db.session, current_actor(), allocation_round, base_url=_base_url(), today=_today()
            )
        except Conflict as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("配属を公開し、%(n)d人に知らせました。", n=len(seats)), "success")
    return redirect(url_for("projects.allocation_round", public_id=public_id))
