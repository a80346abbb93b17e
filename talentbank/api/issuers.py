"""Issuer set-up and key rotation, endorsements, and revoking many credentials at once: the same credential
services as the pages (`talentbank.credentials.issuing`, `revocation`, `endorsements`), which check who may do it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import url_for
from pydantic import Field

from talentbank import db
from talentbank.api.achievements import AchievementIssuerOut, EndorsementOut, achievement_issuer_out, endorsement_fields
from talentbank.api.core import api_actor, body, bp, operation
from talentbank.api.schemas import MULTI_LINE, Model, Out
from talentbank.credentials import achievements, endorsements, issuers, revocation
from talentbank.credentials.context import issuer_context
from talentbank.errors import NotFound
from talentbank.lookup import by_public_id
from talentbank.models import Endorsement, IssuerKey, Organisation
from talentbank.organisations.services import get_organisation

# ---- issuer set-up and keys --------------------------------------------------------------------------


class IssuerKeyOut(Out):
    id: str = Field(description="the verification method: the issuer's DID, '#', the public key (multibase)")
    public_key_multibase: str
    created_at: datetime
    retired_at: datetime | None = Field(description="replaced by a newer key; still verifies what it signed")
    active: bool = Field(description="the key that signs new credentials now")


class IssuerOut(Out):
    organisation: AchievementIssuerOut
    did: str = Field(description="the issuer's did:web identifier")
    did_document_url: str
    keys: list[IssuerKeyOut] = Field(description="published keys, oldest first (withdrawn keys are not listed)")


def issuer_out(organisation: Organisation) -> IssuerOut:
    context = issuer_context()
    did = issuers.issuer_did(context.base_url, organisation)
    active = issuers.active_key(db.session, organisation)
    if active is None:
        raise NotFound()  # not (yet) an issuer

    def key_out(key: IssuerKey) -> IssuerKeyOut:
        return IssuerKeyOut(
            id=f"{did}#{key.public_key_multibase}",
            public_key_multibase=key.public_key_multibase,
            created_at=key.created_at,
            retired_at=key.retired_at,
            active=key.id == active.id,
        )

    return IssuerOut(
        organisation=achievement_issuer_out(organisation),
        did=did,
        did_document_url=url_for("credentials.did_document", public_id=organisation.public_id, _external=True),
        keys=[key_out(k) for k in issuers.published_keys(db.session, organisation)],
    )


@bp.get("/organisations/<organisation_id>/issuer")
@operation(tag="credentials", public=True, ok=IssuerOut)
def get_issuer(organisation_id: str):
    """An issuer's public facts: its DID and published keys (404 until the organisation is set up as an issuer)"""
    return issuer_out(get_organisation(db.session, organisation_id))


@bp.post("/organisations/<organisation_id>/issuer")
@operation(tag="credentials", scope="issue", ok=IssuerOut, status=201, errors=(409,))
def setup_issuer(organisation_id: str):
    """Make a verified organisation an issuer (its owners): its first signing key and its revocation list"""
    organisation = get_organisation(db.session, organisation_id)
    issuers.setup_issuer(db.session, api_actor(), organisation, issuer_context())
    return issuer_out(organisation), 201


class RotateIn(Model):
    compromised: bool = Field(
        False,
        description="true: the old key is withdrawn, so everything it signed stops verifying; false: it is "
        "retired and stays published, so old credentials keep verifying",
    )


@bp.post("/organisations/<organisation_id>/issuer/rotate")
@operation(tag="credentials", scope="issue", json=RotateIn, ok=IssuerOut)
def rotate_issuer_key(organisation_id: str):
    """Replace the issuer's signing key (its owners)"""
    organisation = get_organisation(db.session, organisation_id)
    issuers.rotate_key(db.session, api_actor(), organisation, issuer_context(), compromised=body().compromised)
    return issuer_out(organisation)


# ---- endorsements --------------------------------------------------------------------------------------


class EndorseIn(Model):
    endorser: uuid.UUID = Field(description="the endorsing organisation: an issuer the caller owns, not the badge's")
    comment: str = Field(min_length=1, max_length=2000, pattern=r"^[^\x00]*$", json_schema_extra=MULTI_LINE)


class EndorsementDetailOut(EndorsementOut):
    achievement_id: uuid.UUID
    document: dict[str, Any] = Field(description="the signed EndorsementCredential (Data Integrity)")


def endorsement_out(endorsement: Endorsement) -> EndorsementDetailOut:
    checked = endorsements.check_endorsement(db.session, endorsement, issuer_context())
    return EndorsementDetailOut(
        **endorsement_fields(checked),
        achievement_id=endorsement.achievement.public_id,
        document=endorsement.document,
    )


@bp.post("/achievements/<achievement_id>/endorsements")
@operation(tag="credentials", scope="issue", json=EndorseIn, ok=EndorsementDetailOut, status=201, errors=(409,))
def endorse_achievement(achievement_id: str):
    """Endorse another issuer's achievement as an organisation the caller owns (a signed EndorsementCredential)"""
    achievement = achievements.get_achievement(db.session, achievement_id)
    endorser = get_organisation(db.session, body().endorser)
    endorsement = endorsements.endorse(db.session, api_actor(), achievement, endorser, body().comment, issuer_context())
    return endorsement_out(endorsement), 201


@bp.get("/endorsements/<endorsement_id>")
@operation(tag="credentials", public=True, ok=EndorsementDetailOut)
def get_endorsement(endorsement_id: str):
    """One endorsement, with its signed document and whether it verifies now"""
    return endorsement_out(by_public_id(db.session, Endorsement, endorsement_id))


# ---- revoking many -------------------------------------------------------------------------------------


class BulkRevokeIn(Model):
    credentials: list[uuid.UUID] = Field(
        min_length=1, max_length=1000, description="ids of the achievement's credentials"
    )
    reason: str = Field(
        min_length=1, max_length=300, pattern=r"^[^\x00]*$", description="shown on each credential's page"
    )


class BulkRevokeOut(Out):
    revoked: int = Field(description="credentials revoked now (those revoked before are left as they were)")


@bp.post("/achievements/<achievement_id>/credentials/revoke")
@operation(tag="credentials", scope="issue", json=BulkRevokeIn, ok=BulkRevokeOut)
def revoke_credentials_in_bulk(achievement_id: str):
    """Revoke several credentials of one achievement (members of the issuer); an unknown id revokes none (404)"""
    achievement = achievements.get_achievement(db.session, achievement_id)
    ids = [str(i) for i in dict.fromkeys(body().credentials)]
    return BulkRevokeOut(revoked=revocation.revoke_many(db.session, api_actor(), achievement, ids, body().reason))
