"""The OpenID4VCI proof JWT check (talentbank/wallet/proofs.py) and the metadata shapes, without the app."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import badges
from talentbank.wallet.metadata import CLR_CONFIGURATIONS, credential_offer, issuer_metadata, offer_uri
from talentbank.wallet.proofs import ProofError, check_proof, did_jwk

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
AUD = "https://talent.example.jp"
KEY = Ed25519PrivateKey.generate()
KID = badges.did_key_verification_method(KEY.public_key())


def _proof(headers=None, claims=None, key=KEY, algorithm="EdDSA") -> str:
    body = {"aud": AUD, "iat": int(NOW.timestamp()), "nonce": "n-1", **(claims or {})}
    header = {"typ": "openid4vci-proof+jwt", "kid": KID, **(headers or {})}
    return jwt.encode(body, key, algorithm=algorithm, headers=header)


def test_a_did_key_proof_binds_that_did():
    proof = check_proof(_proof(claims={"iss": "wallet-1"}), audience=AUD, now=NOW)
    assert proof.holder_did == KID.partition("#")[0] and proof.nonce == "n-1" and proof.client_id == "wallet-1"


def test_an_es256_jwk_proof_binds_did_jwk():
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = badges.public_key_jwk(key.public_key())
    token = jwt.encode({"aud": AUD, "iat": int(NOW.timestamp()), "nonce": "n"}, key, algorithm="ES256",
                       headers={"typ": "openid4vci-proof+jwt", "jwk": jwk})  # fmt: skip
    holder = check_proof(token, audience=AUD, now=NOW).holder_did
    assert holder == did_jwk(jwk)
    decoded = json.loads(base64.urlsafe_b64decode(holder.removeprefix("did:jwk:") + "=="))
    assert decoded == {k: jwk[k] for k in ("crv", "kty", "x", "y")}


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (_proof(headers={"typ": "JWT"}), "invalid_proof"),
        (_proof(headers={"jwk": badges.public_key_jwk(KEY.public_key())}), "invalid_proof"),  # kid and jwk
        (_proof(headers={"kid": "did:web:example.jp#key-1"}), "invalid_proof"),
        (_proof(headers={"crit": ["exp"]}), "invalid_proof"),
        (_proof(key=Ed25519PrivateKey.generate()), "invalid_proof"),
        (_proof(claims={"aud": "https://other.example"}), "invalid_proof"),
        (_proof(claims={"iat": int((NOW + timedelta(minutes=5)).timestamp())}), "invalid_proof"),
        (_proof(claims={"iat": int((NOW - timedelta(minutes=10)).timestamp())}), "invalid_proof"),
        (_proof(claims={"nonce": None}), "invalid_nonce"),
        (
            jwt.encode(
                {"aud": AUD, "iat": 1, "nonce": "n"},
                "secret",
                algorithm="HS256",
                headers={"typ": "openid4vci-proof+jwt", "kid": KID},
            ),
            "invalid_proof",
        ),
        ("a.b.c", "invalid_proof"),
        (None, "invalid_proof"),
        ("x" * 9000, "invalid_proof"),
    ],
)
def test_bad_proofs_are_refused_with_their_code(token, code):
    with pytest.raises(ProofError) as refused:
        check_proof(token, audience=AUD, now=NOW)
    assert refused.value.code == code


def test_a_private_jwk_is_refused():
    private = {**badges.public_key_jwk(KEY.public_key()), "d": "AAAA"}
    token = jwt.encode({"aud": AUD, "iat": int(NOW.timestamp()), "nonce": "n"}, KEY, algorithm="EdDSA",
                       headers={"typ": "openid4vci-proof+jwt", "jwk": private})  # fmt: skip
    with pytest.raises(ProofError, match="unusable key"):
        check_proof(token, audience=AUD, now=NOW)


def test_the_offer_and_metadata_shapes():
    offer = credential_offer(AUD, "code-1", tx_code_length=6, tx_code_description="6桁")
    grant = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert grant == {"pre-authorized_code": "code-1", "tx_code": {"input_mode": "numeric", "length": 6,
                                                                  "description": "6桁"}}  # fmt: skip
    assert offer_uri(offer).startswith("openid-credential-offer://?credential_offer=%7B%22credential_issuer%22")
    metadata = issuer_metadata(AUD, {"ja": "発行者"}, {"ja": "バッジ"}, {"ja": "学修記録"})
    record_offer = credential_offer(AUD, "code-2", tx_code_length=None, tx_code_description="",
                                    configurations=CLR_CONFIGURATIONS)  # fmt: skip
    assert set(metadata["credential_configurations_supported"]) == {
        *offer["credential_configuration_ids"],
        *record_offer["credential_configuration_ids"],
    }
    assert record_offer["credential_configuration_ids"] == ["ClrCredential_jwt_vc_json", "ClrCredential_ldp_vc"]
    clr_ldp = metadata["credential_configurations_supported"]["ClrCredential_ldp_vc"]
    assert clr_ldp["credential_definition"]["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr_ldp["credential_metadata"] == {"display": [{"name": "学修記録", "locale": "ja"}]}
