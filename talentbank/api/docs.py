"""The readable API reference at /developers/api, rendered on the server from the OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

from talentbank.api.openapi import TAGS, openapi_document

bp = Blueprint("api_docs", __name__, url_prefix="/developers")

METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}


def schema_type(schema: dict[str, Any]) -> str:
    """A short human name for a JSON Schema: `string (uuid)`, `array of SkillOut`, `integer | null`…"""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(schema_type(part) for part in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(f'"{value}"' for value in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {schema_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
        return f"object of {schema_type(schema['additionalProperties'])}"
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


def _operations(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {tag: [] for tag in TAGS}
    for path, item in sorted(document["paths"].items()):
        for method, op in sorted(item.items(), key=lambda pair: METHOD_ORDER.get(pair[0], 9)):
            request_body = op.get("requestBody", {}).get("content", {})
            grouped.setdefault(op["tags"][0], []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": op["operationId"],
                    "summary": op.get("summary", ""),
                    "scope": op.get("x-scope"),
                    "public": {} in op.get("security", []),
                    "parameters": op.get("parameters", []),
                    "bodies": {kind: schema_type(c["schema"]) for kind, c in request_body.items()},
                    "responses": sorted(op["responses"].items()),
                }
            )
    return {tag: ops for tag, ops in grouped.items() if ops}


@bp.get("/api")
def index():
    document = openapi_document()
    return render_template(
        "api/docs.html",
        document=document,
        operations=_operations(document),
        tags=TAGS,
        schemas=sorted(document["components"]["schemas"].items()),
        schema_type=schema_type,
        api_limit=current_app.config["API_LIMIT"],
    )
