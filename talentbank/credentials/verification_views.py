"""Verification for anyone (the verify page), and the documents other verifiers fetch: endorsements,
issuers' DID documents and status lists."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request

from badges.datetimes import parse_datetime
from talentbank import db
from talentbank.credentials import issuers, public_verify
from talentbank.credentials.blueprint import bp, read_submission
from talentbank.credentials.context import issuer_context, issuer_context_for_host
from talentbank.credentials.forms import VerifyPageForm
from talentbank.extensions import limiter
from talentbank.lookup import by_public_id
from talentbank.models import Endorsement


@bp.get("/endorsements/<public_id>")
def endorsement(public_id: str):
    document = by_public_id(db.session, Endorsement, public_id).document
    response = jsonify(document)
    response.mimetype = "application/vc+ld+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# ---- verification for anyone ------------------------------------------------------------------------


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["VERIFY_LIMIT"], methods=["POST"])
def verify_page():
    form = VerifyPageForm()
    result = None
    submitted = _submission(form) if form.validate_on_submit() else None
    if submitted is not None:
        result = public_verify.verify_for_anyone(db.session, submitted, issuer_context())
    status = 422 if request.method == "POST" and result is None else 200
    return render_template("credentials/verify.html", form=form, result=result), status


def _submission(form: VerifyPageForm) -> dict | str | None:
    """A hosted Open Badges 2.0 badge's URL, else the pasted text or the uploaded file."""
    url = (form.assertion_url.data or "").strip()
    return url or read_submission(form)


# ---- documents other verifiers fetch ---------------------------------------------------------------


@bp.get("/issuers/<public_id>/did.json")
def did_document(public_id: str):
    document = issuers.did_document_for(db.session, public_id, issuer_context_for_host(request.host).base_url)
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
    document = issuers.signed_status_list(db.session, public_id, issuer_context_for_host(request.host))
    response = jsonify(document)
    response.mimetype = "application/vc+ld+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=60"
    response.last_modified = parse_datetime(document["validFrom"])
    response.add_etag()
    return response.make_conditional(request)
