"""Comprehensive Learner Records (CLR 2.0) over the API: an issuer issues one to a learner, anyone reads one
with its verification, and a learner lists theirs. The same services as the pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import url_for
from pydantic import Field

from talentbank import db
from talentbank.api.achievements import AchievementIssuerOut, achievement_issuer_out
from talentbank.api.core import api_actor, body, bp, operation, params
from talentbank.api.schemas import MULTI_LINE, Model, Out, PageQuery, page_of, paginate
from talentbank.api.verify import CheckOut, VerifyResult, verify_result_out
from talentbank.credentials import learner_records, verification
from talentbank.credentials.context import issuer_context
from talentbank.credentials.inputs import LearnerRecordInput
from talentbank.credentials.messages import explain
from talentbank.errors import Invalid
from talentbank.models import LearnerRecord, ProofFormat
from talentbank.organisations.services import get_organisation


class TrackIn(Model):
    name: str = Field(min_length=1, max_length=120, description="e.g. デジタル人材育成トラック")
    description: str = Field("", max_length=2000, json_schema_extra=MULTI_LINE)


class LearnerRecordIn(Model):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$",
                       description="the learner's e-mail address, as the badges were issued to it")  # fmt: skip
    achievements: list[uuid.UUID] = Field(
        min_length=1, max_length=50,
        description="the organisation's achievements to include, in track order; those the learner holds no "
        "current (unrevoked, unexpired) credential of are left out",
    )  # fmt: skip
    name: str = Field("", max_length=200, description="empty: '<organisation> 学修記録'")
    track: TrackIn | None = Field(
        None,
        description="a track: every included achievement isPartOf it, each precedes the next (CLR 2.0)",
    )
    proof_format: ProofFormat = ProofFormat.DATA_INTEGRITY


class NestedCredentialOut(Out):
    id: str | None = Field(description="the nested credential's id (its page on this site)")
    achievement: str | None = Field(description="the achievement's name")
    verification: VerifyResult


class LearnerRecordOut(Out):
    id: uuid.UUID
    name: str
    issuer: AchievementIssuerOut
    track_name: str | None
    proof_format: ProofFormat
    credentials: list[uuid.UUID] = Field(description="the credentials the record bundles, in its order")
    issued_at: datetime
    revoked: bool
    verified: bool = Field(description="the record and every credential in it verify now")
    verification: VerifyResult = Field(description="the record's own checks (its schema: CLR 2.0)")
    nested: list[NestedCredentialOut]
    document: dict[str, Any] = Field(description="the ClrCredential (for VC-JWT: the JWT's payload)")
    jwt: str | None = Field(description="the compact VC-JWT, when signed as one")
    url: str


LearnerRecordPage = page_of(LearnerRecordOut, "LearnerRecordPage")


def learner_record_out(record: LearnerRecord) -> LearnerRecordOut:
    result = verification.verify_learner_record(db.session, learner_records.stored_form(record), issuer_context())
    problems = [CheckOut(check=c.check, ok=c.ok, code=c.code, message=explain(c.code)) for c in result.problems]
    record_result = verify_result_out(result.record)
    record_result.checks += problems
    record_result.verified = record_result.verified and all(c.ok for c in result.problems)
    nested = []
    for result_of in result.nested:
        credential = result_of.credential or {}
        subject = credential.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        nested.append(
            NestedCredentialOut(
                id=credential.get("id") if isinstance(credential.get("id"), str) else None,
                achievement=achievement.get("name") if isinstance(achievement, dict) else None,
                verification=verify_result_out(result_of),
            )
        )
    return LearnerRecordOut(
        id=record.public_id,
        name=record.name,
        issuer=achievement_issuer_out(record.organisation),
        track_name=record.track_name,
        proof_format=record.proof_format,
        credentials=[uuid.UUID(text) for text in record.credential_ids],
        issued_at=record.issued_at,
        revoked=record.is_revoked,
        verified=result.verified,
        verification=record_result,
        nested=nested,
        document=record.document,
        jwt=record.jwt,
        url=url_for("credentials.learner_record", public_id=record.public_id, _external=True),
    )


@bp.post("/organisations/<organisation_id>/learner-records")
@operation(tag="credentials", scope="issue", json=LearnerRecordIn, ok=LearnerRecordOut, status=201, errors=(409,))
def issue_learner_record(organisation_id: str):
    """Issue a learner a Comprehensive Learner Record (CLR 2.0 ClrCredential) of the badges given them"""
    organisation = get_organisation(db.session, organisation_id)
    request_body = body()
    details = LearnerRecordInput(
        email=request_body.email,
        name=request_body.name,
        achievement_ids=tuple(str(a) for a in request_body.achievements),
        proof_format=request_body.proof_format.value,
        track_name=request_body.track.name if request_body.track else "",
        track_description=request_body.track.description if request_body.track else "",
    )
    try:
        record = learner_records.issue_learner_record(db.session, api_actor(), organisation, details, issuer_context())
    except Invalid as error:
        fields = {"achievement_ids": "achievements"}
        raise Invalid(error.message, {fields.get(k, k): v for k, v in error.fields.items()}) from None
    return learner_record_out(record), 201


@bp.get("/learner-records/<record_id>")
@operation(tag="credentials", public=True, ok=LearnerRecordOut)
def get_learner_record(record_id: str):
    """One learner record, with its verification and that of every credential in it"""
    return learner_record_out(learner_records.get_learner_record(db.session, record_id))


@bp.get("/me/learner-records")
@operation(tag="credentials", scope="read", query=PageQuery, ok=LearnerRecordPage)
def list_my_learner_records():
    """The learner records issued to the caller's e-mail address, newest first"""
    page = paginate(learner_records.records_of_email(db.session, api_actor().email), params())
    page["items"] = [learner_record_out(record) for record in page["items"]]
    return page


@bp.post("/learner-records/<record_id>/revoke")
@operation(tag="credentials", scope="issue", ok=LearnerRecordOut, errors=(409,))
def revoke_learner_record(record_id: str):
    """Revoke a learner record (its status bit is set; the badges in it are not revoked)"""
    record = learner_records.get_learner_record(db.session, record_id)
    learner_records.revoke_learner_record(db.session, api_actor(), record)
    return learner_record_out(record)
