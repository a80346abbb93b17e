"""/api/v1: the JSON API. Each module declares its operations on `core.bp`; importing them registers them."""

from __future__ import annotations

from flask import jsonify

from talentbank.api import (  # noqa: F401  (registers operations)
    allocation,
    credentials,
    imports,
    issuers,
    learning,
    learning_enrolments,
    learning_paths,
    matches,
    me,
    organisations,
    outcomes,
    profile_skills,
    profiles,
    project_applications,
    projects,
    reference,
)
from talentbank.api.core import bp, openapi_document


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, generated from the models that validate requests."""
    response = jsonify(openapi_document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


__all__ = ["bp"]
