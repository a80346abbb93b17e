"""One credential's public page and downloads (JSON, JWT, baked PNG and SVG), claiming it onto one's
profile, revoking or reissuing it, and importing (or removing) credentials from other issuers."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

import badges
from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.credentials import (
    claims,
    endorsements,
    images,
    imports,
    issuers,
    ob2,
    records,
    reissuing,
    revocation,
    verification,
)
from talentbank.credentials.blueprint import bp, read_submission
from talentbank.credentials.context import issuer_context
from talentbank.credentials.forms import ImportForm, RevokeForm
from talentbank.errors import Conflict, Invalid
from talentbank.profiles.services import own_profile
from talentbank.security import can, require
from talentbank.wallet import offers as wallet_offers
from talentbank.wallet.forms import WalletOfferForm
from talentbank.web import current_actor

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
        can_offer_to_wallet=wallet_offers.is_holder(actor, credential) and claims.is_current(credential, db.utcnow()),
        wallet_deliveries=wallet_offers.deliveries_of_credential(db.session, actor, credential),
        linkedin_url=issuers.linkedin_add_url(issuer_context().base_url, credential),
        revoke_form=RevokeForm(formdata=None),
        confirm_form=ConfirmForm(),
        wallet_form=WalletOfferForm(formdata=None),
    )


def attachment(body: bytes | str, mimetype: str, filename: str) -> Response:
    """A download: the body as an attachment named `filename`, revalidated on every use."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-cache"
    return response


def document_attachment(signed, filename: str) -> Response:
    """A signed row's document (a badge's, a learner record's) as a JSON download: a Data Integrity
    document is itself the credential (vc+ld+json); a VC-JWT's payload is plain JSON beside its JWT."""
    body = json.dumps(signed.document, ensure_ascii=False, indent=2)
    return attachment(body, "application/json" if signed.jwt else "application/vc+ld+json", filename)


@bp.get("/credentials/<public_id>/credential.json")
def download_json(public_id: str):
    return document_attachment(records.get_credential(db.session, public_id), "credential.json")


@bp.get("/credentials/<public_id>/credential.jwt")
def download_jwt(public_id: str):
    credential = records.get_credential(db.session, public_id)
    if not credential.jwt:
        return redirect(url_for("credentials.download_json", public_id=public_id))
    return attachment(credential.jwt, "application/vc+jwt", "credential.jwt")


@bp.get("/credentials/<public_id>/badge.png")
def baked_png(public_id: str):
    credential = records.get_credential(db.session, public_id)
    image = credential.achievement.image_png or images.default_png(str(credential.achievement.public_id))
    return attachment(badges.bake_png(image, records.stored_form(credential)), "image/png", "badge.png")


@bp.get("/credentials/<public_id>/badge.svg")
def baked_svg(public_id: str):
    credential = records.get_credential(db.session, public_id)
    achievement = credential.achievement
    svg = achievement.image_svg or images.default_svg(str(achievement.public_id), achievement.name)
    baked = badges.bake_svg(svg, records.stored_form(credential))
    return attachment(baked, "image/svg+xml", "badge.svg")


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


@bp.post("/credentials/<public_id>/reissue")
@login_required
def reissue(public_id: str):
    credential = records.get_credential(db.session, public_id)
    require(current_actor(), "issue", credential.achievement.organisation)
    if not ConfirmForm().validate_on_submit():
        flash(
            _("フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてもう一度お試しください。"), "error"
        )
        return redirect(url_for("credentials.show", public_id=public_id))
    try:
        new = reissuing.reissue_credential(db.session, current_actor(), credential, issuer_context())
    except Conflict as error:
        flash(error.message, "info")
        return redirect(url_for("credentials.show", public_id=public_id))
    db.session.commit()
    flash(_("バッジを再発行し、古いバッジを取り消しました。"), "success")
    return redirect(url_for("credentials.show", public_id=new.public_id))


# ---- importing credentials from other issuers ----------------------------------------------------


@bp.route("/me/credentials/import", methods=["GET", "POST"])
@login_required
def import_credential():
    profile = own_profile(db.session, current_actor())
    if profile is None:
        flash(_("先にプロフィールを作成してください。"), "info")
        return redirect(url_for("profiles.edit"))
    form = ImportForm()
    imported, result, error = [], None, None
    submitted, field = _import_submission(form) if form.validate_on_submit() else (None, "credential")
    if submitted is not None:
        try:
            imported, result = imports.import_credentials(db.session, current_actor(), profile, submitted,
                                                           issuer_context(), field=field)  # fmt: skip
        except Invalid as problem:
            if field == "assertion_url" or ob2.is_ob2(submitted):
                form.set_errors(problem.fields)  # OB 2.0: the reason, on the field it came in
            else:
                error = problem.message
        else:
            db.session.commit()
    status = 422 if request.method == "POST" and not imported else 200
    return render_template("credentials/import.html", form=form, imported=imported, result=result, error=error,
                           profile=profile), status  # fmt: skip


def _import_submission(form: ImportForm) -> tuple[dict | str | None, str]:
    """What the import form carries, and the field it came in: a hosted OB 2.0 badge's URL, else the pasted
    text or the uploaded file (read as on the verify page)."""
    url = (form.assertion_url.data or "").strip()
    if url:
        return url, "assertion_url"
    upload = request.files.get("image")
    return read_submission(form), "image" if upload is not None and upload.filename else "credential"


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
