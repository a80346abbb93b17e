"""The issuer's pages: setting up as an issuer and rotating its key, achievements and their images,
awarding one, many (CSV) or to a profile, revoking, and endorsing. Importing this module registers
every route of the credentials blueprint (the others live in `credential_views` and `verification_views`)."""

from __future__ import annotations

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.credentials import (
    achievements,
    bulk,
    credential_views,
    endorsements,
    images,
    issuers,
    issuing,
    learner_record_views,
    records,
    revocation,
    uploads,
    verification_views,
)
from talentbank.credentials.blueprint import bp
from talentbank.credentials.context import issuer_context
from talentbank.credentials.forms import FORMAT_LABELS, AchievementForm, AwardForm, ProfileAwardForm, RevokeForm
from talentbank.csvtext import MAX_CSV_BYTES, decode_csv
from talentbank.errors import Conflict, Invalid
from talentbank.organisations.services import get_organisation
from talentbank.reference.services import skill_choices
from talentbank.security import can, require
from talentbank.web import current_actor

# The blueprint's other routes; importing their modules registers them on `bp`.
ROUTE_MODULES = (credential_views, verification_views, learner_record_views)
BULK_BATCH = 200


# ---- issuer set-up and achievements ---------------------------------------------------------------


@bp.get("/orgs/<public_id>/badges")
@login_required
def issuer(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "view_members", organisation)
    key = issuers.active_key(db.session, organisation)
    return render_template(
        "credentials/issuer.html",
        organisation=organisation,
        key=key,
        did=issuers.issuer_did(issuer_context().base_url, organisation) if key else None,
        achievements=achievements.achievements_of(db.session, organisation),
        can_manage=can(current_actor(), "manage_issuer", organisation),
        can_issue=can(current_actor(), "issue", organisation),
        form=ConfirmForm(),
    )


@bp.post("/orgs/<public_id>/issuer")
@login_required
def setup_issuer(public_id: str):
    organisation = get_organisation(db.session, public_id)
    issuers.setup_issuer(db.session, current_actor(), organisation, issuer_context())
    db.session.commit()
    flash(_("発行者の設定が完了しました。バッジを作成できます。"), "success")
    return redirect(url_for("credentials.issuer", public_id=public_id))


@bp.post("/orgs/<public_id>/issuer/rotate")
@login_required
def rotate_key(public_id: str):
    organisation = get_organisation(db.session, public_id)
    compromised = request.form.get("compromised") == "1"
    issuers.rotate_key(db.session, current_actor(), organisation, issuer_context(), compromised=compromised)
    db.session.commit()
    flash(_("署名鍵を更新しました。") if not compromised else _("署名鍵を無効にし、新しい鍵を作りました。"), "success")
    return redirect(url_for("credentials.issuer", public_id=public_id))


def _achievement_form() -> AchievementForm:
    form = AchievementForm()
    groups = skill_choices(db.session, str(get_locale()))
    form.skill_code.choices = {"": [("", _("スキルを選んでください"))], **groups}
    form.skill_code_2.choices = {"": [("", _("なし"))], **groups}
    return form


@bp.get("/orgs/<public_id>/achievements/new")
@login_required
def new_achievement(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "issue", organisation)
    return render_template("credentials/achievement_form.html", form=_achievement_form(), organisation=organisation)


@bp.post("/orgs/<public_id>/achievements/new")
@login_required
def create_achievement(public_id: str):
    organisation = get_organisation(db.session, public_id)
    require(current_actor(), "issue", organisation)
    form = _achievement_form()
    if not form.validate_on_submit():
        return render_template("credentials/achievement_form.html", form=form, organisation=organisation), 422
    upload = request.files.get("image")
    image = (upload.filename, upload.read(uploads.MAX_UPLOAD_BYTES + 1)) if upload and upload.filename else None
    try:
        achievement = achievements.create_achievement(db.session, current_actor(), organisation, form.to_input(), image)
    except Invalid as error:
        db.session.rollback()
        form.set_errors(error.fields)
        return render_template("credentials/achievement_form.html", form=form, organisation=organisation), 422
    db.session.commit()
    flash(_("バッジを作成しました。"), "success")
    return redirect(url_for("credentials.achievement", public_id=achievement.public_id))


def _render_achievement(achievement, award_form=None, status: int = 200, profile_form=None):
    can_issue = can(current_actor(), "issue", achievement.organisation)
    actor = current_actor()
    return render_template(
        "credentials/achievement.html",
        endorsements=endorsements.checked_endorsements(db.session, achievement, issuer_context()),
        endorsers=endorsements.organisations_that_may_endorse(db.session, actor, achievement) if actor else [],
        achievement=achievement,
        can_issue=can_issue,
        format_labels=FORMAT_LABELS,
        credentials=records.credentials_of_achievement(db.session, achievement) if can_issue else [],
        award_form=award_form or AwardForm(formdata=None),
        profile_form=profile_form or ProfileAwardForm(formdata=None, prefix="pick"),
        revoke_form=RevokeForm(formdata=None),
    ), status


@bp.get("/achievements/<public_id>")
def achievement(public_id: str):
    return _render_achievement(achievements.get_achievement(db.session, public_id))


def _image_response(body: bytes | str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=86400"
    # Uploaded images never run anything, even when opened directly.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@bp.get("/achievements/<public_id>/image.png")
def achievement_image(public_id: str):
    achievement = achievements.get_achievement(db.session, public_id)
    return _image_response(achievement.image_png or images.default_png(str(achievement.public_id)), "image/png")


@bp.get("/achievements/<public_id>/image.svg")
def achievement_svg(public_id: str):
    achievement = achievements.get_achievement(db.session, public_id)
    svg = achievement.image_svg or images.default_svg(str(achievement.public_id), achievement.name)
    return _image_response(svg, "image/svg+xml")


@bp.post("/achievements/<public_id>/award")
@login_required
def award(public_id: str):
    achievement = achievements.get_achievement(db.session, public_id)
    require(current_actor(), "issue", achievement.organisation)
    form = AwardForm()
    if not form.validate_on_submit():
        return _render_achievement(achievement, form, 422)
    credential = issuing.issue_credential(db.session, current_actor(), achievement, form.to_input(), issuer_context())
    db.session.commit()
    flash(_("%(name)s さんにバッジを発行しました。", name=credential.recipient_name), "success")
    return redirect(url_for("credentials.show", public_id=credential.public_id))


@bp.post("/achievements/<public_id>/award-profile")
@login_required
def award_profile(public_id: str):
    achievement = achievements.get_achievement(db.session, public_id)
    require(current_actor(), "issue", achievement.organisation)
    form = ProfileAwardForm(prefix="pick")
    if form.validate_on_submit():
        try:
            credential = issuing.award_to_profile(
                db.session, current_actor(), achievement, form.profile.data, form.evidence_url.data or "",
                form.narrative.data or "", issuer_context(),
            )  # fmt: skip
        except Invalid as error:
            db.session.rollback()
            form.set_errors(error.fields)
        else:
            db.session.commit()
            flash(_("%(name)s さんにバッジを発行しました。", name=credential.recipient_name), "success")
            return redirect(url_for("credentials.show", public_id=credential.public_id))
    return _render_achievement(achievement, profile_form=form, status=422)


@bp.get("/achievements/<public_id>/bulk")
@login_required
def bulk_form(public_id: str):
    achievement = achievements.get_achievement(db.session, public_id)
    require(current_actor(), "issue", achievement.organisation)
    return render_template("credentials/bulk.html", achievement=achievement, rows=None, form=ConfirmForm())


@bp.post("/achievements/<public_id>/bulk")
@login_required
def bulk_post(public_id: str):
    """Preview an uploaded CSV (nothing is issued), or issue the previewed good rows."""
    achievement = achievements.get_achievement(db.session, public_id)
    require(current_actor(), "issue", achievement.organisation)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("credentials.bulk_form", public_id=public_id))
    upload = request.files.get("csv")
    try:
        if request.form.get("action") == "issue":
            rows = bulk.parse_award_csv(request.form.get("rows", ""))
        elif upload is not None and upload.filename:
            rows = bulk.parse_award_csv(decode_csv(upload.read(MAX_CSV_BYTES + 1)))
            if upload.tell() > MAX_CSV_BYTES:
                raise ValueError(_("CSVファイルは1MBまでです。"))
        else:
            raise ValueError(_("CSVファイルを選んでください。"))
    except ValueError as error:
        return render_template(
            "credentials/bulk.html", achievement=achievement, rows=None, form=form, error=str(error)
        ), 422
    key_of = {row.line: row.idempotency_key(str(achievement.public_id)) for row in rows}
    already = issuing.issued_keys(db.session, achievement, [key_of[r.line] for r in rows if r.is_valid])
    if request.form.get("action") != "issue":
        return render_template(
            "credentials/bulk.html", achievement=achievement, rows=rows, form=form,
            already={line for line, key in key_of.items() if key in already}, carried=bulk.to_csv(rows),
        )  # fmt: skip
    if request.form.get("batch_start") is not None:
        return _issue_bulk_batch(achievement, rows, key_of, already)
    pending = [(row.award, key_of[row.line]) for row in rows if row.is_valid and key_of[row.line] not in already]
    for start in range(0, len(pending), BULK_BATCH):
        issuing.issue_credentials(
            db.session, current_actor(), achievement, pending[start : start + BULK_BATCH], issuer_context()
        )
        db.session.commit()  # a crash loses at most one batch, and re-running skips what is done
    issued = len(pending)
    flash(_("%(n)d件のバッジを発行しました（発行済みで飛ばした行：%(skipped)d）。", n=issued, skipped=len(already)),
          "success")  # fmt: skip
    return redirect(url_for("credentials.achievement", public_id=public_id))


def _issue_bulk_batch(achievement, rows: list[bulk.CsvRow], key_of: dict[int, str], already: set[str]):
    """One slice of the previewed rows, for the page's progress bar: the script posts the same rows with
    `batch_start` and `batch_size` until every row is done, and shows the running count. Rows are keyed,
    so a retried or repeated slice issues nothing twice."""
    try:
        start = max(int(request.form.get("batch_start", "0")), 0)
        size = min(max(int(request.form.get("batch_size", "0")), 1), BULK_BATCH)
    except ValueError:
        raise Invalid.on("batch_start", _("範囲の指定が正しくありません。")) from None
    window = rows[start : start + size]
    pending = [(row.award, key_of[row.line]) for row in window if row.is_valid and key_of[row.line] not in already]
    issuing.issue_credentials(db.session, current_actor(), achievement, pending, issuer_context())
    db.session.commit()
    done = start + len(window) >= len(rows)
    if done:  # the summary the one-request path shows, on the page the script goes to next
        try:  # the script's running total of what earlier slices reported: a display figure only
            issued = max(int(request.form.get("issued_so_far", "0")), 0) + len(pending)
        except ValueError:
            issued = len(pending)
        valid = sum(1 for row in rows if row.is_valid)
        flash(_("%(n)d件のバッジを発行しました（発行済みで飛ばした行：%(skipped)d）。", n=issued,
                skipped=max(valid - issued, 0)), "success")  # fmt: skip
    return jsonify(
        {
            "rows": len(window),
            "issued": len(pending),
            "skipped": sum(1 for row in window if row.is_valid and key_of[row.line] in already),
            "invalid": sum(1 for row in window if not row.is_valid),
            "total_rows": len(rows),
            "done": done,
        }
    )


@bp.post("/achievements/<public_id>/revoke")
@login_required
def revoke_selected(public_id: str):
    achievement = achievements.get_achievement(db.session, public_id)
    require(current_actor(), "issue", achievement.organisation)
    form = RevokeForm()
    selected = request.form.getlist("credential")[:1000]
    if not form.validate_on_submit() or not selected:
        flash(_("取り消すバッジを選び、理由を入力してください。"), "error")
        return redirect(url_for("credentials.achievement", public_id=public_id))
    count = revocation.revoke_many(db.session, current_actor(), achievement, selected, form.reason.data)
    db.session.commit()
    flash(_("%(n)d件のバッジを取り消しました。", n=count), "info")
    return redirect(url_for("credentials.achievement", public_id=public_id))


# ---- endorsements ------------------------------------------------------------------------------------


@bp.post("/achievements/<public_id>/endorse")
@login_required
def endorse(public_id: str):
    achievement = achievements.get_achievement(db.session, public_id)
    endorser = get_organisation(db.session, request.form.get("endorser", ""))
    try:
        endorsements.endorse(db.session, current_actor(), achievement, endorser, request.form.get("comment", ""),
                         issuer_context())  # fmt: skip
    except (Invalid, Conflict) as problem:
        flash(problem.message, "error")
        return redirect(url_for("credentials.achievement", public_id=public_id))
    db.session.commit()
    flash(_("%(name)s として推薦しました。", name=endorser.name), "success")
    return redirect(url_for("credentials.achievement", public_id=public_id))
