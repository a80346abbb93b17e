"""The metadata documents OpenID4VCI 1.0 asks for, and the offer a wallet scans: plain data, no Flask.

Credential issuer metadata (OpenID4VCI 1.0 §12.2), OAuth 2.0 authorisation-server metadata (RFC 8414,
with the pre-authorised grant of §12.3) and the credential offer (§4.1.1). talentbank is its own
authorisation server, so the issuer metadata names no `authorization_servers` (§12.2.4).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from badges import clr

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_SCHEME = "openid-credential-offer://"
PROOF_TYPE = "openid4vci-proof+jwt"
PROOF_ALGORITHMS = ("EdDSA", "ES256")
JWT_CONFIGURATION = "OpenBadgeCredential_jwt_vc_json"
LDP_CONFIGURATION = "OpenBadgeCredential_ldp_vc"
CONFIGURATIONS = (JWT_CONFIGURATION, LDP_CONFIGURATION)
FORMATS = ("jwt_vc_json", "ldp_vc")  # the format of each configuration, in the same order
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
CREDENTIAL_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
# A CLR 2.0 learner record (ClrCredential), in the same two formats.
CLR_JWT_CONFIGURATION = "ClrCredential_jwt_vc_json"
CLR_LDP_CONFIGURATION = "ClrCredential_ldp_vc"
CLR_CONFIGURATIONS = (CLR_JWT_CONFIGURATION, CLR_LDP_CONFIGURATION)
CLR_TYPES = ["VerifiableCredential", "ClrCredential"]
CLR_CONTEXTS = list(clr.CLR_CONTEXTS)
JWT_CONFIGURATIONS = (JWT_CONFIGURATION, CLR_JWT_CONFIGURATION)
TOKEN_PATH = "/oid4vci/token"  # noqa: S105 - a path, not a secret
NONCE_PATH = "/oid4vci/nonce"
CREDENTIAL_PATH = "/oid4vci/credential"


def _binding() -> dict[str, Any]:
    return {
        "cryptographic_binding_methods_supported": ["did:key", "did:jwk", "jwk"],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGORITHMS)}},
    }


def _display(names: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "locale": locale} for locale, name in names.items()]


def _configuration(format_: str, types: list[str], contexts: list[str], display: dict[str, Any]) -> dict[str, Any]:
    definition: dict[str, Any] = {"type": types} if format_ == FORMATS[0] else {"@context": contexts, "type": types}
    return {
        "format": format_,
        "credential_definition": definition,
        "credential_signing_alg_values_supported": ["EdDSA" if format_ == FORMATS[0] else "eddsa-rdfc-2022"],
        **_binding(),
        "credential_metadata": display,
    }


def issuer_metadata(
    issuer: str, names: dict[str, str], badge_names: dict[str, str], record_names: dict[str, str]
) -> dict[str, Any]:
    """`/.well-known/openid-credential-issuer`: the endpoints and the two formats an OB 3.0 badge, and a
    CLR 2.0 learner record, come in.

    `names`, `badge_names` and `record_names` are the issuer's, a badge's and a record's display names by locale.
    """
    badge, record = {"display": _display(badge_names)}, {"display": _display(record_names)}
    return {
        "credential_issuer": issuer,
        "credential_endpoint": issuer + CREDENTIAL_PATH,
        "nonce_endpoint": issuer + NONCE_PATH,
        "display": _display(names),
        "credential_configurations_supported": {
            JWT_CONFIGURATION: _configuration(FORMATS[0], CREDENTIAL_TYPES, CREDENTIAL_CONTEXTS, badge),
            LDP_CONFIGURATION: _configuration(FORMATS[1], CREDENTIAL_TYPES, CREDENTIAL_CONTEXTS, badge),
            CLR_JWT_CONFIGURATION: _configuration(FORMATS[0], CLR_TYPES, CLR_CONTEXTS, record),
            CLR_LDP_CONFIGURATION: _configuration(FORMATS[1], CLR_TYPES, CLR_CONTEXTS, record),
        },
    }


def authorization_server_metadata(issuer: str) -> dict[str, Any]:
    """`/.well-known/oauth-authorization-server`: a token endpoint for the pre-authorised grant only."""
    return {
        "issuer": issuer,
        "token_endpoint": issuer + TOKEN_PATH,
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "response_types_supported": [],  # no authorisation endpoint: codes come only in offers
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


def credential_offer(
    issuer: str,
    code: str,
    *,
    tx_code_length: int | None,
    tx_code_description: str,
    configurations: tuple[str, ...] = CONFIGURATIONS,
) -> dict:
    """The credential offer object (§4.1.1) for both formats (of a badge, or of a learner record), with a
    pre-authorised code."""
    grant: dict[str, Any] = {"pre-authorized_code": code}
    if tx_code_length:
        grant["tx_code"] = {"input_mode": "numeric", "length": tx_code_length, "description": tx_code_description}
    return {
        "credential_issuer": issuer,
        "credential_configuration_ids": list(configurations),
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def offer_uri(offer: dict[str, Any]) -> str:
    """The offer passed by value (§4.1.2): openid-credential-offer://?credential_offer=<JSON>."""
    text = json.dumps(offer, separators=(",", ":"), ensure_ascii=False)
    return f"{OFFER_SCHEME}?credential_offer={quote(text, safe='')}"
