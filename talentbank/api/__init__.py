"""/api/v1: the JSON API. Each module declares its operations on `core.bp`; importing them registers them."""

from __future__ import annotations

from flask import jsonify

# Not sorted: a module's operations register when it is first imported, and the OpenAPI document (and
# /developers/api) lists them in that order: verification, then achievements, then the credentials awarded for them.
# isort: off
from talentbank.api import (  # noqa: F401  (registers operations)
    allocation,
    verify,
    achievements,
    credentials,
    imports,
    issuers,
    learner_records,
    learning,
    learning_enrolments,
    learning_imports,
    learning_paths,
    matches,
    me,
    organisations,
    outcomes,
    presentations,
    profile_skills,
    profiles,
    project_applications,
    projects,
    reference,
    wallet,
)

# isort: on
from talentbank.api.core import bp
from talentbank.api.openapi import openapi_document


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, generated from the models that validate requests."""
    response = jsonify(openapi_document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


__all__ = ["bp"]
