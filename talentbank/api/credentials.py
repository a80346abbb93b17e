"""Credentials over the API: public verification of any Open Badges 3.0 credential."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from pydantic import Field
from spectree.model_adapter.pydantic_adapter import BaseFile

import badges
from talentbank import db
from talentbank.api.core import Model, Out, body, bp, operation, upload
from talentbank.credentials import services
from talentbank.credentials.views import explain, issuer_context, submitted_credential
from talentbank.errors import Invalid
from talentbank.extensions import limiter


class VerifyRequest(Model):
    credential: dict[str, Any] | str = Field(
        description="an OpenBadgeCredential as a JSON object (Data Integrity proof) or a VC-JWT string"
    )


class VerifyUpload(Model):
    image: BaseFile = Field(description="a baked PNG or SVG badge image")


class CheckOut(Out):
    check: str = Field(description="parse, schema, proof, issuer, validity, status or recipient")
    ok: bool
    code: str = Field(description="machine-readable outcome, e.g. proof.ok or status.revoked")
    message: str = Field(description="the outcome in the caller's language")


class VerifyResult(Out):
    verified: bool
    checks: list[CheckOut]


@bp.post("/verify")
@limiter.limit(lambda: current_app.config["VERIFY_LIMIT"])
@operation(tag="credentials", public=True, json=VerifyRequest, form=VerifyUpload, ok=VerifyResult, errors=(413,))
def verify():
    """Verify a credential: JSON {"credential": …}, or a baked image as multipart field `image`"""
    if upload() is not None:
        try:
            submitted: Any = submitted_credential(None, upload().image)
        except (ValueError, badges.BadgeError):
            submitted = None
        if submitted is None:
            raise Invalid.on("image", _("画像から証明書を読み取れませんでした。"))
    else:
        submitted = body().credential
    result = services.verify_credential(db.session, submitted, issuer_context())
    return VerifyResult(
        verified=result.verified,
        checks=[
            CheckOut(check=check.check, ok=check.ok, code=check.code, message=explain(check.code))
            for check in result.checks
        ],
    )
