"""Issuing: signing and storing credentials one at a time or in batches (idempotent per award key),
mailing each recipient a claim link, and the one-click completion badge a project's organisation gives.

Documents are built and signed by the `badges` library; this module supplies the keys (from `issuers`),
the clock and the database. The batch mechanics (collector pause, status-list entries, one compiled
insert) are behind `batches.credential_batch`.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

import badges
from talentbank import audit, mail, notifications
from talentbank.credentials.achievements import achievement_input, add_months
from talentbank.credentials.batches import CredentialBatch, credential_batch
from talentbank.credentials.claims import attach
from talentbank.credentials.inputs import AwardInput
from talentbank.credentials.issuers import IssuerContext, active_key, issuer_did, private_key, status_list_url
from talentbank.db import utcnow
from talentbank.errors import Conflict, Invalid, NotFound
from talentbank.models import (
    Achievement,
    AchievementSkill,
    Credential,
    IssuerKey,
    Organisation,
    Profile,
    ProofFormat,
    User,
)
from talentbank.profiles.services import get_profile
from talentbank.security import require


@dataclass(frozen=True)
class IssuedCredential:
    """A credential `issue_credentials` issued (or found issued before under the award's idempotency key)."""

    public_id: uuid.UUID
    recipient_email: str
    recipient_name: str


def issue_credential(
    session: Session,
    actor: User,
    achievement: Achievement,
    award: AwardInput,
    ctx: IssuerContext,
    *,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Credential:
    """Sign and store one credential, and mail the recipient a link to claim it (see `issue_credentials`)."""
    issued = issue_credentials(session, actor, achievement, [(award, idempotency_key)], ctx, now=now)[0]
    return session.scalars(sa.select(Credential).where(Credential.public_id == issued.public_id)).one()


def award_to_profile(
    session: Session,
    actor: User,
    achievement: Achievement,
    profile_reference: str,
    evidence_url: str,
    narrative: str,
    ctx: IssuerContext,
) -> Credential:
    """Issue to a person picked by their profile (its URL or public id) as far as the actor may see it.

    The credential goes to the account's e-mail address, which the issuer never sees.
    """
    reference = profile_reference.strip().rstrip("/").rsplit("/", 1)[-1]
    try:
        profile = get_profile(session, actor, reference)
    except NotFound:
        raise Invalid.on("profile", _l("そのプロフィールは見つかりません（非公開か、URLが違います）。")) from None
    award = AwardInput(email=profile.user.email, name=profile.display_name, evidence_url=evidence_url or "",
                       narrative=narrative or "")  # fmt: skip
    return issue_credential(session, actor, achievement, award, ctx)


def _existing_by_key(session: Session, achievement: Achievement, keys: list[str]) -> dict[str, IssuedCredential]:
    found: dict[str, IssuedCredential] = {}
    for start in range(0, len(keys), 500):
        for key, public_id, email, name in session.execute(
            sa.select(Credential.idempotency_key, Credential.public_id, Credential.recipient_email,
                      Credential.recipient_name)
            .where(Credential.achievement_id == achievement.id,
                   Credential.idempotency_key.in_(keys[start : start + 500]))
        ):  # fmt: skip
            found[key or ""] = IssuedCredential(public_id, email, name)
    return found


def issue_credentials(
    session: Session,
    actor: User,
    achievement: Achievement,
    awards: list[tuple[AwardInput, str | None]],
    ctx: IssuerContext,
    *,
    now: datetime | None = None,
) -> list[IssuedCredential]:
    """Sign and store a batch of credentials, mailing each recipient a claim link; one per award, in order.

    An award whose idempotency key was already used for this achievement returns the credential
    issued then instead of a new one. The key, status list and achievement are loaded once, the
    document template is built once, and rows, mails and audit events are each written in one
    statement (the batch mechanics are in `batches.credential_batch`).
    """
    organisation = achievement.organisation
    require(actor, "issue", organisation)
    key = active_key(session, organisation)
    if key is None:
        raise Conflict(str(_l("先に発行者の設定をしてください。")))
    existing = _existing_by_key(session, achievement, [k for _, k in awards if k])
    used, needed = set(existing), 0  # a key given twice in one batch: one credential
    for _, idempotency_key in awards:
        if not idempotency_key or idempotency_key not in used:
            used.add(idempotency_key or "")
            needed += 1
    now = (now or utcnow()).replace(microsecond=0)
    with credential_batch(session, organisation, needed) as batch:
        results, created = _sign_and_add(batch, achievement, organisation, key, awards, existing, ctx, now)
        if created:
            batch.write(session)
            _announce(session, actor, achievement, created, ctx)
    return results


def _sign_and_add(
    batch: CredentialBatch,
    achievement: Achievement,
    organisation: Organisation,
    key: IssuerKey,
    awards: list[tuple[AwardInput, str | None]],
    existing: dict[str, IssuedCredential],
    ctx: IssuerContext,
    now: datetime,
) -> tuple[list[IssuedCredential], list[tuple[IssuedCredential, str]]]:
    """Build and sign each award's credential into the batch; the results in order, and the new ones."""
    status_list = batch.status_list
    build = _builder(achievement, organisation, ctx, now)
    sign = _signer(achievement, key, ctx, now)
    list_url = status_list_url(ctx.base_url, status_list)
    id_prefix = f"{ctx.base_url}/credentials/"
    # The columns every row shares, read once (and, being one object each, bound once by insert_rows).
    shared = {
        "achievement_id": achievement.id,
        "proof_format": achievement.proof_format,
        "status_list_id": status_list.id,
        "issued_at": now,
        "valid_until": _valid_until(achievement, now),
    }
    results: list[IssuedCredential] = []
    created: list[tuple[IssuedCredential, str]] = []  # with its public id as text
    for award, idempotency_key in awards:
        if idempotency_key and idempotency_key in existing:
            results.append(existing[idempotency_key])
            continue
        index = batch.next_index()
        public_id = batch.next_public_id()  # needed before the insert: it is part of the signed document
        public_text = str(public_id)
        email = award.email.strip().lower()
        name = award.name.strip()
        unsigned = build(
            badges.Recipient(email=email),
            id=id_prefix + public_text,
            evidence=_evidence(award),
            status=badges.StatusEntry(status_list_credential=list_url, status_list_index=index),
        )
        document, token = sign(unsigned)
        batch.add({**shared, "public_id": public_id, "recipient_email": email, "recipient_name": name,
                   "document": document, "jwt": token, "status_index": index,
                   "idempotency_key": idempotency_key})  # fmt: skip
        issued = IssuedCredential(public_id, email, name)
        if idempotency_key:
            existing[idempotency_key] = issued
        results.append(issued)
        created.append((issued, public_text))
    return results, created


def _valid_until(achievement: Achievement, now: datetime) -> datetime | None:
    return add_months(now, achievement.expiry_months) if achievement.expiry_months else None


def _builder(achievement: Achievement, organisation: Organisation, ctx: IssuerContext, now: datetime):
    """`badges.credential_builder` for this achievement by this organisation, valid from `now`."""
    did = issuer_did(ctx.base_url, organisation)
    issuer = badges.IssuerProfile(id=did, name=organisation.name, url=f"{ctx.base_url}/orgs/{organisation.public_id}")
    return badges.credential_builder(issuer, achievement_input(achievement, ctx.base_url), valid_from=now,
                                     valid_until=_valid_until(achievement, now), name=achievement.name)  # fmt: skip


def _signer(
    achievement: Achievement, key: IssuerKey, ctx: IssuerContext, now: datetime, proof_format: ProofFormat | None = None
):
    """(unsigned) -> (signed document to store, or None; JWT, or None), in the achievement's proof format
    (or the one given)."""
    signing_key = private_key(key, ctx.fernet)
    method = f"{issuer_did(ctx.base_url, achievement.organisation)}#{key.public_key_multibase}"
    if (proof_format or achievement.proof_format) is ProofFormat.JWT:
        # OB 3.0 §8.2.3: the JOSE kid dereferences to a JWK, so it names the key's JsonWebKey2020 entry.
        sign_jwt = badges.jwt_signer(signing_key, kid=f"{method}-jwk")
        return lambda unsigned: (None, sign_jwt(unsigned))  # the JWT holds the document: not stored twice
    return lambda unsigned: (
        badges.sign_data_integrity(unsigned, signing_key, verification_method=method, created=now),
        None,
    )


def sign_holder_copy(
    session: Session,
    credential: Credential,
    holder_did: str,
    proof_format: ProofFormat,
    ctx: IssuerContext,
    *,
    document_id: str,
    now: datetime,
) -> dict[str, Any] | str:
    """A copy of the credential bound to a holder (`credentialSubject.id`, OB 3.0 §B.1.6), signed by the
    issuer's active key in `proof_format`: the signed JSON, or the JWT. Everything else, the status entry
    included, is the credential as issued, so revoking the credential revokes its copies too."""
    organisation = credential.achievement.organisation
    key = active_key(session, organisation)
    if key is None:
        raise Conflict(str(_l("発行者の鍵がありません。")))
    unsigned = copy.deepcopy({k: v for k, v in credential.document.items() if k != "proof"})
    unsigned["id"] = document_id
    unsigned["credentialSubject"] = {"id": holder_did, **unsigned["credentialSubject"]}
    badges.check_terms(unsigned)
    document, token = _signer(credential.achievement, key, ctx, now.replace(microsecond=0), proof_format)(unsigned)
    return token if token is not None else document


def _evidence(award: AwardInput) -> tuple[badges.EvidenceInput, ...]:
    if not (award.evidence_url or award.narrative):
        return ()
    return (badges.EvidenceInput(id=award.evidence_url or None, narrative=award.narrative or None),)


@dataclass(frozen=True)
class _MarkedCredential:
    """What the award mail's template reads of a credential, with a marker for its public id."""

    public_id: uuid.UUID


def _announce(
    session: Session,
    actor: User,
    achievement: Achievement,
    credentials: list[tuple[IssuedCredential, str]],
    ctx: IssuerContext,
) -> None:
    """Mail each recipient (in their language when they have an account, and in the app's notifications
    too), and audit each award. `credentials` pairs each with its public id as text."""
    emails = list({c.recipient_email for c, _ in credentials})
    locales: dict[str, str] = {}
    users: dict[str, int] = {}
    for start in range(0, len(emails), 500):
        for email, locale, user_id in session.execute(_USERS_BY_EMAIL, {"emails": emails[start : start + 500]}):
            locales[email], users[email] = locale, user_id
    marker = uuid.uuid4()  # rendered once per locale with this id, then replaced by each credential's
    marker_text = str(marker)
    queued = mail.queue_mails(
        session,
        template="credential_awarded",
        recipients=[
            (c.recipient_email, locales.get(c.recipient_email, "ja"), {marker_text: text}) for c, text in credentials
        ],
        base_url=ctx.base_url,
        credential=_MarkedCredential(marker),
        achievement=achievement,
        organisation_name=achievement.organisation.name,
    )
    notifications.record_many(session, queued, users, ctx.base_url)
    audit.record_many(session, actor, "credential.issue", object_type="credential",
                      object_ids=[text for _, text in credentials])  # fmt: skip


_USERS_BY_EMAIL = sa.select(User.email, User.locale, User.id).where(
    User.email.in_(sa.bindparam("emails", expanding=True))
)


def issue_completion_credential(
    session: Session, actor: User, project: Any, profile: Profile, summary: str, evidence_url: str, ctx: IssuerContext
) -> Credential:
    """The one-click completion badge: an achievement per project (its must-have skills at their
    minimum levels), issued to the participant and placed straight on their profile, since the
    organisation knows whose profile it is."""
    organisation = project.organisation
    require(actor, "issue", organisation)
    # Names are data in the organisation's language (Japanese), not interface text.
    name = f"{project.title} 修了"[:120]
    achievement = session.scalar(
        sa.select(Achievement).where(Achievement.organisation_id == organisation.id, Achievement.name == name)
    )
    if achievement is None:
        needs = [n for n in project.needs if n.is_must] or list(project.needs)
        achievement = Achievement(
            organisation=organisation,
            name=name,
            description=f"{organisation.name} のプロジェクト「{project.title}」を完了した。",
            criteria=project.expected_outcome,
            tags=["project"],
            proof_format=ProofFormat.JWT,
            skills=[AchievementSkill(skill_code=n.skill_code, level=n.min_level) for n in needs[:10]],
        )
        session.add(achievement)
        session.flush()
    award = AwardInput(email=profile.user.email, name=profile.display_name, evidence_url=evidence_url,
                       narrative=summary[:2000])  # fmt: skip
    credential = issue_credential(session, actor, achievement, award, ctx)
    attach(session, credential, profile)
    return credential


def issued_keys(session: Session, achievement: Achievement, keys: list[str]) -> set[str]:
    """Which of these idempotency keys were already used for the achievement."""
    return set(_existing_by_key(session, achievement, keys))
