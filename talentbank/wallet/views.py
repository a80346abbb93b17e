"""The routes: the offer pages for the holder (of a badge, of a learner record), the metadata documents and
the three OpenID4VCI endpoints."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from talentbank import db
from talentbank.credentials import learner_records, records
from talentbank.credentials.context import issuer_context
from talentbank.errors import Conflict
from talentbank.extensions import csrf, limiter
from talentbank.wallet import exchange, metadata, offers
from talentbank.wallet.forms import WalletOfferForm
from talentbank.wallet.qr import qr_svg
from talentbank.web import current_actor

bp = Blueprint("wallet", __name__)
protocol_bp = Blueprint("oid4vci", __name__)
csrf.exempt(protocol_bp)  # wallets send no cookies: the code, the access token and the proof are the checks


def limit_protocol_posts(blueprint: Blueprint) -> None:
    """Each POST endpoint of a wallet protocol blueprint counts per IP (WALLET_PROTOCOL_LIMIT): they take no
    account, and the presentation check is costly."""
    limiter.limit(lambda: current_app.config["WALLET_PROTOCOL_LIMIT"], methods=["POST"])(blueprint)


limit_protocol_posts(protocol_bp)
MAX_REQUEST_BYTES = 64 * 1024  # a token request is a few fields, a credential request one proof of <= 8 kB


def _nonce_secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


@bp.post("/credentials/<public_id>/wallet")
@login_required
def offer(public_id: str):
    credential = records.get_credential(db.session, public_id)
    back_url = url_for("credentials.show", public_id=public_id)
    form = WalletOfferForm()
    if not form.validate_on_submit():
        return redirect(back_url)
    try:
        created = offers.create_offer(db.session, current_actor(), credential, issuer_context().base_url,
                                      with_tx_code=form.with_tx_code)  # fmt: skip
    except Conflict as error:
        flash(error.message, "error")
        return redirect(back_url)
    db.session.commit()
    return _offer_page(created, credential.achievement.name, back_url, is_record=False)


@bp.post("/learner-records/<public_id>/wallet")
@login_required
def offer_learner_record(public_id: str):
    record = learner_records.get_learner_record(db.session, public_id)
    back_url = url_for("credentials.learner_record", public_id=public_id)
    form = WalletOfferForm()
    if not form.validate_on_submit():
        return redirect(back_url)
    try:
        created = offers.create_record_offer(db.session, current_actor(), record, issuer_context().base_url,
                                             with_tx_code=form.with_tx_code)  # fmt: skip
    except Conflict as error:
        flash(error.message, "error")
        return redirect(back_url)
    db.session.commit()
    return _offer_page(created, record.name, back_url, is_record=True)


def _offer_page(created: offers.CreatedOffer, offered_name: str, back_url: str, *, is_record: bool):
    page = render_template("wallet/offer.html", created=created, offered_name=offered_name, back_url=back_url,
                           is_record=is_record, qr=qr_svg(created.uri))  # fmt: skip
    response = current_app.make_response(page)
    response.headers["Cache-Control"] = "no-store"  # the page holds the code
    return response


def _protocol_json(document: Any, status: int = 200):
    response = jsonify(document)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(error: exchange.OAuthError):
    response = _protocol_json({"error": error.code, "error_description": error.description}, error.status)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{error.code}"'
    return response


def _http_error(status: int, code: str):
    """An HTTP error on a protocol path (too large, wrong method, unreadable body) as the protocol's error."""
    if status >= 500:
        return _error(exchange.OAuthError(status, "server_error", "the issuer could not answer"))
    malformed = "invalid_credential_request" if request.path == metadata.CREDENTIAL_PATH else "invalid_request"
    if status == 422:  # the text rule's refusal (web.py): a control character or the like in a field
        return _error(exchange.OAuthError(400, malformed, "a field holds a character that is not allowed"))
    return _error(exchange.OAuthError(status, malformed, code.replace("_", " ")))


@protocol_bp.record_once
def _register_protocol_errors(state) -> None:
    state.app.extensions.setdefault("protocol_errors", {})["/oid4vci/"] = _http_error


@protocol_bp.url_value_preprocessor  # runs before every before_request, which may read the form
def _limit_request_size(endpoint: str | None, values: dict[str, Any] | None) -> None:
    request.max_content_length = MAX_REQUEST_BYTES
    request.max_form_memory_size = MAX_REQUEST_BYTES


@protocol_bp.get("/.well-known/openid-credential-issuer")
def issuer_metadata():
    names = {"ja": "北海道デジタル人材バンク", "en": "Hokkaido Digital Talent Bank"}
    badge = {"ja": "オープンバッジ", "en": "Open Badge"}
    record = {"ja": "学修記録（CLR）", "en": "Comprehensive Learner Record"}
    return _protocol_json(metadata.issuer_metadata(issuer_context().base_url, names, badge, record))


@protocol_bp.get("/.well-known/oauth-authorization-server")
def authorization_server_metadata():
    return _protocol_json(metadata.authorization_server_metadata(issuer_context().base_url))


@protocol_bp.post(metadata.TOKEN_PATH)
def token():
    try:
        issued = exchange.redeem_code(db.session, request.form.get("grant_type"),
                                      request.form.get("pre-authorized_code"), request.form.get("tx_code"))  # fmt: skip
    except exchange.OAuthError as error:
        db.session.commit()  # a wrong transaction code is counted
        return _error(error)
    db.session.commit()
    return _protocol_json({"access_token": issued.token, "token_type": "Bearer", "expires_in": issued.expires_in})


@protocol_bp.post(metadata.NONCE_PATH)
def nonce():
    return _protocol_json({"c_nonce": exchange.new_nonce(_nonce_secret())})


@protocol_bp.post(metadata.CREDENTIAL_PATH)
def credential():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        _, signed = exchange.deliver_credential(db.session, token if scheme.lower() == "bearer" else None,
                                                request.get_json(silent=True), issuer_context(),
                                                _nonce_secret())  # fmt: skip
    except exchange.OAuthError as error:
        db.session.rollback()
        return _error(error)
    db.session.commit()
    return _protocol_json({"credentials": [{"credential": signed}]})
