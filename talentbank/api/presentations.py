"""Presentations over the API (#16): ask for a presentation request (to attach badges to one's application, or
to import them), the wallet's response endpoint, the result, and an application's presented badges for the
host. The same services as the pages; the response answers with OpenID4VP's error codes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation
from talentbank.api.schemas import Model, Out
from talentbank.credentials.context import issuer_context
from talentbank.db import utcnow
from talentbank.errors import NotFound
from talentbank.models import PresentationPurpose, PresentationRequest
from talentbank.projects import applications
from talentbank.security import can
from talentbank.wallet import presentations
from talentbank.wallet.presentation_views import answer


class PresentationRequestIn(Model):
    purpose: Literal["application", "import"] = Field(
        description="application: badges attached to one of your applications; import: into your profile"
    )
    application_id: uuid.UUID | None = Field(default=None, description="your application (purpose application)")

    @model_validator(mode="after")
    def _application_named(self) -> PresentationRequestIn:
        if (self.purpose == "application") != (self.application_id is not None):
            raise ValueError("application_id goes with purpose application, and only with it")
        return self


class PresentedBadgeOut(Out):
    name: str
    issuer: str
    verified: bool
    problems: list[str] = Field(description="failed check codes (subject_not_holder: not bound to the holder)")
    reasons: list[str] = Field(description="the same, as sentences in the request's language")
    imported: uuid.UUID | None = Field(description="the imported credential it became (purpose import)")


class PresentationOut(Out):
    id: uuid.UUID
    purpose: PresentationPurpose
    application_id: uuid.UUID | None
    status: Literal["pending", "expired", "received"]
    expires_at: datetime
    received_at: datetime | None
    holder_did: str | None = Field(description="the DID whose key signed the presentation")
    verified: bool | None = Field(description="every presented credential verified and bound to the holder")
    badges: list[PresentedBadgeOut]


class CreatedPresentationRequestOut(PresentationOut):
    challenge: str = Field(description="the single-use nonce the holder signs (Data Integrity challenge, JWT nonce)")
    domain: str = Field(description="the site: Data Integrity domain, VP-JWT aud and OpenID4VP client_id")
    response_uri: str = Field(description="where the wallet posts the presentation (direct_post)")
    openid4vp_uri: str = Field(description="the OpenID4VP request by value (openid4vp://?…), for a QR code")
    authorization_request: dict[str, Any] = Field(description="the OpenID4VP request object")
    verifiable_presentation_request: dict[str, Any] = Field(description="DIDAuth: the VP Request with challenge")


class PresentationResponseIn(Model):
    vp_token: dict[str, Any] | str | None = Field(default=None, description="OpenID4VP: a VP-JWT, a VP, or DCQL ids")
    verifiablePresentation: dict[str, Any] | None = Field(default=None, description="VC-API exchange style")  # noqa: N815
    presentation: dict[str, Any] | str | None = None
    state: str | None = Field(default=None, max_length=64)


class PresentationResponseOut(Out):
    """The verdict on a presentation, or (for an empty body) the request, as a VC-API exchange begins."""

    verified: bool | None = None
    holder: str | None = None
    credentials: list[PresentedBadgeOut] = Field(default_factory=list)
    redirect_uri: str | None = Field(default=None, description="the person's page with the result")
    verifiablePresentationRequest: dict[str, Any] | None = None  # noqa: N815
    error: str | None = None
    error_description: str | None = None


class PresentationList(Out):
    items: list[PresentationOut]


def presentation_out(request: PresentationRequest, now: datetime) -> dict[str, Any]:
    status = "received" if request.used_at else "expired" if request.expires_at <= now else "pending"
    badges = [{**v, "reasons": [presentations.reason(c) for c in v["problems"]]} for v in request.result or []]
    return {"id": request.public_id, "purpose": request.purpose,
            "application_id": request.application.public_id if request.application else None, "status": status,
            "expires_at": request.expires_at, "received_at": request.used_at, "holder_did": request.holder_did,
            "verified": request.verified, "badges": badges}  # fmt: skip


@bp.post("/me/presentation-requests")
@operation(tag="credentials", scope="write", json=PresentationRequestIn, ok=CreatedPresentationRequestOut,
           status=201, errors=(404, 409))  # fmt: skip
def create_presentation_request():
    """Ask for a presentation from your wallet: to attach badges to your application, or to import them; show
    `openid4vp_uri` as a QR code or hand the wallet `verifiable_presentation_request` (10 minutes, single use)"""
    given = body()
    application = None
    if given.purpose == "application":
        application = applications.get_application(db.session, str(given.application_id))
    created = presentations.create_request(db.session, api_actor(), PresentationPurpose(given.purpose),
                                           issuer_context().base_url, application=application)  # fmt: skip
    request = created.request
    out = CreatedPresentationRequestOut(
        **presentation_out(request, request.created_at),
        challenge=request.challenge,
        domain=request.domain,
        response_uri=created.authorization_request["response_uri"],
        openid4vp_uri=created.uri,
        authorization_request=created.authorization_request,
        verifiable_presentation_request=created.verifiable_presentation_request,
    )
    return out, 201


@bp.get("/me/presentation-requests/<request_id>")
@operation(tag="credentials", scope="read", ok=PresentationOut)
def get_presentation_request(request_id: str):
    """One of your presentation requests: pending, expired, or received with each badge's verdict"""
    return PresentationOut(**presentation_out(presentations.get_request(db.session, api_actor(), request_id), utcnow()))


@bp.post("/presentation-requests/<request_id>/response")
@operation(tag="credentials", public=True, json=PresentationResponseIn, ok=PresentationResponseOut, status=(200, 400))
def respond_to_presentation_request(request_id: str):
    """The wallet's answer (the same as the request's `response_uri`): one presentation, a Data Integrity VP or a
    VP-JWT. Refusals are 400 with OpenID4VP's `error` (invalid_request) and a reason; a used or expired request
    is refused (no replay); a presentation whose badges do not all verify is kept, and answered 400 with each"""
    given = body()
    found = given.vp_token or given.verifiablePresentation or given.presentation
    return answer(request_id, (found, given.state) if found is not None else None)


@bp.get("/applications/<application_id>/presentations")
@operation(tag="projects", scope="read", ok=PresentationList)
def list_application_presentations(application_id: str):
    """The badges presented for an application, newest first: for the applicant and the posting organisation"""
    application = applications.get_application(db.session, application_id)
    actor = api_actor()
    if application.profile.user_id != actor.id and not can(actor, "post_project", application.project.organisation):
        raise NotFound()
    received = presentations.presentations_of_application(db.session, application)
    return PresentationList(items=[PresentationOut(**presentation_out(request, utcnow())) for request in received])
