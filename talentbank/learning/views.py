"""The 学びの場 pages: browsing and searching learning opportunities, one opportunity (enrol, withdraw),
publishing and editing them, the provider's learners (add, complete), and a person's learning."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import joinedload

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.credentials.achievements import achievements_of
from talentbank.credentials.context import issuer_context
from talentbank.errors import Conflict, Invalid
from talentbank.learning import enrolments, opportunities, paths, reasons
from talentbank.learning.forms import SKILL_ROWS, CompletionForm, LearnersForm, OpportunityForm
from talentbank.learning.labels import LABELS
from talentbank.models import EnrolmentStatus, Project, ProjectStatus
from talentbank.organisations.services import get_organisation
from talentbank.profiles.services import own_profile
from talentbank.reference.services import municipality_choices, skill_choices, subprefectures_with_municipalities
from talentbank.security import can, require
from talentbank.web import current_actor

bp = Blueprint("learning", __name__)
PAGE_SIZE = 30


def _today():
    return db.utcnow().date()


def _arg_int(name: str) -> int | None:
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/learning")
def index():
    criteria = opportunities.LearningCriteria(
        skill=request.args.get("skill") or None,
        min_level=_arg_int("level"),
        format=request.args.get("format") or None,
        free_only=request.args.get("free") == "1",
        online_only=request.args.get("online") == "1",
        subprefecture_id=_arg_int("subprefecture"),
        starts_within_weeks=_arg_int("weeks"),
        language=request.args.get("language") or None,
    )
    page = max(_arg_int("page") or 1, 1)
    query = opportunities.select_opportunities(criteria, _today())
    total = opportunities.count_opportunities(db.session, criteria, _today())
    found = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "learning/index.html",
        opportunities=found,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        args=args,
        criteria=criteria,
        labels=LABELS,
        subprefectures=subprefectures_with_municipalities(db.session),
        skill_groups=skill_choices(db.session, str(get_locale())),
    )


@bp.get("/learning/<public_id>")
def show(public_id: str):
    opportunity = opportunities.get_opportunity(db.session, public_id)
    actor = current_actor()
    profile = own_profile(db.session, actor) if actor else None
    mine = enrolments.enrolment_of(db.session, opportunity, profile)
    taken = enrolments.seats_taken(db.session, opportunity)
    refusal = enrolments.refusal(opportunity, profile, _today()) if profile else None
    if refusal is None and opportunity.capacity is not None and taken >= opportunity.capacity:
        refusal = _("定員に達しています。")
    return render_template(
        "learning/show.html",
        opportunity=opportunity,
        labels=LABELS,
        profile=profile,
        mine=mine,
        seats_left=None if opportunity.capacity is None else max(opportunity.capacity - taken, 0),
        refusal=refusal,
        is_member=can(actor, "publish_learning", opportunity.organisation),
        EnrolmentStatus=EnrolmentStatus,
        form=ConfirmForm(),
    )


@bp.post("/learning/<public_id>/enrol")
@login_required
def enrol(public_id: str):
    opportunity = opportunities.get_opportunity(db.session, public_id)
    try:
        enrolments.enrol(db.session, current_actor(), opportunity)
    except (Invalid, Conflict) as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return redirect(url_for("learning.show", public_id=public_id))
    db.session.commit()
    flash(_("「%(title)s」に申し込みました。", title=opportunity.title), "success")
    return redirect(url_for("learning.show", public_id=public_id))


@bp.post("/learning/<public_id>/withdraw")
@login_required
def withdraw(public_id: str):
    opportunity = opportunities.get_opportunity(db.session, public_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("learning.show", public_id=public_id))
    try:
        enrolments.withdraw(db.session, current_actor(), opportunity)
    except Conflict as problem:
        flash(problem.message, "error")
        return redirect(url_for("learning.show", public_id=public_id))
    db.session.commit()
    flash(_("申し込みを取り消しました。"), "info")
    return redirect(url_for("learning.show", public_id=public_id))


# ---- publishing ------------------------------------------------------------------------------------


def _form(organisation, opportunity=None) -> OpportunityForm:
    form = OpportunityForm(obj=opportunity)
    places = municipality_choices(db.session, str(get_locale()))
    form.municipality_code.choices = {"": [("", _("オンライン（場所なし）"))], **places}
    badges = [(str(a.public_id), a.name) for a in achievements_of(db.session, organisation)]
    form.achievement_id.choices = [("", _("発行しない")), *badges]
    form.project_id.choices = _project_choices(opportunity.project if opportunity is not None else None)
    if opportunity is not None and request.method == "GET":
        form.format.data = opportunity.format.value
        form.language.data = opportunity.language.value
        form.eligibility.data = opportunity.eligibility.value
        form.municipality_code.data = opportunity.municipality_code or ""
        form.achievement_id.data = str(opportunity.achievement.public_id) if opportunity.achievement else ""
        form.project_id.data = str(opportunity.project.public_id) if opportunity.project else ""
    return form


def _project_choices(current=None) -> list[tuple[str, str]]:
    """The projects a PBL class may work on, newest first: those open or under way (what the service
    accepts), and the one it already works on, whatever has become of it; "none" first."""
    english = str(get_locale()) == "en"
    newest = sa.func.coalesce(Project.opened_at, Project.created_at)
    projects = list(
        db.session.scalars(
            sa.select(Project)
            .options(joinedload(Project.municipality))
            .where(Project.status.in_((ProjectStatus.OPEN, ProjectStatus.IN_PROGRESS)))
            .order_by(newest.desc(), Project.id.desc())
        )
    )
    if current is not None and current not in projects:
        projects.insert(0, current)
    place = (lambda p: p.municipality.name_romaji) if english else (lambda p: p.municipality.name_ja)
    return [
        ("", _("教材にしない")),
        *((str(p.public_id), f"{p.title} ({place(p)})" if english else f"{p.title}（{place(p)}）") for p in projects),
    ]


def _skill_rows(opportunity=None) -> list[dict]:
    if request.method == "POST":
        rows = [{"skill": request.form.get(f"skill_{i}", ""), "level": request.form.get(f"level_{i}", "2")}
                for i in range(SKILL_ROWS)]  # fmt: skip
    else:
        rows = [{"skill": s.skill_code, "level": str(s.level)} for s in (opportunity.skills if opportunity else [])]
        rows += [{"skill": "", "level": "2"}] * (SKILL_ROWS - len(rows))
    return rows[:SKILL_ROWS]


def _render_form(form, organisation, opportunity=None, status=200, skill_error=None):
    return render_template(
        "learning/form.html", form=form, organisation=organisation, opportunity=opportunity,
        skill_rows=_skill_rows(opportunity), skill_groups=skill_choices(db.session, str(get_locale())),
        skill_error=skill_error,
    ), status  # fmt: skip


@bp.get("/orgs/<public_id>/learning/new")
@login_required
def new(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "publish_learning", organisation)
    return _render_form(_form(organisation), organisation)


@bp.post("/orgs/<public_id>/learning/new")
@login_required
def create(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "publish_learning", organisation)
    return _save(organisation, None)


@bp.get("/learning/<public_id>/edit")
@login_required
def edit(public_id: str):
    opportunity = opportunities.get_opportunity(db.session, public_id)
    require(current_actor(), "publish_learning", opportunity.organisation)
    return _render_form(_form(opportunity.organisation, opportunity), opportunity.organisation, opportunity)


@bp.post("/learning/<public_id>/edit")
@login_required
def update(public_id: str):
    opportunity = opportunities.get_opportunity(db.session, public_id)
    require(current_actor(), "publish_learning", opportunity.organisation)
    return _save(opportunity.organisation, opportunity)


def _save(organisation, opportunity):
    form = _form(organisation)
    if not form.validate_on_submit():
        return _render_form(form, organisation, opportunity, 422)
    try:
        opportunity = opportunities.save_opportunity(db.session, current_actor(), organisation, form.to_input(),
                                                     opportunity)  # fmt: skip
    except Invalid as error:
        db.session.rollback()
        form.set_errors({k: v for k, v in error.fields.items() if k != "skills"})
        return _render_form(form, organisation, opportunity, 422, error.fields.get("skills"))
    db.session.commit()
    flash(_("学びの場を公開しました。"), "success")
    return redirect(url_for("learning.show", public_id=opportunity.public_id))


@bp.post("/learning/<public_id>/close")
@login_required
def close(public_id: str):
    opportunity = opportunities.get_opportunity(db.session, public_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("learning.show", public_id=public_id))
    try:
        opportunities.close_opportunity(db.session, current_actor(), opportunity)
    except Conflict as problem:
        flash(problem.message, "info")
        return redirect(url_for("learning.show", public_id=public_id))
    db.session.commit()
    flash(_("受付を終了しました。"), "info")
    return redirect(url_for("learning.show", public_id=public_id))


# ---- learners --------------------------------------------------------------------------------------


def _render_learners(opportunity, learners_form=None, added=None, status=200):
    return render_template(
        "learning/learners.html", opportunity=opportunity, labels=LABELS,
        learners=enrolments.learners_of(db.session, current_actor(), opportunity),
        learners_form=learners_form or LearnersForm(formdata=None), completion_form=CompletionForm(formdata=None),
        added=added, EnrolmentStatus=EnrolmentStatus,
    ), status  # fmt: skip


@bp.get("/learning/<public_id>/learners")
@login_required
def learners(public_id: str):
    opportunity = opportunities.get_opportunity(db.session, public_id)
    return _render_learners(opportunity)


@bp.post("/learning/<public_id>/learners")
@login_required
def add_learners(public_id: str):
    opportunity = opportunities.get_opportunity(db.session, public_id)
    require(current_actor(), "publish_learning", opportunity.organisation)
    form = LearnersForm()
    if not form.validate_on_submit():
        return _render_learners(opportunity, form, status=422)
    added = enrolments.add_learners(db.session, current_actor(), opportunity, form.emails.data.splitlines())
    db.session.commit()
    return _render_learners(opportunity, added=added)


@bp.post("/learning/<public_id>/completions")
@login_required
def complete(public_id: str):
    opportunity = opportunities.get_opportunity(db.session, public_id)
    require(current_actor(), "publish_learning", opportunity.organisation)
    form = CompletionForm()
    chosen = request.form.getlist("enrolment")[:1000]
    if not form.validate_on_submit():
        return redirect(url_for("learning.learners", public_id=public_id))
    try:
        if form.result.data == "completed":
            done = enrolments.complete(db.session, current_actor(), opportunity, chosen, issuer_context())
        else:
            done = enrolments.mark_not_completed(db.session, current_actor(), opportunity, chosen)
    except (Invalid, Conflict) as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return redirect(url_for("learning.learners", public_id=public_id))
    db.session.commit()
    if form.result.data == "completed":
        message = _("%(n)d人を修了にしました。", n=len(done))
        if opportunity.achievement:
            message += " " + _("バッジを発行し、プロフィールに追加しました。")
        flash(message, "success")
    else:
        flash(_("%(n)d人を未修了にしました。", n=len(done)), "info")
    return redirect(url_for("learning.learners", public_id=public_id))


# ---- a person's learning ---------------------------------------------------------------------------


@bp.get("/me/learning")
@login_required
def mine():
    profile = own_profile(db.session, current_actor())
    found = paths.paths_for_person(db.session, profile, today=_today()) if profile else None
    return render_template(
        "learning/mine.html",
        profile=profile,
        history=enrolments.enrolments_of_profile(db.session, profile) if profile else [],
        found=found,
        labels=LABELS,
        sentences=reasons.sentences,
    )
