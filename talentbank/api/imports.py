"""Credentials from other issuers on the caller's profile: import (JSON, VC-JWT, as a file or a baked image), list,
remove. The same service as the import page: it verifies first, and only a credential that verifies and
names the caller's e-mail address makes its aligned skills badge-verified."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from pydantic import Field

from talentbank import db
from talentbank.api.core import api_actor, bp, operation, params
from talentbank.api.schemas import MULTI_LINE, Model, Out, PageQuery, page_of, paginate
from talentbank.api.verify import VerifyResult, VerifyUpload, submitted_in_request, verify_result_out
from talentbank.credentials import imports
from talentbank.credentials.context import issuer_context
from talentbank.db import utcnow
from talentbank.errors import Conflict, NotFound
from talentbank.models import Profile
from talentbank.profiles.services import own_profile


class ImportIn(Model):
    credential: dict[str, Any] | str = Field(
        description="an OpenBadgeCredential as a JSON object (Data Integrity proof) or a VC-JWT string; or an "
        "Open Badges 2.0 badge: the hosted assertion's https URL, its assertion JSON, or a signed assertion "
        "(JWS, RS256)",
        json_schema_extra=MULTI_LINE,
    )


class ImportedSkillOut(Out):
    code: str = Field(description="DSS item code the credential's achievement aligns to")
    level: int = Field(ge=1, le=4)


class OtherAlignmentOut(Out):
    name: str = Field(description="an alignment that names no DSS item: shown, never counted as a verified skill")
    url: str


class ImportedOut(Out):
    id: uuid.UUID
    format: str = Field(description='"ob3" (Open Badges 3.0 credential) or "ob2" (Open Badges 2.0 assertion)')
    achievement_name: str
    issuer_name: str
    verified: bool = Field(description="every check except the recipient passed when it was imported")
    recipient_matches: bool = Field(description="it names the caller's e-mail address")
    counts: bool = Field(description="verified and the caller's: its skills show as badge-verified")
    failed_checks: list[str] = Field(description="codes of the checks that failed, if any")
    skills: list[ImportedSkillOut]
    other_alignments: list[OtherAlignmentOut]
    imported_at: datetime


class ImportResultOut(ImportedOut):
    imported: list[ImportedOut] = Field(
        description="every credential this import added, in the order of the submission: the one badge, or "
        "each badge a CLR 2.0 learner record holds (the fields above describe the first of them)"
    )
    verification: VerifyResult = Field(
        description="every check, as the import page shows them (for a CLR, the learner record's own)"
    )


ImportedPage = page_of(ImportedOut, "ImportedPage")


def _imported_fields(imported) -> dict[str, Any]:
    return {
        "id": imported.public_id,
        "format": imported.badge_format,
        "achievement_name": imported.achievement_name,
        "issuer_name": imported.issuer_name,
        "verified": imported.is_verified,
        "recipient_matches": imported.recipient_matches,
        "counts": imported.counts_at(utcnow()),
        "failed_checks": list(imported.check_codes or []),
        "skills": [ImportedSkillOut(**s) for s in imported.skills or []],
        "other_alignments": [OtherAlignmentOut(**a) for a in imported.other_alignments or []],
        "imported_at": imported.imported_at,
    }


def _own_profile() -> Profile:
    profile = own_profile(db.session, api_actor())
    if profile is None:
        raise Conflict(_("先にプロフィールを作成してください。"))
    return profile


@bp.post("/me/credentials/imported")
@operation(tag="credentials", scope="write", json=ImportIn, form=VerifyUpload, ok=ImportResultOut, status=201,
           errors=(409, 413))  # fmt: skip
def import_credential():
    """Import another issuer's credential to the caller's profile: JSON {"credential": …}, or a file (baked
    PNG/SVG, .json, .jwt) as multipart field `image`. Open Badges 2.0 badges too (the hosted URL, the JSON or
    JWS, or a baked image): one that fails a check is a 422 with the reason, and nothing is saved. A CLR 2.0
    learner record must verify and name the caller; each badge in it is imported on its own (`imported` lists
    every one; the top-level fields describe the first)"""
    profile = _own_profile()
    submitted = submitted_in_request()
    rows, result = imports.import_credentials(db.session, api_actor(), profile, submitted, issuer_context())
    return ImportResultOut(**_imported_fields(rows[0]), imported=[ImportedOut(**_imported_fields(r)) for r in rows],
                           verification=verify_result_out(result)), 201  # fmt: skip


@bp.get("/me/credentials/imported")
@operation(tag="credentials", scope="read", query=PageQuery, ok=ImportedPage)
def list_imported_credentials():
    """The credentials the caller imported from other issuers, newest first"""
    profile = own_profile(db.session, api_actor())
    found = imports.imported_of(db.session, profile) if profile else []
    return paginate([ImportedOut(**_imported_fields(i)) for i in found], params())


@bp.delete("/me/credentials/imported/<imported_id>")
@operation(tag="credentials", scope="write", ok=None, status=204)
def delete_imported_credential(imported_id: str):
    """Remove an imported credential from the caller's profile (its skills stop counting)"""
    profile = own_profile(db.session, api_actor())
    if profile is None:
        raise NotFound()
    imports.remove_imported(db.session, api_actor(), profile, imported_id)
    return "", 204
