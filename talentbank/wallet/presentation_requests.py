"""The two ways talentbank asks a wallet for a presentation: plain data, no Flask.

- OpenID4VP 1.0 (§5): an authorisation request passed by value as an ``openid4vp://`` link, with
  ``response_type=vp_token``, ``response_mode=direct_post`` to our ``response_uri``, the ``nonce``, a
  ``state`` and a DCQL query for an Open Badge (``jwt_vc_json`` or ``ldp_vc``). ``client_id`` is the site's
  base URL (a pre-registered client identifier, so no prefix); it is also the VP-JWT ``aud`` we expect.
- A Verifiable Presentation Request (W3C CCG VP Request Spec, as the Learner Credential Wallet's exchanges
  use): ``DIDAuthentication`` and a ``QueryByExample`` for an OpenBadgeCredential, with ``challenge`` and
  ``domain`` and the endpoint to post the presentation to (``interact``).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from talentbank.wallet.metadata import CREDENTIAL_CONTEXTS, CREDENTIAL_TYPES, PROOF_ALGORITHMS

SCHEME = "openid4vp://"
RESPONSE_PATH = "/oid4vp/response"  # + /<request id>
REQUEST_PATH = "/oid4vp/requests"  # + /<request id>: the request object, for wallets that fetch it


def response_uri(base_url: str, request_id: str) -> str:
    return f"{base_url}{RESPONSE_PATH}/{request_id}"


def _dcql() -> dict[str, Any]:
    return {
        "credentials": [
            {"id": "badge_jwt", "format": "jwt_vc_json", "meta": {"type_values": [CREDENTIAL_TYPES]}, "multiple": True},
            {"id": "badge_ldp", "format": "ldp_vc", "meta": {"type_values": [CREDENTIAL_TYPES]}, "multiple": True},
        ],
        "credential_sets": [{"options": [["badge_jwt"], ["badge_ldp"]], "required": True}],
    }


def authorization_request(base_url: str, request_id: str, challenge: str) -> dict[str, Any]:
    """The OpenID4VP request object (its parameters as JSON)."""
    return {
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "client_id": base_url,
        "response_uri": response_uri(base_url, request_id),
        "nonce": challenge,
        "state": request_id,
        "dcql_query": _dcql(),
        "client_metadata": {
            "vp_formats_supported": {
                "jwt_vc_json": {"alg_values": list(PROOF_ALGORITHMS)},
                "ldp_vc": {"proof_type_values": ["DataIntegrityProof"], "cryptosuite_values": ["eddsa-rdfc-2022"]},
            }
        },
    }


def authorization_uri(request: dict[str, Any]) -> str:
    """openid4vp://?<parameters>: the request by value (objects as compact JSON)."""
    fields = {k: v if isinstance(v, str) else json.dumps(v, separators=(",", ":")) for k, v in request.items()}
    return f"{SCHEME}?{urlencode(fields)}"


def presentation_request(base_url: str, request_id: str, challenge: str, reason: str) -> dict[str, Any]:
    """The Verifiable Presentation Request (DIDAuth and a query by example for an Open Badge)."""
    return {
        "query": [
            {"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}, {"method": "jwk"}],
             "acceptedCryptosuites": [{"cryptosuite": "eddsa-rdfc-2022"}]},
            {"type": "QueryByExample", "credentialQuery": [{
                "reason": reason, "example": {"@context": CREDENTIAL_CONTEXTS, "type": CREDENTIAL_TYPES[-1]}}]},
        ],
        "challenge": challenge,
        "domain": base_url,
        "interact": {"service": [{"type": "UnmediatedPresentationService2021",
                                  "serviceEndpoint": response_uri(base_url, request_id)}]},
    }  # fmt: skip
