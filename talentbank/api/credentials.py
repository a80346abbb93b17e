"""Credentials over the API: issuing (one at a time, or in bulk with an Idempotency-Key), revoking,
listing, reading one with its verification, and claiming. Every operation calls the same services as the
pages."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import request, url_for
from flask_babel import gettext as _
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from talentbank import db
from talentbank.api.achievements import (
    AchievementIssuerOut,
    AchievementSummaryOut,
    EndorsementOut,
    achievement_issuer_out,
    achievement_summary_fields,
    endorsements_out,
)
from talentbank.api.core import api_actor, body, bp, operation, params
from talentbank.api.schemas import MULTI_LINE, Email, Model, Out, PageQuery, page_of, paginate, paginate_sql
from talentbank.api.verify import VerifyResult, verify_result_out
from talentbank.credentials import achievements, bulk, claims, issuing, records, reissuing, revocation, verification
from talentbank.credentials.context import issuer_context
from talentbank.credentials.inputs import AwardInput
from talentbank.errors import Conflict, Invalid
from talentbank.models import Credential, IdempotencyKey
from talentbank.profiles.services import own_profile
from talentbank.security import require

BULK_MAX_ROWS = 1000

# ---- output --------------------------------------------------------------------------------------------

CredentialStatus = Literal["active", "revoked", "expired"]


class CredentialSummaryOut(Out):
    id: uuid.UUID
    achievement_id: uuid.UUID
    achievement_name: str
    issuer_name: str
    recipient_name: str
    status: CredentialStatus = Field(description="active, revoked (by the issuer) or expired")
    claimed: bool = Field(description="the recipient has put it on their profile")
    issued_at: datetime
    valid_until: datetime | None
    revoked_at: datetime | None
    url: str = Field(description="the public credential page")
    json_url: str = Field(description="the credential as JSON (the signed document, or the JWT's payload)")
    jwt_url: str | None = Field(description="the VC-JWT (credentials in the jwt proof format only)")


class CredentialDetailOut(Out):
    id: uuid.UUID
    achievement: AchievementSummaryOut
    criteria: str
    issuer: AchievementIssuerOut
    recipient_name: str
    status: CredentialStatus = Field(description="active, revoked (by the issuer) or expired")
    issued_at: datetime
    valid_until: datetime | None
    revoked_at: datetime | None
    revocation_reason: str | None
    verification: VerifyResult = Field(description="every check, as the public page shows them")
    can_claim: bool = Field(description="the caller is the recipient and may put it on their profile now")
    url: str
    json_url: str
    jwt_url: str | None
    png_url: str = Field(description="the badge image with the credential baked in")
    svg_url: str
    document: dict[str, Any] = Field(description="the stored OpenBadgeCredential (for VC-JWT: the signed payload)")
    jwt: str | None = Field(description="the compact VC-JWT, for credentials in the jwt proof format")
    endorsements: list[EndorsementOut] = Field(
        description="the achievement's endorsements by other organisations, each verified now"
    )


CredentialPage = page_of(CredentialSummaryOut, "CredentialPage")


def _status(credential: Credential) -> CredentialStatus:
    if credential.revoked_at is not None:
        return "revoked"
    if credential.valid_until is not None and credential.valid_until <= db.utcnow():
        return "expired"
    return "active"


def _links(credential: Credential) -> dict[str, Any]:
    public_id = credential.public_id
    return {
        "url": url_for("credentials.show", public_id=public_id, _external=True),
        "json_url": url_for("credentials.download_json", public_id=public_id, _external=True),
        "jwt_url": url_for("credentials.download_jwt", public_id=public_id, _external=True) if credential.jwt else None,
    }


def credential_summary_out(credential: Credential) -> CredentialSummaryOut:
    achievement = credential.achievement
    return CredentialSummaryOut(
        id=credential.public_id,
        achievement_id=achievement.public_id,
        achievement_name=achievement.name,
        issuer_name=achievement.organisation.name,
        recipient_name=credential.recipient_name,
        status=_status(credential),
        claimed=credential.claimed_at is not None,
        issued_at=credential.issued_at,
        valid_until=credential.valid_until,
        revoked_at=credential.revoked_at,
        **_links(credential),
    )


# ---- issuing -------------------------------------------------------------------------------------------


def _evidence_url(value: str) -> str:
    parts = urlsplit(value)
    if value and (parts.scheme not in {"http", "https"} or "." not in parts.netloc):
        raise PydanticCustomError("url", str(_("URLの形式が正しくありません。")))
    return value


EvidenceUrl = Annotated[str, Field(max_length=500, description="http(s) URL of the work, optional"),
                        AfterValidator(_evidence_url)]  # fmt: skip
Narrative = Annotated[
    str, Field(max_length=2000, description="the issuer's comment on the work, optional", json_schema_extra=MULTI_LINE)
]


class AwardIn(Model):
    """Give exactly one of `email` (with `name`) or `profile`."""

    email: Email | None = Field(None, description="the recipient's e-mail address (they are mailed a claim link)")
    name: str | None = Field(None, min_length=1, max_length=80, description="the recipient's name (with email)")
    profile: str | None = Field(
        None,
        min_length=1,
        max_length=300,
        description="instead of email: a talent-bank profile's id or URL; its e-mail address stays hidden",
    )
    evidence_url: EvidenceUrl = ""
    narrative: Narrative = ""


@bp.post("/achievements/<achievement_id>/credentials")
@operation(tag="credentials", scope="issue", json=AwardIn, ok=CredentialSummaryOut, status=201, errors=(409,))
def award_credential(achievement_id: str):
    """Award an achievement to one person, by e-mail address or by profile; they are mailed a claim link"""
    achievement = achievements.get_achievement(db.session, achievement_id)
    actor = api_actor()
    require(actor, "issue", achievement.organisation)
    award = body()
    if (award.email is None) == (award.profile is None):
        raise Invalid.on("email", _("メールアドレスかプロフィールのどちらか一方を指定してください。"))
    if award.profile is not None:
        credential = issuing.award_to_profile(
            db.session, actor, achievement, award.profile, award.evidence_url, award.narrative, issuer_context()
        )
    else:
        if not award.name:
            raise Invalid.on("name", _("入力してください。"))
        details = AwardInput(
            email=award.email, name=award.name, evidence_url=award.evidence_url, narrative=award.narrative
        )
        credential = issuing.issue_credential(db.session, actor, achievement, details, issuer_context())
    return credential_summary_out(credential), 201


class BulkAwardRowIn(Model):
    email: str = Field(min_length=1, max_length=254)
    name: str = Field(min_length=1, max_length=80)
    evidence_url: str = Field("", max_length=500, description="http(s) URL, optional")
    narrative: str = Field("", max_length=2000, json_schema_extra=MULTI_LINE)


class BulkAwardIn(Model):
    rows: list[BulkAwardRowIn] = Field(min_length=1, max_length=BULK_MAX_ROWS)


class IdempotencyHeaders(BaseModel):
    model_config = ConfigDict(extra="ignore")

    idempotency_key: str = Field(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=r"^[!-~]+$",
        description="a unique value per batch, chosen by the caller (e.g. a UUID). Sending it again with the "
        "same body replays the first response; with another body it is refused (422).",
    )


class BulkAwardRowOut(Out):
    row: int = Field(description="0-based position in `rows`")
    credential_id: uuid.UUID
    issued: bool = Field(description="false: this row had been awarded before, and nothing was issued again")
    url: str


class BulkAwardOut(Out):
    issued: int = Field(description="credentials issued now")
    already_issued: int = Field(description="rows awarded before (same e-mail, name, evidence and narrative)")
    credentials: list[BulkAwardRowOut]


IDEMPOTENCY_WINDOW = timedelta(hours=24)


def _fingerprint() -> str:
    canonical = json.dumps(body().model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def _claim_idempotency_key(key: str) -> tuple[IdempotencyKey | None, IdempotencyKey | None]:
    """(the new row for this request, None), or (None, the earlier request's row) to replay.

    Inserting first serialises concurrent requests with one key: a second insert waits on the unique
    constraint (PostgreSQL) or the write lock (SQLite) until the first request commits, then fails.
    """
    user_id = api_actor().id
    fingerprint = _fingerprint()
    # Keys are kept for a day (the retry window), then forgotten: a caller's old keys go on their next use.
    db.session.execute(
        sa.delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.created_at < db.utcnow() - IDEMPOTENCY_WINDOW
        )
    )
    claimed = IdempotencyKey(user_id=user_id, key=key, request_fingerprint=fingerprint)
    try:
        with db.session.begin_nested():
            db.session.add(claimed)
    except sa.exc.IntegrityError:
        earlier = db.session.scalar(
            sa.select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        )
        if earlier is None or earlier.response_status is None:  # only if the first request is still running
            raise Conflict(
                _("同じ Idempotency-Key のリクエストを処理中です。少し待ってから送り直してください。")
            ) from None
        if earlier.request_fingerprint != fingerprint:
            raise Invalid.on(
                "Idempotency-Key", _("この Idempotency-Key は別の内容のリクエストで使われています。")
            ) from None
        return None, earlier
    return claimed, None


@bp.post("/achievements/<achievement_id>/credentials/bulk")
@operation(tag="credentials", scope="issue", json=BulkAwardIn, headers=IdempotencyHeaders, ok=BulkAwardOut,
           status=201, errors=(409,))  # fmt: skip
def award_credentials_in_bulk(achievement_id: str):
    """Award an achievement to many people: every row is checked first, and any bad row means none is issued"""
    claimed, earlier = _claim_idempotency_key(request.context.headers.idempotency_key)
    if earlier is not None:
        return earlier.response_body, earlier.response_status
    achievement = achievements.get_achievement(db.session, achievement_id)
    actor = api_actor()
    require(actor, "issue", achievement.organisation)
    rows = bulk.check_rows(
        [(n, [r.email, r.name, r.evidence_url, r.narrative]) for n, r in enumerate(body().rows, start=1)]
    )
    problems = {f"rows.{row.line - 1}": " ".join(row.errors) for row in rows if not row.is_valid}
    if problems:
        raise Invalid(_("誤りのある行があります。どの行も発行していません。"), problems)
    keys = [row.idempotency_key(str(achievement.public_id)) for row in rows]
    already = issuing.issued_keys(db.session, achievement, keys)
    try:
        credentials = issuing.issue_credentials(
            db.session, actor, achievement, [(row.award, key) for row, key in zip(rows, keys, strict=True)],
            issuer_context(),
        )  # fmt: skip
    except sa.exc.IntegrityError:  # the same rows, sent at the same moment under another Idempotency-Key
        db.session.rollback()
        raise Conflict(_("同じ行を同時に発行しようとしました。もう一度送ってください。")) from None
    result = BulkAwardOut(
        issued=sum(key not in already for key in keys),
        already_issued=sum(key in already for key in keys),
        credentials=[
            BulkAwardRowOut(
                row=index,
                credential_id=credential.public_id,
                issued=key not in already,
                url=url_for("credentials.show", public_id=credential.public_id, _external=True),
            )
            for index, (credential, key) in enumerate(zip(credentials, keys, strict=True))
        ],
    )
    claimed.response_status = 201
    claimed.response_body = result.model_dump(mode="json")
    return claimed.response_body, 201


# ---- revoking, listing, reading, claiming --------------------------------------------------------------


class RevokeIn(Model):
    reason: str = Field(min_length=1, max_length=300, description="shown on the public credential page")


@bp.post("/credentials/<credential_id>/revoke")
@operation(tag="credentials", scope="issue", json=RevokeIn, ok=CredentialSummaryOut, errors=(409,))
def revoke_credential(credential_id: str):
    """Revoke a credential: its status bit is set, so every verifier sees it revoked"""
    credential = records.get_credential(db.session, credential_id)
    revocation.revoke_credential(db.session, api_actor(), credential, body().reason)
    return credential_summary_out(credential)


@bp.post("/credentials/<credential_id>/reissue")
@operation(tag="credentials", scope="issue", ok=CredentialSummaryOut, status=201, errors=(409,))
def reissue_credential(credential_id: str):
    """Reissue a credential: the same achievement to the same recipient, signed today; the old one is revoked"""
    credential = records.get_credential(db.session, credential_id)
    new = reissuing.reissue_credential(db.session, api_actor(), credential, issuer_context())
    return credential_summary_out(new), 201


@bp.get("/achievements/<achievement_id>/credentials")
@operation(tag="credentials", scope="read", query=PageQuery, ok=CredentialPage)
def list_credentials(achievement_id: str):
    """The credentials issued for an achievement, newest first (members of the issuing organisation)"""
    achievement = achievements.get_achievement(db.session, achievement_id)
    require(api_actor(), "issue", achievement.organisation)
    return paginate_sql(
        params(), records.select_credentials_of_achievement(achievement), convert=credential_summary_out
    )


@bp.get("/credentials/<credential_id>")
@operation(tag="credentials", public=True, ok=CredentialDetailOut)
def get_credential(credential_id: str):
    """One credential as its public page shows it, with its verification and the stored document"""
    credential = records.get_credential(db.session, credential_id)
    achievement = credential.achievement
    result = verification.verify_credential(db.session, records.stored_form(credential), issuer_context())
    public_id = credential.public_id
    return CredentialDetailOut(
        id=public_id,
        achievement=AchievementSummaryOut(**achievement_summary_fields(achievement)),
        criteria=achievement.criteria,
        issuer=achievement_issuer_out(achievement.organisation),
        recipient_name=credential.recipient_name,
        status=_status(credential),
        issued_at=credential.issued_at,
        valid_until=credential.valid_until,
        revoked_at=credential.revoked_at,
        revocation_reason=credential.revocation_reason,
        verification=verify_result_out(result),
        can_claim=claims.can_claim(api_actor(), credential),
        png_url=url_for("credentials.baked_png", public_id=public_id, _external=True),
        svg_url=url_for("credentials.baked_svg", public_id=public_id, _external=True),
        document=credential.document,
        jwt=credential.jwt,
        endorsements=endorsements_out(achievement),
        **_links(credential),
    )


@bp.get("/me/credentials")
@operation(tag="credentials", scope="read", query=PageQuery, ok=CredentialPage)
def list_my_credentials():
    """The credentials on the caller's profile (claimed), newest first"""
    profile = own_profile(db.session, api_actor())
    if profile is None:
        return paginate([], params())
    return paginate_sql(params(), records.select_credentials_of_profile(profile), convert=credential_summary_out)


@bp.post("/credentials/<credential_id>/claim")
@operation(tag="credentials", scope="write", ok=CredentialSummaryOut, errors=(409,))
def claim_credential(credential_id: str):
    """Put a credential addressed to the caller's (verified) e-mail address on their profile"""
    credential = records.get_credential(db.session, credential_id)
    actor = api_actor()
    profile = own_profile(db.session, actor)
    if profile is None:
        raise Conflict(_("バッジを受け取るには、先にプロフィールを作成してください。"))
    claims.claim_credential(db.session, actor, credential, profile)
    return credential_summary_out(credential)
