"""The presentation routes (#16): the person's request pages (attach badges to an application, import into
the profile, the result) and the wallet's endpoints (the OpenID4VP request object and the response
endpoint, which also answers a VC-API style exchange with the Verifiable Presentation Request)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import login_required

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.credentials.context import issuer_context
from talentbank.db import utcnow
from talentbank.extensions import csrf
from talentbank.models import PresentationPurpose
from talentbank.projects import applications
from talentbank.wallet import presentations
from talentbank.wallet.exchange import OAuthError
from talentbank.wallet.qr import qr_svg
from talentbank.wallet.views import MAX_REQUEST_BYTES, _error, _http_error, _protocol_json, bp, limit_protocol_posts
from talentbank.web import current_actor

MAX_PRESENTATION_BYTES = 4 * MAX_REQUEST_BYTES  # up to ten credentials, each a few kB
protocol_bp = Blueprint("oid4vp", __name__)
csrf.exempt(protocol_bp)  # wallets send no cookies: the request id, the challenge and the holder's proof are the checks
limit_protocol_posts(protocol_bp)


def _request_page(created: presentations.CreatedRequest):
    response = current_app.make_response(
        render_template("wallet/presentation.html", created=created, qr=qr_svg(created.uri),
                        vpr=json.dumps(created.verifiable_presentation_request, ensure_ascii=False, indent=2))
    )  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/applications/<application_id>/presentation")
@login_required
def request_for_application(application_id: str):
    application = applications.get_application(db.session, application_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("projects.show", public_id=application.project.public_id))
    created = presentations.create_request(db.session, current_actor(), PresentationPurpose.APPLICATION,
                                           issuer_context().base_url, application=application)  # fmt: skip
    db.session.commit()
    return _request_page(created)


@bp.post("/me/credentials/presentation")
@login_required
def request_for_import():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("credentials.import_credential"))
    created = presentations.create_request(db.session, current_actor(), PresentationPurpose.IMPORT,
                                           issuer_context().base_url)  # fmt: skip
    db.session.commit()
    return _request_page(created)


@bp.get("/presentations/<public_id>")
@login_required
def show(public_id: str):
    presentation = presentations.get_request(db.session, current_actor(), public_id)
    return render_template("wallet/presentation_result.html", presentation=presentation,
                           reason=presentations.reason, now=utcnow())  # fmt: skip


# ---- the wallet's side --------------------------------------------------------------------------------


@protocol_bp.record_once
def _register_protocol_errors(state) -> None:
    state.app.extensions.setdefault("protocol_errors", {})["/oid4vp/"] = _http_error


@protocol_bp.url_value_preprocessor
def _limit_request_size(endpoint: str | None, values: dict[str, Any] | None) -> None:
    request.max_content_length = MAX_PRESENTATION_BYTES
    request.max_form_memory_size = MAX_PRESENTATION_BYTES


@protocol_bp.get("/oid4vp/requests/<public_id>")
def authorization_request(public_id: str):
    try:
        pending = presentations.open_request(db.session, public_id, now=utcnow())
    except OAuthError as error:
        return _error(error)
    return _protocol_json(presentations.documents_of(pending).authorization_request)


def _one_presentation(vp_token: Any) -> Any:
    """OpenID4VP 1.0 sends a DCQL vp_token as {credential query id: [presentation]}; older wallets send one
    presentation (a JWT, or a JSON object or its text). One presentation is read."""
    if isinstance(vp_token, str) and vp_token.lstrip().startswith("{"):
        try:
            vp_token = json.loads(vp_token)
        except ValueError:
            return vp_token
    if isinstance(vp_token, dict) and "type" not in vp_token and "proof" not in vp_token:
        found = [item for value in vp_token.values() for item in (value if isinstance(value, list) else [value])]
        if len(found) != 1:
            raise OAuthError(400, "invalid_request", "send exactly one presentation")
        return found[0]
    return vp_token


def _submitted() -> tuple[Any, str | None] | None:
    """The presentation and the state posted (form or JSON); None for an empty JSON exchange start."""
    if request.form:
        return request.form.get("vp_token") or request.form.get("presentation"), request.form.get("state")
    body = request.get_json(silent=True)
    if body == {}:
        return None
    if not isinstance(body, dict):
        raise OAuthError(400, "invalid_request", "send vp_token (form or JSON) or verifiablePresentation")
    found = body.get("vp_token") or body.get("verifiablePresentation") or body.get("presentation")
    state = body.get("state")
    return found, state if isinstance(state, str) else None


def answer(public_id: str, submitted: tuple[Any, str | None] | None) -> tuple[dict[str, Any], int]:
    """The response endpoint's work (also behind the API's): the request for an empty exchange start, else the
    verdict on the presentation; a refusal is the protocol's error body (`error`, `error_description`)."""
    now = utcnow()
    try:
        if submitted is None:  # a VC-API exchange begins: answer with the request
            pending = presentations.open_request(db.session, public_id, now=now)
            return {
                "verifiablePresentationRequest": presentations.documents_of(pending).verifiable_presentation_request
            }, 200
        presentation, state = submitted
        if state is not None and state != public_id:
            raise OAuthError(400, "invalid_request", "state does not name this request")
        received = presentations.receive(db.session, public_id, _one_presentation(presentation), issuer_context(),
                                         now=now)  # fmt: skip
    except OAuthError as error:
        db.session.rollback()
        return {"error": error.code, "error_description": error.description}, error.status
    db.session.commit()
    verdicts = [{**v, "reasons": [presentations.reason(code) for code in v["problems"]]} for v in received.result or []]
    body = {"verified": received.verified, "holder": received.holder_did, "credentials": verdicts,
            "redirect_uri": received.domain + url_for("wallet.show", public_id=received.public_id)}  # fmt: skip
    if received.verified:
        return body, 200
    first = next(reason for v in verdicts for reason in v["reasons"])
    return {"error": "invalid_request", "error_description": first, **body}, 400


@protocol_bp.post("/oid4vp/response/<public_id>")
def response(public_id: str):
    try:
        submitted = _submitted()
    except OAuthError as error:
        return _error(error)
    body, status = answer(public_id, submitted)
    return _protocol_json(body, status)
