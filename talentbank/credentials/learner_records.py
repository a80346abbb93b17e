"""Comprehensive Learner Records (CLR 2.0, issue 16): an issuer bundles the achievement credentials it
gave one learner into one signed `ClrCredential`, optionally as a track (every achievement `isPartOf`
the track, each `precedes` the next), on a status list of its own kind ("records").

The document is built and signed by `badges.clr`; nested credentials are Data Integrity documents (a
record embeds objects), so a VC-JWT award goes in as a Data Integrity copy of itself signed now by the
issuer's active key, with the same id and status entry (revoking the award revokes the copy).
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

import badges
from badges import clr
from talentbank import audit, mail, notifications
from talentbank.credentials.inputs import LearnerRecordInput
from talentbank.credentials.issuers import (
    IssuerContext,
    active_key,
    forget_cached,
    issuer_did,
    private_key,
    status_list_url,
)
from talentbank.credentials.status_entries import locked_status_list, new_status_list
from talentbank.db import utcnow
from talentbank.errors import Conflict, Invalid, NotFound
from talentbank.lookup import by_public_id, parse_public_id
from talentbank.models import Achievement, Credential, IssuerKey, LearnerRecord, Organisation, ProofFormat, User
from talentbank.security import require

RECORDS = "records"


def record_url(base_url: str, record: LearnerRecord | uuid.UUID) -> str:
    public_id = record if isinstance(record, uuid.UUID) else record.public_id
    return f"{base_url}/learner-records/{public_id}"


def get_learner_record(session: Session, public_id: str) -> LearnerRecord:
    return by_public_id(session, LearnerRecord, public_id, selectinload(LearnerRecord.organisation))


def records_of_email(session: Session, email: str) -> list[LearnerRecord]:
    """The records issued to an e-mail address, newest first (what the learner sees among their credentials)."""
    return list(
        session.scalars(
            sa.select(LearnerRecord)
            .where(LearnerRecord.recipient_email == email.strip().lower())
            .options(selectinload(LearnerRecord.organisation))
            .order_by(LearnerRecord.issued_at.desc(), LearnerRecord.id.desc())
        )
    )


def records_of_organisation(session: Session, organisation: Organisation) -> list[LearnerRecord]:
    return list(
        session.scalars(
            sa.select(LearnerRecord)
            .where(LearnerRecord.organisation_id == organisation.id)
            .order_by(LearnerRecord.id.desc())
            .limit(200)
        )
    )


def stored_form(record: LearnerRecord) -> dict[str, Any] | str:
    """The record as the learner holds it: the JWT, or the signed JSON."""
    return record.jwt if record.proof_format is ProofFormat.JWT and record.jwt else record.document


def _held_credentials(
    session: Session, organisation: Organisation, email: str, achievement_ids: tuple[str, ...], now: datetime
) -> list[Credential]:
    """The learner's current (unrevoked, unexpired) credentials of the chosen achievements of the
    organisation, the newest per achievement, in the order the achievements were chosen."""
    wanted: list[uuid.UUID] = []
    for text in achievement_ids:
        try:
            wanted.append(parse_public_id(text))
        except NotFound:
            raise Invalid.on("achievement_ids", _l("バッジを一覧から選んでください。")) from None
    rows = session.scalars(
        sa.select(Credential)
        .join(Achievement, Credential.achievement_id == Achievement.id)
        .where(
            Achievement.organisation_id == organisation.id,
            Achievement.public_id.in_(wanted),
            Credential.recipient_email == email,
            Credential.revoked_at.is_(None),
            sa.or_(Credential.valid_until.is_(None), Credential.valid_until > now),
        )
        .options(selectinload(Credential.achievement))
        .order_by(Credential.issued_at.desc(), Credential.id.desc())
    ).all()
    newest: dict[uuid.UUID, Credential] = {}
    for credential in rows:
        newest.setdefault(credential.achievement.public_id, credential)
    return [newest[public_id] for public_id in dict.fromkeys(wanted) if public_id in newest]


def _nested_document(credential: Credential, organisation: Organisation, key: IssuerKey, ctx: IssuerContext,
                     now: datetime) -> dict[str, Any]:  # fmt: skip
    """The credential as a Data Integrity document: as stored, or (a VC-JWT award) a copy signed now."""
    if credential.proof_format is ProofFormat.DATA_INTEGRITY and credential.stored_document:
        return copy.deepcopy(credential.stored_document)
    unsigned = {k: v for k, v in copy.deepcopy(credential.document).items() if k != "proof"}
    method = f"{issuer_did(ctx.base_url, organisation)}#{key.public_key_multibase}"
    return badges.sign_data_integrity(unsigned, private_key(key, ctx.fernet), verification_method=method, created=now)


def _records_list_and_index(session: Session, organisation: Organisation):
    """The organisation's newest records status list (made on first use, or when full) and a free random index."""
    try:
        status_list = locked_status_list(session, organisation, holds=RECORDS)
    except NotFound:
        status_list = new_status_list(session, organisation, holds=RECORDS)

    def taken_among(candidates: list[int]) -> set[int]:
        return set(
            session.scalars(
                sa.select(LearnerRecord.status_index).where(
                    LearnerRecord.status_list_id == status_list.id, LearnerRecord.status_index.in_(candidates)
                )
            )
        )

    chosen = badges.probe_free_indexes(taken_among, 1, size_bits=status_list.size_bits)
    if chosen is None:
        taken = set(session.scalars(sa.select(LearnerRecord.status_index)
                                    .where(LearnerRecord.status_list_id == status_list.id)))  # fmt: skip
        try:
            chosen = badges.allocate_indexes(taken, 1, size_bits=status_list.size_bits, is_random=True)
        except badges.StatusListError:
            status_list = new_status_list(session, organisation, size_bits=status_list.size_bits, holds=RECORDS)
            chosen = badges.allocate_indexes(set(), 1, size_bits=status_list.size_bits, is_random=True)
    return status_list, chosen[0]


def _track(
    details: LearnerRecordInput, document_id: str, held: list[Credential], achievement_ids: list[str]
) -> tuple[tuple[clr.TrackInput, ...], tuple[clr.Association, ...]]:
    """The track the issuer named, as an achievement of the record, and its associations (in the order chosen)."""
    track_id = f"{document_id}#track"
    name = details.track_name.strip()
    criteria = "、".join(credential.achievement.name for credential in held)
    track = clr.TrackInput(track_id, name, details.track_description.strip() or name, criteria)
    return (track,), clr.track_associations(track_id, achievement_ids)


def _sign(unsigned: dict[str, Any], proof_format: ProofFormat, key: IssuerKey, method: str, ctx: IssuerContext,
          now: datetime) -> tuple[dict[str, Any] | None, str | None]:  # fmt: skip
    """(the signed JSON, None) for Data Integrity, (None, the JWT) for VC-JWT, whose kid names the key's JWK entry."""
    signing_key = private_key(key, ctx.fernet)
    if proof_format is ProofFormat.JWT:
        return None, badges.sign_jwt(unsigned, signing_key, kid=f"{method}-jwk")
    return badges.sign_data_integrity(unsigned, signing_key, verification_method=method, created=now), None


def issue_learner_record(
    session: Session,
    actor: User,
    organisation: Organisation,
    details: LearnerRecordInput,
    ctx: IssuerContext,
    *,
    now: datetime | None = None,
) -> LearnerRecord:
    """Sign and store a learner record bundling the learner's current credentials of the chosen achievements.

    Achievements the learner holds no current credential of are left out (a record may show a track
    part done); `Invalid` when none is held. With a track name the record carries the track as an
    achievement of its own and the associations between them, in the order chosen.
    """
    require(actor, "issue", organisation)
    key = active_key(session, organisation)
    if key is None:
        raise Conflict(str(_l("先に発行者の設定をしてください。")))
    if not details.achievement_ids:
        raise Invalid.on("achievement_ids", _l("記録に入れるバッジを選んでください。"))
    email = details.email.strip().lower()
    now = (now or utcnow()).replace(microsecond=0)
    held = _held_credentials(session, organisation, email, details.achievement_ids, now)
    if not held:
        raise Invalid.on("email", _l("この方には、選んだバッジのうち有効なものがありません。"))
    if len(held) > clr.MAX_NESTED:
        raise Invalid.on("achievement_ids", _l("1つの記録に入れられるバッジは50件までです。"))
    proof_format = ProofFormat(details.proof_format)
    status_list, index = _records_list_and_index(session, organisation)
    public_id = uuid.uuid4()
    document_id = record_url(ctx.base_url, public_id)
    nested = tuple(_nested_document(credential, organisation, key, ctx, now) for credential in held)
    achievement_ids = [clr.nested_achievement_id(item) or "" for item in nested]
    track_name = details.track_name.strip()
    tracks, associations = _track(details, document_id, held, achievement_ids) if track_name else ((), ())
    did = issuer_did(ctx.base_url, organisation)
    unsigned = clr.build_clr(
        clr.ClrInput(
            issuer=badges.IssuerProfile(
                id=did, name=organisation.name, url=f"{ctx.base_url}/orgs/{organisation.public_id}"
            ),
            recipient=badges.Recipient(email=email),
            credentials=nested,
            valid_from=now,
            name=details.name.strip() or f"{organisation.name} 学修記録",
            achievements=tracks,
            associations=associations,
            id=document_id,
            status=badges.StatusEntry(
                status_list_credential=status_list_url(ctx.base_url, status_list), status_list_index=index
            ),
        )
    )
    document, token = _sign(unsigned, proof_format, key, f"{did}#{key.public_key_multibase}", ctx, now)
    record = LearnerRecord(
        public_id=public_id,
        organisation=organisation,
        recipient_email=email,
        name=unsigned["name"][:200],
        track_name=track_name or None,
        proof_format=proof_format,
        stored_document=document,
        jwt=token,
        credential_ids=[str(credential.public_id) for credential in held],
        status_list=status_list,
        status_index=index,
        issued_at=now,
    )
    session.add(record)
    session.flush()
    _announce(session, record, ctx)
    audit.record(session, actor, "learner_record.issue", object_type="learner_record", object_id=str(public_id))
    return record


def _announce(session: Session, record: LearnerRecord, ctx: IssuerContext) -> None:
    """Mail the learner a link to the record (in their language when they have an account, and in the app's
    notifications too)."""
    user = session.scalar(sa.select(User).where(User.email == record.recipient_email))
    message = mail.queue_mail(session, to=record.recipient_email, template="learner_record_issued",
                              locale=user.locale if user else "ja", base_url=ctx.base_url, record=record,
                              organisation_name=record.organisation.name)  # fmt: skip
    if user is not None:
        notifications.record(session, user, message, ctx.base_url)


def revoke_learner_record(session: Session, actor: User, record: LearnerRecord, *, now: datetime | None = None) -> None:
    """Set the record's bit on its status list (verifiers then see it revoked)."""
    require(actor, "issue", record.organisation)
    if record.revoked_at is not None:
        raise Conflict(str(_l("この学修記録はすでに取り消されています。")))
    now = now or utcnow()
    status_list = record.status_list
    status_list.encoded_list = badges.set_status(status_list.encoded_list, record.status_index, is_set=True)
    status_list.updated_at = now.replace(microsecond=0)
    record.revoked_at = now
    session.flush()
    forget_cached()
    audit.record(session, actor, "learner_record.revoke", object_type="learner_record",
                 object_id=str(record.public_id))  # fmt: skip


def sign_record_holder_copy(
    session: Session,
    record: LearnerRecord,
    holder_did: str,
    proof_format: ProofFormat,
    ctx: IssuerContext,
    *,
    document_id: str,
    now: datetime,
) -> dict[str, Any] | str:
    """A copy of the learner record bound to a holder (`credentialSubject.id`, the ClrSubject's id, CLR 2.0
    §B.1.5), signed by the issuer's active key in `proof_format`: the signed JSON, or the JWT. The credentials
    it holds and its status entry are the record's as issued, so revoking the record revokes its copies too."""
    organisation = record.organisation
    key = active_key(session, organisation)
    if key is None:
        raise Conflict(str(_l("発行者の鍵がありません。")))
    unsigned = copy.deepcopy({k: v for k, v in record.document.items() if k != "proof"})
    unsigned["id"] = document_id
    unsigned["credentialSubject"] = {"id": holder_did, **unsigned["credentialSubject"]}
    method = f"{issuer_did(ctx.base_url, organisation)}#{key.public_key_multibase}"
    document, token = _sign(unsigned, proof_format, key, method, ctx, now.replace(microsecond=0))
    return token if token is not None else document  # type: ignore[return-value]
