"""Importing a provider's catalogue of learning opportunities over the API: the CSV import of the pages,
as JSON rows keyed by the provider's own course code (idempotent: the same rows again change nothing)."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Literal

from flask_babel import gettext as _
from pydantic import Field

from talentbank import db
from talentbank.api.core import api_actor, body, bp, operation
from talentbank.api.learning import OpportunityFields, input_values, opportunity_url
from talentbank.api.schemas import Model, Out
from talentbank.db import utcnow
from talentbank.errors import Invalid
from talentbank.learning import imports
from talentbank.learning.inputs import OpportunityInput
from talentbank.organisations.services import get_organisation


class ImportRowIn(OpportunityFields):
    code: str = Field(
        pattern=imports.CODE.pattern, description="the provider's own code of the course, unique in the organisation"
    )


class LearningImportIn(Model):
    rows: list[ImportRowIn] = Field(min_length=1, max_length=imports.MAX_ROWS)
    dry_run: bool = Field(False, description="only say what each row would do; nothing is saved")


class ImportRowOut(Out):
    row: int = Field(description="the row's index in the request, from 0")
    code: str
    action: Literal["create", "update", "unchanged", "error"]
    errors: dict[str, str] = Field(description="the row's problems by field (action error only)")
    opportunity_id: uuid.UUID | None = Field(description="the opportunity the row is (after the import), or updates")
    url: str | None


class LearningImportOut(Out):
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    errors: int
    rows: list[ImportRowOut]


def _rows() -> list[imports.ImportRow]:
    names = OpportunityFields.model_fields
    return [
        imports.ImportRow(index + 1, row.code, OpportunityInput(**input_values(row, names)))
        for index, row in enumerate(body().rows)
    ]


def _out(planned: list[imports.PlannedRow], saved: dict, dry_run: bool) -> LearningImportOut:
    def opportunity(row: imports.PlannedRow):
        return saved.get(row.line) or row.opportunity

    counts = Counter(row.action for row in planned)
    return LearningImportOut(
        dry_run=dry_run,
        created=counts[imports.ImportAction.CREATE],
        updated=counts[imports.ImportAction.UPDATE],
        unchanged=counts[imports.ImportAction.UNCHANGED],
        errors=counts[imports.ImportAction.ERROR],
        rows=[
            ImportRowOut(
                row=row.line - 1,
                code=row.code,
                action=row.action.value,
                errors=row.errors,
                opportunity_id=o.public_id if (o := opportunity(row)) is not None else None,
                url=opportunity_url(o) if o is not None else None,
            )
            for row in planned
        ],
    )


@bp.post("/organisations/<organisation_id>/learning-opportunities/import")
@operation(tag="learning", scope="write", json=LearningImportIn, ok=LearningImportOut, errors=(409,))
def import_learning_opportunities(organisation_id: str):
    """Create or update many learning opportunities of an organisation at once, keyed by the provider's code

    Every row is checked first. With `dry_run`, the answer says what each row would do (create, update,
    unchanged, or its errors) and nothing is saved; otherwise any row with errors means none is saved (422,
    with the problems under `rows.N.field`). A row whose code the organisation already uses updates that
    opportunity, or changes nothing when it says the same: sending the same rows again is safe.
    """
    organisation = get_organisation(db.session, organisation_id)
    actor, rows, today = api_actor(), _rows(), utcnow().date()
    planned = imports.plan_import(db.session, actor, organisation, rows, today)
    if body().dry_run:
        return _out(planned, {}, True)
    problems = {
        f"rows.{row.line - 1}.{name}": message
        for row in planned
        if row.action is imports.ImportAction.ERROR
        for name, message in row.errors.items()
    }
    if problems:
        raise Invalid(_("誤りのある行があります。どの行も取り込んでいません。"), problems)
    result = imports.apply_import(db.session, actor, organisation, planned, today)
    return _out(result.rows, result.opportunities, False)
