"""The OpenAPI 3.1 document: spectree validates each operation's requests against its pydantic models
and generates the document from the same models, so the document cannot drift from what is enforced;
`openapi_document` adds what every operation shares (problem responses, security, scopes, tags)."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from flask_babel import gettext as _
from spectree import SecurityScheme, SpecTree
from spectree.models import SecuritySchemeData

from talentbank.api.schemas import Problem
from talentbank.errors import Invalid

TAGS = {
    "reference": "スキル体系と市町村 / skill taxonomy and municipalities",
    "organisations": "組織 / organisations",
    "profiles": "人材プロフィール / talent profiles",
    "projects": "プロジェクト / projects",
    "applications": "応募とスカウト / applications and invitations",
    "matching": "マッチング / matching",
    "allocation": "インターンシップの配属 / internship allocation rounds",
    "credentials": "デジタルバッジ / Open Badges 3.0 credentials",
    "learning": "学びの場 / learning opportunities and enrolments",
    "account": "自分のアカウント / the caller's account",
}


def _reject_invalid_request(req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    """spectree's `before` hook: turn a pydantic validation error into our 422 problem document."""
    if error is None:
        return
    fields: dict[str, str] = {}
    for item in adapter.validation_errors(error):
        location = ".".join(str(part) for part in item.get("loc", ())) or "body"
        fields.setdefault(location, item.get("msg", "invalid"))
    raise Invalid(_("入力内容に誤りがあります。"), fields)


spec = SpecTree(
    "flask",
    mode="strict",  # the document holds exactly the operations declared with `operation`
    path="_spectree",  # spectree's own routes are not registered; we serve the document ourselves
    page_templates={},
    before=_reject_invalid_request,
    title="talentbank API — 北海道デジタル人材バンク",
    version="1.0.0",
    description=(
        "The JSON API of the Hokkaido Digital Talent Bank. Programs authenticate with a personal access "
        "token (`Authorization: Bearer tbp_…`, created on /settings/tokens); browsers may use their session "
        "cookie with an `X-CSRFToken` header on writes. Errors are RFC 9457 problem documents."
    ),
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[
        SecurityScheme(
            name="bearerAuth",
            data=SecuritySchemeData(type="http", scheme="bearer", description="Personal access token (tbp_…)"),
        ),
        SecurityScheme(
            name="cookieAuth",
            data=SecuritySchemeData(
                type="apiKey", name="session", field_in="cookie", description="Browser session + X-CSRFToken"
            ),
        ),
    ],
    annotations=False,
)


class Operation:
    """What `operation` recorded about a view: for the OpenAPI post-processing and the tests."""

    registry: ClassVar[dict[str, Operation]] = {}

    def __init__(
        self, name: str, scope: str | None, public: bool, errors: tuple[int, ...], own: tuple[int, ...] = ()
    ) -> None:
        self.name = name
        self.scope = scope
        self.public = public
        self.errors = errors
        self.own = own  # 4xx statuses answered with the operation's own body (a protocol's), not a problem


# ---- the document ---------------------------------------------------------------------------------

_ERROR_TEXT = {
    400: "Bad request (for example a CSRF failure, or a token in the query string)",
    401: "Missing, invalid, expired or revoked credentials",
    403: "Authenticated, but not allowed (role or token scope)",
    404: "No such resource, or not visible to the caller",
    409: "Conflicts with the current state",
    410: "The resource was deleted on purpose",
    413: "Upload too large",
    415: "The body is not in a format the operation reads (see its request body)",
    422: "Invalid input; `fields` names each problem",
    429: "Rate limit exceeded; see Retry-After",
}


def openapi_document() -> dict[str, Any]:
    """The generated document, plus what every operation shares: problem responses, security, tags."""
    document = copy.deepcopy(spec.spec)
    schemas = document["components"]["schemas"]
    schemas.pop("ValidationError", None)  # spectree's default 422 body, which we never send
    schemas["Problem"] = Problem.model_json_schema()
    document["info"]["license"] = {"name": "Apache-2.0", "identifier": "Apache-2.0"}
    document["tags"] = [{"name": name, "description": text} for name, text in TAGS.items()]
    document.pop("security", None)
    for path, path_item in document["paths"].items():
        for method, operation_object in path_item.items():
            declared = Operation.registry[operation_object["operationId"]]
            if not operation_object.get("description"):
                operation_object.pop("description", None)
            codes = {400, 401, 422, 429, *declared.errors}
            if method != "get":
                codes.add(415)
            if "{" in path:
                codes.add(404)
            if declared.public:
                operation_object["security"] = [{}, {"bearerAuth": []}]
            else:
                codes.add(403)
                operation_object["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
                operation_object["x-scope"] = declared.scope
            responses = operation_object["responses"]
            for code in sorted(codes - set(declared.own)):  # replaces spectree's own 422 (we answer it with a problem)
                responses[str(code)] = {
                    "description": _ERROR_TEXT[code],
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                }
            for code in declared.own:  # the protocol's body, or a problem when the request was not even read
                content = responses.setdefault(str(code), {"description": _ERROR_TEXT[code]}).setdefault("content", {})
                content["application/problem+json"] = {"schema": {"$ref": "#/components/schemas/Problem"}}
            responses["429"]["headers"] = {
                "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
            }
    return document
