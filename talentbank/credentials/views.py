from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

import badges
from badges.model import parse_datetime
from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.credentials import (
    achievements,
    bulk,
    claims,
    endorsements,
    images,
    imports,
    issuers,
    issuing,
    records,
    revocation,
    uploads,
    verification,
)
from talentbank.credentials.context import badge_image, issuer_context
from talentbank.credentials.forms import (
    FORMAT_LABELS,
    AchievementForm,
    AwardForm,
    ProfileAwardForm,
    RevokeForm,
    VerifyForm,
)
from talentbank.credentials.messages import CHECK_MESSAGES, CHECK_NAMES
from talentbank.credentials.submissions import submitted_credential
from talentbank.errors import Conflict, Invalid
from talentbank.extensions import limiter
from talentbank.lookup import by_public_id
from talentbank.models import Endorsement
from talentbank.organisations.services import get_organisation
from talentbank.profiles.services import own_profile
from talentbank.reference.services import skill_choices
from talentbank.security import can, require
from talentbank.web import current_actor

bp = Blueprint("credentials", __name__)
bp.add_app_template_global(badge_image)
BULK_BATCH = 200


@bp.app_context_processor
def _check_text():
    return {"check_names": lambda: CHECK_NAMES, "check_message": lambda code: CHECK_MESSAGES.get(code, code)}


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
            rows = bulk.parse_award_csv(bulk.decode_csv(upload.read(bulk.MAX_CSV_BYTES + 1)))
            if upload.tell() > bulk.MAX_CSV_BYTES:
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


# ---- the public credential page, downloads, claim, revoke -----------------------------------------


@bp.get("/credentials/<public_id>")
def show(public_id: str):
    credential = records.get_credential(db.session, public_id)
    result = verification.verify_credential(db.session, records.stored_form(credential), issuer_context())
    actor = current_actor()
    achievement = credential.achievement
    return render_template(
        "credentials/show.html",
        credential=credential,
        achievement=achievement,
        result=result,
        endorsements=endorsements.checked_endorsements(db.session, achievement, issuer_context()),
        now=db.utcnow(),
        can_claim=claims.can_claim(actor, credential),
        can_revoke=can(actor, "issue", achievement.organisation) and not credential.is_revoked,
        is_recipient=actor is not None and actor.email == credential.recipient_email,
        linkedin_url=issuers.linkedin_add_url(issuer_context().base_url, credential),
        revoke_form=RevokeForm(formdata=None),
        confirm_form=ConfirmForm(),
    )


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/credentials/<public_id>/credential.json")
def download_json(public_id: str):
    credential = records.get_credential(db.session, public_id)
    body = json.dumps(credential.document, ensure_ascii=False, indent=2)
    return _download(body, "application/vc+ld+json" if not credential.jwt else "application/json", "credential.json")


@bp.get("/credentials/<public_id>/credential.jwt")
def download_jwt(public_id: str):
    credential = records.get_credential(db.session, public_id)
    if not credential.jwt:
        return redirect(url_for("credentials.download_json", public_id=public_id))
    return _download(credential.jwt, "application/vc+jwt", "credential.jwt")


@bp.get("/credentials/<public_id>/badge.png")
def baked_png(public_id: str):
    credential = records.get_credential(db.session, public_id)
    image = credential.achievement.image_png or images.default_png(str(credential.achievement.public_id))
    return _download(badges.bake_png(image, records.stored_form(credential)), "image/png", "badge.png")


@bp.get("/credentials/<public_id>/badge.svg")
def baked_svg(public_id: str):
    credential = records.get_credential(db.session, public_id)
    achievement = credential.achievement
    svg = achievement.image_svg or images.default_svg(str(achievement.public_id), achievement.name)
    baked = badges.bake_svg(svg, records.stored_form(credential))
    return _download(baked, "image/svg+xml", "badge.svg")


@bp.post("/credentials/<public_id>/claim")
@login_required
def claim(public_id: str):
    credential = records.get_credential(db.session, public_id)
    profile = own_profile(db.session, current_actor())
    if profile is None:
        flash(_("バッジを受け取るには、先にプロフィールを作成してください。"), "info")
        return redirect(url_for("profiles.edit"))
    try:
        claims.claim_credential(db.session, current_actor(), credential, profile)
    except Conflict as error:
        flash(error.message, "info")
        return redirect(url_for("credentials.show", public_id=public_id))
    db.session.commit()
    flash(_("バッジをプロフィールに追加しました。スキルが「バッジで検証」になりました。"), "success")
    return redirect(url_for("profiles.show", public_id=profile.public_id))


@bp.post("/credentials/<public_id>/revoke")
@login_required
def revoke(public_id: str):
    credential = records.get_credential(db.session, public_id)
    require(current_actor(), "issue", credential.achievement.organisation)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("取り消しの理由を入力してください。"), "error")
        return redirect(url_for("credentials.show", public_id=public_id))
    revocation.revoke_credential(db.session, current_actor(), credential, form.reason.data)
    db.session.commit()
    flash(_("バッジを取り消しました。"), "info")
    return redirect(url_for("credentials.show", public_id=public_id))


# ---- importing credentials from other issuers ----------------------------------------------------


@bp.route("/me/credentials/import", methods=["GET", "POST"])
@login_required
def import_credential():
    profile = own_profile(db.session, current_actor())
    if profile is None:
        flash(_("先にプロフィールを作成してください。"), "info")
        return redirect(url_for("profiles.edit"))
    form = VerifyForm()
    imported = result = error = None
    submitted = _read_submission(form) if form.validate_on_submit() else None
    if submitted is not None:
        try:
            imported, result = imports.import_credential(db.session, current_actor(), profile, submitted,
                                                          issuer_context())  # fmt: skip
        except Invalid as problem:
            error = problem.message
        else:
            db.session.commit()
    status = 422 if request.method == "POST" and not imported else 200
    return render_template("credentials/import.html", form=form, imported=imported, result=result, error=error,
                           profile=profile), status  # fmt: skip


@bp.post("/me/credentials/imported/<public_id>/delete")
@login_required
def remove_imported(public_id: str):
    profile = own_profile(db.session, current_actor())
    if profile is None or not ConfirmForm().validate_on_submit():
        return redirect(url_for("main.dashboard"))
    imports.remove_imported(db.session, current_actor(), profile, public_id)
    db.session.commit()
    flash(_("取り込んだ証明書を外しました。"), "info")
    return redirect(url_for("profiles.show", public_id=profile.public_id))


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


@bp.get("/endorsements/<public_id>")
def endorsement(public_id: str):
    document = by_public_id(db.session, Endorsement, public_id).document
    response = jsonify(document)
    response.mimetype = "application/vc+ld+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# ---- verification for anyone ------------------------------------------------------------------------


def _read_submission(form: VerifyForm) -> dict | str | None:
    """The credential from the pasted text or uploaded file; None (with the error on the form) when unreadable."""
    try:
        submitted = submitted_credential(form.credential.data, request.files.get("image"))
    except Invalid as error:
        form.set_errors(error.fields)
        return None
    if submitted is None:
        form.set_errors({"credential": _("証明書を貼り付けるか、ファイルを選んでください。")})
    return submitted


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["VERIFY_LIMIT"], methods=["POST"])
def verify_page():
    form = VerifyForm()
    result = None
    submitted = _read_submission(form) if form.validate_on_submit() else None
    if submitted is not None:
        result = verification.verify_credential(db.session, submitted, issuer_context())
    status = 422 if request.method == "POST" and result is None else 200
    return render_template("credentials/verify.html", form=form, result=result), status


# ---- documents other verifiers fetch ---------------------------------------------------------------


@bp.get("/issuers/<public_id>/did.json")
def did_document(public_id: str):
    document = issuers.did_document_for(db.session, public_id, issuer_context().base_url)
    response = jsonify(document)
    response.mimetype = "application/did+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/status/<public_id>")
def status_list(public_id: str):
    """The signed list, public and cacheable for 60 s. It is deterministic (a list's bytes change only
    when a bit does), so its ETag is its content's hash and Last-Modified its validFrom; conditional
    requests get 304."""
    document = issuers.signed_status_list(db.session, public_id, issuer_context())
    response = jsonify(document)
    response.mimetype = "application/vc+ld+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=60"
    response.last_modified = parse_datetime(document["validFrom"])
    response.add_etag()
    return response.make_conditional(request)
