"""Public verification over the API: `POST /verify` checks any Open Badges 3.0 credential (a JSON document,
a VC-JWT, or a baked PNG/SVG image) with the same service as the verify page. Its result models and the
reading of a submitted credential are shared with reading a credential (`credentials`) and importing one
(`imports`)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from pydantic import Field
from spectree.model_adapter.pydantic_adapter import BaseFile

import badges
from talentbank import db
from talentbank.api.core import body, bp, operation, upload
from talentbank.api.schemas import MULTI_LINE, Model, Out
from talentbank.credentials import public_verify
from talentbank.credentials.context import issuer_context
from talentbank.credentials.messages import explain
from talentbank.credentials.submissions import submitted_credential
from talentbank.errors import Invalid
from talentbank.extensions import limiter


class VerifyRequest(Model):
    credential: dict[str, Any] | str = Field(
        description="an OpenBadgeCredential or ClrCredential as a JSON object (Data Integrity proof) or a VC-JWT "
        "string; or an Open Badges 2.0 assertion (its JSON, a signed JWS, or the hosted assertion's https URL)",
        json_schema_extra=MULTI_LINE,
    )


class VerifyUpload(Model):
    image: BaseFile = Field(
        description="a file holding the credential: a baked PNG or SVG badge image, a credential.json (the JSON "
        "document) or a credential.jwt (the compact VC-JWT); recognised by its content, not its name"
    )


class CheckOut(Out):
    check: str = Field(description="parse, schema, proof, issuer, validity, status or recipient")
    ok: bool
    code: str = Field(description="machine-readable outcome, e.g. proof.ok or status.revoked")
    message: str = Field(description="the outcome in the caller's language")


class VerifyResult(Out):
    verified: bool
    checks: list[CheckOut]


def verify_result_out(result: badges.VerificationResult) -> VerifyResult:
    return VerifyResult(
        verified=result.verified,
        checks=[
            CheckOut(check=check.check, ok=check.ok, code=check.code, message=explain(check.code))
            for check in result.checks
        ],
    )


def submitted_in_request() -> Any:
    """The credential a verify or import request carries: JSON {"credential": …}, or the multipart file
    `image` (a baked badge image, credential.json or credential.jwt). An unreadable file is a 422 on `image`."""
    if upload() is None:
        return body().credential
    submitted = submitted_credential(None, upload().image)
    if submitted is None:
        raise Invalid.on("image", _("ファイルを選んでください。"))
    return submitted


@bp.post("/verify")
@limiter.limit(lambda: current_app.config["VERIFY_LIMIT"])
@operation(tag="credentials", public=True, json=VerifyRequest, form=VerifyUpload, ok=VerifyResult, errors=(413,))
def verify():
    """Verify a credential: JSON {"credential": …}, or a file (baked PNG/SVG, .json, .jwt) as multipart `image`.
    A CLR 2.0 learner record gets its own checks and one per badge it holds (`nested`); an Open Badges 2.0
    badge (its hosted URL, JSON or JWS) is checked by the OB 2.0 rules, with no recipient to expect"""
    submitted = submitted_in_request()
    return verify_result_out(public_verify.verify_for_anyone(db.session, submitted, issuer_context()))
