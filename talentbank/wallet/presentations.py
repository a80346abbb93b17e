"""Presentations (#16): a person asks talentbank for a presentation request (to attach badges to an
application, or to import them), their wallet posts a presentation, and talentbank verifies it.

A request is single use and expires; it is tied to one person and one purpose. A presentation is
refused as a whole (and the request stays open) when the holder's proof, the challenge or the domain does
not hold. Otherwise the request is used up and each credential's verdict is kept: it must verify (issuer
proof, status, validity), name the presenting holder and the person's e-mail. For an import, the verified
credentials become imports exactly as `imports.import_credential` keeps them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badges.presentation import PresentationResult, verify_presentation
from talentbank import audit
from talentbank.credentials import imports
from talentbank.credentials.alignments import text_of
from talentbank.credentials.issuers import IssuerContext
from talentbank.credentials.messages import CHECK_MESSAGES
from talentbank.credentials.verification import verify_credential
from talentbank.db import utcnow
from talentbank.errors import Conflict, NotFound
from talentbank.lookup import by_public_id
from talentbank.models import Application, ApplicationStatus, PresentationPurpose, PresentationRequest, User
from talentbank.profiles.services import own_profile
from talentbank.wallet import presentation_requests as documents
from talentbank.wallet.exchange import OAuthError

REQUEST_LIFETIME = timedelta(minutes=10)
OPEN_APPLICATION = (ApplicationStatus.PENDING, ApplicationStatus.ACCEPTED)

# Why a presentation or one of its credentials was refused (codes of badges.presentation and ours).
REASONS = {
    "request_unknown": _l("この提示の依頼は見つかりません。"),
    "request_expired": _l("この提示の依頼は有効期限が切れています。新しい依頼を作ってください。"),
    "challenge_used": _l("この提示の依頼はすでに使われています（同じ提示の再送は受け付けません）。"),
    "presentation_missing": _l("提示（vp_token または verifiablePresentation）がありません。"),
    "presentation_unreadable": _l("提示をJSONまたはJWTとして読み取れません。"),
    "presentation_too_large": _l("提示が大きすぎます。"),
    "not_a_presentation": _l("VerifiablePresentation ではありません。"),
    "holder_proof_missing": _l("提示に所有者の署名がありません。"),
    "holder_proof_unsupported": _l("所有者の署名の方式に対応していません（eddsa-rdfc-2022、EdDSA・ES256のJWT）。"),
    "holder_proof_purpose": _l("所有者の署名の目的が認証（authentication）ではありません。"),
    "holder_key_unresolved": _l("所有者の鍵（did:key・did:jwk）を読み取れません。"),
    "holder_proof_invalid": _l("所有者の署名が一致しません。提示が書き換えられたか、別の鍵で署名されています。"),
    "holder_mismatch": _l("提示した人（holder・iss）と署名した鍵が一致しません。"),
    "challenge_mismatch": _l("この依頼のチャレンジ（nonce）に対する提示ではありません。"),
    "domain_mismatch": _l("このサイト宛て（domain・aud）の提示ではありません。"),
    "presentation_expired": _l("提示の有効期限が切れています。"),
    "no_credentials": _l("提示にバッジの証明書が含まれていません。"),
    "too_many_credentials": _l("一度に提示できるバッジは10件までです。"),
    "subject_not_holder": _l("このバッジは提示した人（ウォレットの鍵）に結び付けられていません。"),
}


def reason(code: str) -> str:
    """The sentence for a refusal code (a verifier check code through credentials/messages.py)."""
    text = REASONS.get(code) or CHECK_MESSAGES.get(code)
    return str(text) if text is not None else code


@dataclass(frozen=True)
class CreatedRequest:
    """A request just made, with the documents a wallet reads."""

    request: PresentationRequest
    authorization_request: dict[str, Any]
    uri: str
    verifiable_presentation_request: dict[str, Any]


def documents_of(request: PresentationRequest) -> CreatedRequest:
    request_id = str(request.public_id)
    authorization = documents.authorization_request(request.domain, request_id, request.challenge)
    is_application = request.purpose is PresentationPurpose.APPLICATION
    why = _l("応募にバッジを添える") if is_application else _l("プロフィールに取り込む")
    vpr = documents.presentation_request(request.domain, request_id, request.challenge, str(why))
    return CreatedRequest(request, authorization, documents.authorization_uri(authorization), vpr)


def create_request(
    session: Session,
    actor: User,
    purpose: PresentationPurpose,
    base_url: str,
    *,
    application: Application | None = None,
    now: datetime | None = None,
) -> CreatedRequest:
    """A presentation request for the actor's own open application, or for an import into their profile."""
    now = now or utcnow()
    if purpose is PresentationPurpose.APPLICATION:
        if application is None or application.profile.user_id != actor.id:
            raise NotFound()
        if application.status not in OPEN_APPLICATION:
            raise Conflict(str(_l("終わった応募にはバッジを添えられません。")))
    elif own_profile(session, actor) is None:
        raise NotFound(str(_l("まだプロフィールがありません。")))
    request = PresentationRequest(user_id=actor.id, purpose=purpose, application=application,
                                  challenge=secrets.token_urlsafe(32), domain=base_url, created_at=now,
                                  expires_at=now + REQUEST_LIFETIME)  # fmt: skip
    session.add(request)
    session.flush()
    audit.record(session, actor, "presentation.request", object_type="presentation_request",
                 object_id=request.public_id, purpose=purpose.value)  # fmt: skip
    return documents_of(request)


def get_request(session: Session, actor: object, public_id: str) -> PresentationRequest:
    """The actor's own request (NotFound for anyone else)."""
    request = by_public_id(session, PresentationRequest, public_id)
    if not isinstance(actor, User) or request.user_id != actor.id:
        raise NotFound()
    return request


def open_request(session: Session, public_id: str, *, now: datetime) -> PresentationRequest:
    """The request a wallet answers: known, unused and unexpired (OAuthError otherwise)."""
    try:
        request = by_public_id(session, PresentationRequest, public_id)
    except NotFound:
        raise OAuthError(400, "invalid_request", reason("request_unknown")) from None
    if request.used_at is not None:
        raise OAuthError(400, "invalid_request", reason("challenge_used"))
    if request.expires_at <= now:
        raise OAuthError(400, "invalid_request", reason("request_expired"))
    return request


def _verdicts(result: PresentationResult) -> list[dict[str, Any]]:
    verdicts = []
    for presented in result.credentials:
        document = presented.result.credential or {}
        subject = document.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        verdicts.append({"name": text_of(achievement), "issuer": text_of(document.get("issuer")),
                         "verified": presented.verified, "problems": presented.problems, "imported": None})  # fmt: skip
    return verdicts


def receive(
    session: Session, public_id: str, presentation: Any, ctx: IssuerContext, *, now: datetime | None = None
) -> PresentationRequest:
    """Verify a wallet's presentation for the request; keep the verdicts (and the imports). OAuthError when
    the presentation is refused as a whole; a used request answers challenge_used (no replay)."""
    now = now or utcnow()
    request = open_request(session, public_id, now=now)
    if presentation is None or presentation == "" or presentation == {}:
        raise OAuthError(400, "invalid_request", reason("presentation_missing"))
    user = request.user
    result = verify_presentation(
        presentation, challenge=request.challenge, domain=request.domain, now=now,
        verify_credential=lambda document: verify_credential(session, document, ctx, expected_email=user.email,
                                                             now=now),
    )  # fmt: skip
    if result.refusal is not None:
        raise OAuthError(400, "invalid_request", reason(result.refusal))
    claimed = session.execute(
        sa.update(PresentationRequest)
        .where(PresentationRequest.id == request.id, PresentationRequest.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # the same presentation posted twice at once: the other one counts
        raise OAuthError(400, "invalid_request", reason("challenge_used"))
    verdicts = _verdicts(result)
    if request.purpose is PresentationPurpose.IMPORT:
        profile = own_profile(session, user)
        kept = [(p.document, p.result) for p in result.credentials if p.verified]
        if profile is not None and kept:
            rows = imports.keep_imports(session, user, profile, kept, now=now)
            for verdict, row in zip([v for v in verdicts if v["verified"]], rows, strict=True):
                verdict["imported"] = str(row.public_id)
    session.refresh(request)
    request.holder_did, request.verified, request.result = result.holder, result.verified, verdicts
    session.flush()
    audit.record(session, user, "presentation.receive", object_type="presentation_request",
                 object_id=request.public_id, verified=result.verified, credentials=len(verdicts))  # fmt: skip
    return request


def presentations_of_application(session: Session, application: Application) -> list[PresentationRequest]:
    """The presentations received for an application, newest first (callers check who may see them)."""
    return list(
        session.scalars(
            sa.select(PresentationRequest)
            .where(PresentationRequest.application_id == application.id, PresentationRequest.used_at.is_not(None))
            .order_by(PresentationRequest.id.desc())
        )
    )


def latest_by_application(session: Session, application_ids: list[int]) -> dict[int, PresentationRequest]:
    """Each application's latest received presentation (one query for a list of applications)."""
    if not application_ids:
        return {}
    rows = session.scalars(
        sa.select(PresentationRequest)
        .where(PresentationRequest.application_id.in_(application_ids), PresentationRequest.used_at.is_not(None))
        .order_by(PresentationRequest.id)
    )
    return {row.application_id: row for row in rows if row.application_id is not None}
