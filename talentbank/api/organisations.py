"""Organisations over the API: public fields only (members and roles stay on the pages)."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import url_for
from pydantic import Field

from talentbank import db
from talentbank.api.core import Out, PageQuery, bp, operation, page_of, paginate, params
from talentbank.models import OrganisationKind
from talentbank.organisations import services


class OrganisationOut(Out):
    id: uuid.UUID
    name: str
    name_en: str | None
    kind: OrganisationKind
    municipality_code: str
    description: str
    website: str | None
    verified: bool
    verified_at: datetime | None
    url: str


OrganisationPage = page_of(OrganisationOut, "OrganisationPage")


class OrganisationQuery(PageQuery):
    kind: OrganisationKind | None = None
    verified: bool = Field(False, description="only organisations verified by the site administrators")


def organisation_out(organisation) -> OrganisationOut:
    return OrganisationOut(
        id=organisation.public_id,
        name=organisation.name,
        name_en=organisation.name_en,
        kind=organisation.kind,
        municipality_code=organisation.municipality_code,
        description=organisation.description,
        website=organisation.website,
        verified=organisation.is_verified,
        verified_at=organisation.verified_at,
        url=url_for("organisations.show", public_id=organisation.public_id, _external=True),
    )


@bp.get("/organisations")
@operation(tag="organisations", public=True, query=OrganisationQuery, ok=OrganisationPage)
def list_organisations():
    """Organisations (municipalities, companies, schools, the prefecture office, NPOs)"""
    query = params()
    found = services.list_organisations(
        db.session, kind=query.kind.value if query.kind else None, verified_only=query.verified
    )
    return paginate([organisation_out(o) for o in found], query)


@bp.get("/organisations/<organisation_id>")
@operation(tag="organisations", public=True, ok=OrganisationOut)
def get_organisation(organisation_id: str):
    """One organisation's public fields"""
    return organisation_out(services.get_organisation(db.session, organisation_id))
