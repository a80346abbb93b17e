from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from talentbank import db, notifications
from talentbank.accounts.forms import ConfirmForm
from talentbank.learning import paths as learning_paths
from talentbank.learning import reasons as learning_reasons
from talentbank.models import Municipality, Organisation, Skill, User
from talentbank.organisations import services as organisation_services
from talentbank.organisations.forms import KIND_LABELS, ROLE_LABELS
from talentbank.profiles import services as profile_services
from talentbank.projects import applications as project_applications
from talentbank.projects import ranking, reasons
from talentbank.projects.labels import APPLICATION_LABELS
from talentbank.reference.services import skill_names
from talentbank.web import current_actor

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    counts = {
        "people": db.session.scalar(sa.select(sa.func.count()).select_from(User)),
        "organisations": db.session.scalar(
            sa.select(sa.func.count()).select_from(Organisation).where(Organisation.verified_at.is_not(None))
        ),
        "municipalities": db.session.scalar(sa.select(sa.func.count()).select_from(Municipality)),
        "skills": db.session.scalar(sa.select(sa.func.count()).select_from(Skill).where(Skill.is_selectable)),
    }
    return render_template("main/index.html", counts=counts)


@bp.get("/dashboard")
@login_required
def dashboard():
    actor = current_actor()
    profile = profile_services.own_profile(db.session, actor)
    names = skill_names(db.session, str(get_locale()))
    suggestions = []
    learning = None
    if profile is not None:
        open_needs = ranking.open_needs_for(db.session, profile)  # one need index for both lists
        learning = learning_paths.paths_for_person(db.session, profile, today=db.utcnow().date(), near_limit=3,
                                                   path_limit=3, open_needs=open_needs)  # fmt: skip
        found = ranking.projects_for_person(db.session, profile, k=5, today=db.utcnow().date(), open_needs=open_needs)
        for project, match in found:
            why, missing = reasons.explain(match, names)
            suggestions.append((project, why[:3], missing[:2]))
    return render_template(
        "main/dashboard.html",
        memberships=organisation_services.organisations_of(db.session, actor),
        profile=profile,
        suggestions=suggestions,
        learning=learning,
        learning_sentences=learning_reasons.sentences,
        applications=project_applications.applications_of_person(db.session, profile) if profile else [],
        application_labels=APPLICATION_LABELS,
        confirm_form=ConfirmForm(),
        kind_labels=KIND_LABELS,
        role_labels=ROLE_LABELS,
    )


@bp.get("/notifications")
@login_required
def notifications_page():
    return render_template(
        "main/notifications.html", notifications=notifications.latest(db.session, current_actor()), form=ConfirmForm()
    )


@bp.post("/notifications/read")
@login_required
def notifications_read():
    if ConfirmForm().validate_on_submit():
        notifications.mark_all_read(db.session, current_actor())
        db.session.commit()
    return redirect(url_for("main.notifications_page"))


@bp.app_context_processor
def _unread_notifications():
    """The count in the header, for logged-in people (one small indexed query per page)."""
    if not current_user.is_authenticated or request.blueprint in {"api", "static"}:
        return {"unread_notifications": 0}
    return {"unread_notifications": notifications.unread_count(db.session, current_actor())}


@bp.get("/healthz")
def health():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/about")
def about():
    return render_template("main/about.html")
