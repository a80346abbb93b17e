from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from markupsafe import Markup

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.credentials.imports import imported_of
from talentbank.credentials.learner_records import records_of_email
from talentbank.credentials.records import credentials_of_profile
from talentbank.db import utcnow
from talentbank.errors import Conflict, Invalid
from talentbank.learning.enrolments import shown_learning
from talentbank.models import Visibility
from talentbank.organisations.services import list_organisations
from talentbank.profiles import data_rights, outcomes, services
from talentbank.profiles.forms import (
    LEVEL_LABELS,
    MOTIVE_LABELS,
    PAY_KIND_LABELS,
    VISIBILITY_LABELS,
    WORK_MODE_LABELS,
    DeleteAccountForm,
    OutcomeForm,
    ProfileForm,
    SkillForm,
)
from talentbank.profiles.inputs import OUTSIDE_HOKKAIDO
from talentbank.profiles.markdown import render_markdown
from talentbank.profiles.search import MAX_SKILL_FILTERS, SearchCriteria, search_profiles
from talentbank.projects.applications import releases_of
from talentbank.reference.services import municipality_choices, skill_choices, subprefectures_with_municipalities
from talentbank.web import current_actor, password_hasher

bp = Blueprint("profiles", __name__)

LABELS = {
    "levels": LEVEL_LABELS,
    "motives": MOTIVE_LABELS,
    "work_modes": WORK_MODE_LABELS,
    "pay_kinds": PAY_KIND_LABELS,
    "visibility": VISIBILITY_LABELS,
}


def _locale() -> str:
    return str(get_locale())


# ---- browsing and search -------------------------------------------------------------------------


def _int_arg(name: str, low: int, high: int) -> int | None:
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return None
    return max(low, min(high, value))


def _criteria() -> SearchCriteria:
    """Read the search form from the query string, clamping anything absurd instead of failing."""
    levels = request.args.getlist("level")
    skills = []
    for index, code in enumerate(request.args.getlist("skill")[:MAX_SKILL_FILTERS]):
        if not code:
            continue
        try:
            level = max(1, min(4, int(levels[index])))
        except (IndexError, ValueError):
            level = 1
        skills.append((code[:16], level))
    return SearchCriteria(
        text=request.args.get("q", "")[:200],
        skills=tuple(skills),
        verified_only=request.args.get("verified") == "1",
        subprefecture_id=_int_arg("subprefecture", 1, 1000),
        municipality_code=(request.args.get("municipality") or "")[:6] or None,
        remote_ok=request.args.get("remote") == "1",
        min_hours=_int_arg("hours", 0, 80),
        open_to_offers=request.args.get("open") == "1",
        page=_int_arg("page", 1, 500) or 1,
    )


@bp.get("/people")
def search():
    criteria = _criteria()
    results = search_profiles(db.session, current_actor(), criteria)
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    return render_template(
        "profiles/search.html",
        results=results,
        shown_skills={p.id: p.skills_at(utcnow())[:6] for p in results.profiles},  # an expired badge is not shown
        criteria=criteria,
        query_args=args,
        skill_groups=skill_choices(db.session, _locale()),
        skill_rows=[*criteria.skills, *[("", 1)] * (3 - len(criteria.skills))][: max(3, len(criteria.skills))],
        municipality_groups=municipality_choices(db.session, _locale()),
        subprefectures=subprefectures_with_municipalities(db.session),
        labels=LABELS,
    )


def _json_ld(profile) -> Markup:
    """schema.org Person with public fields only; `<` escaped so the data block cannot end early."""
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": profile.display_name,
        "description": profile.headline or None,
        "url": url_for("profiles.show", public_id=profile.public_id, _external=True),
        "knowsAbout": [s.skill.name_ja for s in profile.skills_at(utcnow())],
        "homeLocation": (
            {"@type": "Place", "name": profile.home_municipality.name_ja, "address": "北海道"}
            if profile.home_municipality
            else None
        ),
    }
    text = json.dumps({k: v for k, v in data.items() if v}, ensure_ascii=False).replace("<", "\\u003c")
    return Markup(text)  # noqa: S704  (JSON with "<" escaped)


def _skill_rows(profile) -> list[dict]:
    """One row per skill: its best-backed entry first, so self-declared and verified read differently."""
    rows: dict[str, dict] = {}
    order = {"project": 0, "badge": 1, "self": 2}
    for entry in sorted(profile.skills_at(utcnow()), key=lambda s: (order[s.source.value], -s.level)):
        row = rows.setdefault(entry.skill_code, {"skill": entry.skill, "entries": []})
        row["entries"].append(entry)
    return sorted(rows.values(), key=lambda r: (order[r["entries"][0].source.value], -r["entries"][0].level))


@bp.get("/people/<public_id>")
def show(public_id: str):
    profile = services.get_profile(db.session, current_actor(), public_id)
    is_owner = current_user.is_authenticated and profile.user_id == current_user.id
    shown_outcomes = [o for o in profile.outcomes if is_owner or not o.is_hidden]
    return render_template(
        "profiles/show.html",
        profile=profile,
        is_owner=is_owner,
        outcomes=shown_outcomes,
        skill_rows=_skill_rows(profile),
        credentials=credentials_of_profile(db.session, profile),
        imported=imported_of(db.session, profile),
        # Learner records are not claimed onto a profile: only their learner sees them here.
        learner_records=records_of_email(db.session, current_user.email) if is_owner else [],
        learning=shown_learning(db.session, profile),
        now=utcnow(),
        bio_html=render_markdown(profile.bio),
        render_markdown=render_markdown,
        json_ld=_json_ld(profile) if profile.visibility is Visibility.PUBLIC and not profile.is_hidden else None,
        labels=LABELS,
    )


# ---- the person's own profile --------------------------------------------------------------------


def _profile_form(profile=None, **kwargs) -> ProfileForm:
    form = ProfileForm(obj=profile, **kwargs)
    choices = municipality_choices(db.session, _locale())
    form.home.choices = {"": [(OUTSIDE_HOKKAIDO, _("北海道外"))], **choices}
    form.regions.choices = [
        (str(s.id), s.name_en if _locale() == "en" else s.name_ja)
        for s in subprefectures_with_municipalities(db.session)
    ]
    if profile is not None and request.method == "GET":
        form.home.data = profile.home_municipality_code or OUTSIDE_HOKKAIDO
        form.regions.data = [str(r.id) for r in profile.regions]
        form.work_mode.data = profile.work_mode.value
        form.visibility.data = profile.visibility.value
        form.pay_kind.data = profile.pay_kind.value if profile.pay_kind else ""
    return form


@bp.get("/me/profile")
@login_required
def edit():
    profile = services.own_profile(db.session, current_user)
    form = _profile_form(profile, display_name=None if profile else current_user.display_name)
    return render_template("profiles/edit.html", form=form, profile=profile)


@bp.post("/me/profile")
@login_required
def update():
    profile = services.own_profile(db.session, current_user)
    form = _profile_form()
    if not form.validate_on_submit():
        return render_template("profiles/edit.html", form=form, profile=profile), 422
    try:
        profile = services.save_profile(db.session, current_actor(), form.to_input())
    except Invalid as error:
        db.session.rollback()
        form.set_errors(error.fields)
        return render_template("profiles/edit.html", form=form, profile=profile), 422
    db.session.commit()
    flash(_("プロフィールを保存しました。"), "success")
    return redirect(url_for("profiles.show", public_id=profile.public_id))


def _skill_form() -> SkillForm:
    form = SkillForm()
    form.skill_code.choices = {"": [("", _("スキルを選んでください"))], **skill_choices(db.session, _locale())}
    return form


def _render_skills(form: SkillForm, status: int = 200):
    profile = services.require_own_profile(db.session, current_user)
    return render_template(
        "profiles/skills.html", form=form, profile=profile, skill_rows=_skill_rows(profile), labels=LABELS,
        confirm_form=ConfirmForm(),
    ), status  # fmt: skip


@bp.get("/me/skills")
@login_required
def skills():
    if services.own_profile(db.session, current_user) is None:
        flash(_("先にプロフィールを作成してください。"), "info")
        return redirect(url_for("profiles.edit"))
    return _render_skills(_skill_form())


@bp.post("/me/skills")
@login_required
def add_skill():
    form = _skill_form()
    if not form.validate_on_submit():
        return _render_skills(form, 422)
    try:
        services.add_skill(db.session, current_actor(), form.to_input())
    except Invalid as error:
        db.session.rollback()
        form.set_errors(error.fields)
        return _render_skills(form, 422)
    db.session.commit()
    flash(_("スキルを登録しました。"), "success")
    return redirect(url_for("profiles.skills"))


@bp.post("/me/skills/<int:profile_skill_id>/delete")
@login_required
def remove_skill(profile_skill_id: int):
    try:
        services.remove_skill(db.session, current_actor(), profile_skill_id)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for("profiles.skills"))
    db.session.commit()
    flash(_("スキルを削除しました。"), "info")
    return redirect(url_for("profiles.skills"))


def _outcome_form(outcome=None) -> OutcomeForm:
    form = OutcomeForm(obj=outcome)
    form.skill_codes.choices = [
        (code, name) for group in skill_choices(db.session, _locale()).values() for code, name in group
    ]
    form.organisation.choices = [("", _("つなげない"))] + [
        (str(o.public_id), o.name) for o in list_organisations(db.session)
    ]
    if outcome is not None and request.method == "GET":
        form.organisation.data = str(outcome.organisation.public_id) if outcome.organisation else ""
        form.links.data = "\n".join(outcome.links)
        form.skill_codes.data = [s.skill_code for s in outcome.skills]
        form.skill_level.data = outcome.skills[0].level if outcome.skills else 2
    return form


def _render_outcome(form: OutcomeForm, outcome=None, status: int = 200):
    return render_template("profiles/outcome_form.html", form=form, outcome=outcome), status


@bp.get("/me/outcomes/new")
@login_required
def new_outcome():
    services.require_own_profile(db.session, current_user)
    return _render_outcome(_outcome_form())


@bp.post("/me/outcomes/new")
@login_required
def create_outcome():
    return _save_outcome(None)


@bp.get("/me/outcomes/<outcome_id>/edit")
@login_required
def edit_outcome(outcome_id: str):
    outcome = outcomes.get_own_outcome(db.session, current_user, outcome_id)
    return _render_outcome(_outcome_form(outcome), outcome)


@bp.post("/me/outcomes/<outcome_id>/edit")
@login_required
def update_outcome(outcome_id: str):
    return _save_outcome(outcome_id)


def _save_outcome(outcome_id: str | None):
    outcome = outcomes.get_own_outcome(db.session, current_user, outcome_id) if outcome_id else None
    form = _outcome_form()
    if not form.validate_on_submit():
        return _render_outcome(form, outcome, 422)
    try:
        outcomes.save_outcome(db.session, current_actor(), form.to_input(), outcome_id)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(
            url_for("profiles.show", public_id=services.require_own_profile(db.session, current_user).public_id)
        )
    except Invalid as error:
        db.session.rollback()
        form.set_errors(error.fields)
        return _render_outcome(form, outcome, 422)
    db.session.commit()
    flash(_("成果を保存しました。"), "success")
    profile = services.require_own_profile(db.session, current_user)
    return redirect(url_for("profiles.show", public_id=profile.public_id))


@bp.post("/me/outcomes/<outcome_id>/visibility")
@login_required
def outcome_visibility(outcome_id: str):
    if ConfirmForm().validate_on_submit():
        outcomes.set_outcome_hidden(db.session, current_actor(), outcome_id, request.form.get("hidden") == "1")
        db.session.commit()
    profile = services.require_own_profile(db.session, current_user)
    return redirect(url_for("profiles.show", public_id=profile.public_id))


@bp.post("/me/outcomes/<outcome_id>/delete")
@login_required
def delete_outcome(outcome_id: str):
    outcomes.delete_outcome(db.session, current_actor(), outcome_id)
    db.session.commit()
    flash(_("成果を削除しました。"), "info")
    return redirect(
        url_for("profiles.show", public_id=services.require_own_profile(db.session, current_user).public_id)
    )


# ---- data rights (APPI) --------------------------------------------------------------------------


@bp.get("/me/data")
@login_required
def data():
    return _render_data(DeleteAccountForm())


def _render_data(form: DeleteAccountForm, status: int = 200):
    profile = services.own_profile(db.session, current_user)
    releases = releases_of(db.session, profile) if profile else []
    return render_template("profiles/data.html", form=form, releases=releases), status


@bp.get("/me/data/export.json")
@login_required
def export_json():
    payload = data_rights.export_personal_data(db.session, current_user)
    response = Response(json.dumps(payload, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="talentbank-my-data.json"'
    return response


@bp.get("/me/data/export.html")
@login_required
def export_html():
    return render_template("profiles/export.html", data=data_rights.export_personal_data(db.session, current_user))


@bp.post("/me/delete")
@login_required
def delete_account():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _render_data(form, 422)
    try:
        data_rights.delete_account(db.session, current_actor(), form.password.data, hasher=password_hasher())
    except Invalid as error:
        db.session.rollback()
        form.set_errors(error.fields)
        return _render_data(form, 422)
    db.session.commit()
    logout_user()
    flash(_("アカウントと個人データを削除しました。ご利用ありがとうございました。"), "info")
    return redirect(url_for("main.index"))
