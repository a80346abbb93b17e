"""The credentials blueprint (endpoints `credentials.*`) and what its route modules share: the badge
image helper and the names of verification checks for the templates, and reading a submitted
credential. The routes are in `views` (issuers, achievements, awarding), `credential_views` (one
credential, claiming, importing) and `verification_views` (verifying, and what other verifiers fetch)."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from talentbank.credentials.context import badge_image
from talentbank.credentials.forms import VerifyForm
from talentbank.credentials.messages import CHECK_MESSAGES, CHECK_NAMES
from talentbank.credentials.submissions import submitted_credential
from talentbank.errors import Invalid

bp = Blueprint("credentials", __name__)
bp.add_app_template_global(badge_image)


@bp.app_context_processor
def _check_text():
    return {"check_names": lambda: CHECK_NAMES, "check_message": lambda code: CHECK_MESSAGES.get(code, code)}


def read_submission(form: VerifyForm) -> dict | str | None:
    """The credential from the pasted text or uploaded file; None (with the error on the form) when unreadable."""
    try:
        submitted = submitted_credential(form.credential.data, request.files.get("image"))
    except Invalid as error:
        form.set_errors(error.fields)
        return None
    if submitted is None:
        form.set_errors({"credential": _("証明書を貼り付けるか、ファイルを選んでください。")})
    return submitted
