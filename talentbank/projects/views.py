"""The projects pages: browsing, one project, the guided form and the status flow, and the people who best
match a project. Importing this module registers every route of the blueprint (the applications and
allocation routes live in their own modules)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.errors import Invalid
from talentbank.learning import reasons as learning_reasons
from talentbank.learning.opportunities import classes_on_project
from talentbank.learning.qualifying import qualifying_after_learning
from talentbank.models import ApplicationStatus, Direction, ProjectStatus
from talentbank.organisations.services import get_organisation
from talentbank.profiles.services import own_profile
from talentbank.projects import allocation_views, application_views, applications, posting, ranking, reasons, statuses
from talentbank.projects.blueprint import LABELS, base_url, bp, today
from talentbank.projects.forms import GUIDES, NEED_ROWS, MessageForm, ProjectForm
from talentbank.projects.labels import STATUS_LABELS
from talentbank.reference.services import (
    municipality_choices,
    skill_choices,
    skill_names,
    subprefectures_with_municipalities,
)
from talentbank.security import can, require
from talentbank.wallet import presentations
from talentbank.web import current_actor

# The blueprint's other routes; importing their modules registers them on `bp`.
ROUTE_MODULES = (application_views, allocation_views)


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
        presented=presentations.latest_by_application(db.session, [a.id for a in [*entries, mine] if a]),
        reason=presentations.reason,
        transitions=sorted(statuses.TRANSITIONS[project.status], key=list(ProjectStatus).index) if is_member else [],
        can_apply=profile is not None and not is_member and mine is None and applications.is_eligible(project, profile)
        and project.status is ProjectStatus.OPEN and (project.deadline is None or project.deadline >= today()),
        needs_student=project.is_students_only and profile is not None and not profile.is_student and not is_member,
        can_answer=project.status in statuses.ANSWER_STATUSES,
        can_complete=project.status in statuses.COMPLETE_STATUSES,
        message_form=MessageForm(formdata=None),
        confirm_form=ConfirmForm(),
        classes=classes_on_project(db.session, project),
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
    posting.transition(db.session, current_actor(), project, target, base_url=base_url())
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
    show_near = request.args.get("near") == "1"
    found = ranking.matches_for_project(db.session, project, k=20, today=today(), k_near=20 if show_near else 0)
    results = [(profile, match, *reasons.explain(match, names)) for profile, match in found.matches]
    near_misses = [
        (profile, match, reasons.blocker_sentence(match.blocker), reasons.explain(match, names)[0])
        for profile, match in found.near_misses
        if match.blocker is not None
    ]
    after_learning = [
        (person, learning_reasons.qualifying_sentence(person, names))
        for person in (qualifying_after_learning(db.session, project, k=10, today=today()) if show_near else [])
    ]
    return render_template("projects/matches.html", project=project, results=results, near_misses=near_misses,
                           after_learning=after_learning, show_near=show_near,
                           message_form=MessageForm(formdata=None))  # fmt: skip
