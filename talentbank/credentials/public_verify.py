"""Verification for anyone (the verify page and `POST /api/v1/verify`): an Open Badges 3.0 credential, a CLR
2.0 learner record (the record, then each badge it holds), or an Open Badges 2.0 badge by the OB 2.0 rules
(its hosted URL, JSON, JWS or baked image), with no recipient to expect."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

import badges
from badges import clr
from talentbank.credentials import ob2, verification
from talentbank.credentials.issuers import IssuerContext
from talentbank.db import utcnow


def verify_for_anyone(
    session: Session, submitted: dict[str, Any] | str, ctx: IssuerContext
) -> badges.VerificationResult:
    """Every check that applies to what was submitted, as one list (a learner record's via `clr.summary`)."""
    if ob2.is_ob2(submitted):
        return ob2.verify_ob2_for_anyone(ctx, submitted, utcnow())
    if clr.is_clr_submission(submitted):
        return clr.summary(verification.verify_learner_record(session, submitted, ctx))
    return verification.verify_credential(session, submitted, ctx)
