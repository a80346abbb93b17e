"""VC-JWT: issuance format and hardening (SC-10)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest
from badges_support import (
    NOW,
    award,
    issuer_key,
    method_id,
    other_key,
    resolver,
    signed_jwt,
)
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from badges import build_credential, public_key_jwk, sign_jwt, verify
from badges.vc_jwt import expected_claims, jwt_signer


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    decode = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
    return decode(header), decode(payload), signature


def _check(token: str, **kwargs) -> tuple[bool, list[str]]:
    result = verify(token, now=NOW, resolve_document=resolver(), **kwargs)
    return result.verified, result.codes


def test_issued_token_header_and_claims() -> None:
    token = signed_jwt(valid_until=NOW + timedelta(days=30), did="did:example:learner")
    header, payload, _ = _parts(token)
    assert header == {"alg": "EdDSA", "kid": method_id(), "typ": "JWT"}
    assert payload["iss"] == payload["issuer"]["id"]
    assert payload["jti"] == payload["id"]
    assert payload["sub"] == "did:example:learner"
    assert payload["nbf"] == int((NOW - timedelta(days=1)).timestamp())
    assert payload["exp"] == int((NOW + timedelta(days=30)).timestamp())
    assert "vc" not in payload
    assert _check(token) == (
        True,
        [
            "parsed",
            "schema_valid",
            "terms_defined",
            "key_resolved",
            "proof_valid",
            "claims_consistent",
            "valid_period",
            "no_status",
        ],
    )


def test_hashed_email_recipient_has_no_sub() -> None:
    _, payload, _ = _parts(signed_jwt())
    assert "sub" not in payload


def _forge(header: dict, payload: dict, key=None, algorithm: str = "EdDSA") -> str:
    if key is None:
        return f"{_b64(header)}.{_b64(payload)}."
    return jwt.encode(payload, key, algorithm=algorithm, headers=header)


def test_alg_none_rejected() -> None:
    header, payload, _ = _parts(signed_jwt())
    token = f"{_b64({**header, 'alg': 'none'})}.{_b64(payload)}."
    assert _check(token) == (False, ["jwt_malformed"])
    token = f"{_b64({**header, 'alg': 'none'})}.{_b64(payload)}.c2ln"
    assert _check(token) == (False, ["jwt_alg_forbidden"])


def test_hs256_with_public_key_as_secret_rejected() -> None:
    header, payload, _ = _parts(signed_jwt())
    public_pem = issuer_key().public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    secret = public_pem + b"x" * 32  # PyJWT refuses PEM as an HMAC key, so build by hand
    import hashlib
    import hmac

    signing_input = f"{_b64({'alg': 'HS256', 'kid': header['kid'], 'typ': 'JWT'})}.{_b64(payload)}"
    signature = (
        base64.urlsafe_b64encode(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())
        .rstrip(b"=")
        .decode()
    )
    assert _check(f"{signing_input}.{signature}") == (False, ["jwt_alg_forbidden"])


@pytest.mark.parametrize(
    "extra",
    [
        {"crit": ["exp"]},
        {"jku": "https://evil.example/jwks"},
        {"x5u": "https://evil.example/cert"},
        {"x5c": ["MIIB"]},
        {"cty": "JWT"},
    ],
)
def test_forbidden_headers_rejected_even_when_correctly_signed(extra) -> None:
    header, payload, _ = _parts(signed_jwt())
    token = _forge({**header, **extra}, payload, issuer_key())
    assert _check(token) == (False, ["jwt_header_forbidden"])


def test_token_carrying_its_own_key_is_not_trusted() -> None:
    header, payload, _ = _parts(signed_jwt())
    header = {
        "alg": "EdDSA",
        "typ": "JWT",
        "jwk": public_key_jwk(other_key().public_key()),
    }
    assert not _check(_forge(header, payload, other_key()))[0]


def test_missing_kid_rejected() -> None:
    _, payload, _ = _parts(signed_jwt())
    assert _check(_forge({"typ": "JWT"}, payload, issuer_key())) == (
        False,
        ["jwt_kid_missing"],
    )


def test_wrong_key_rejected() -> None:
    header, payload, _ = _parts(signed_jwt())
    ok, codes = _check(_forge(header, payload, other_key()))
    assert not ok and "proof_invalid" in codes


def test_algorithm_key_type_confusion_rejected() -> None:
    header, payload, _ = _parts(signed_jwt())
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ok, codes = _check(_forge({**header, "alg": "ES256"}, payload, ec_key, "ES256"))
    assert not ok and "jwt_key_mismatch" in codes


@pytest.mark.parametrize(
    "claim, value",
    [
        ("iss", "did:web:talentbank.example:issuers:hokkaido-kosen:evil"),
        (
            "iss",
            "did:web:talentbank.example:issuers",
        ),  # substring of the real issuer (CVE-2024-53861)
        ("jti", "urn:uuid:00000000-0000-0000-0000-000000000000"),
        ("nbf", 0),
        ("sub", "did:example:someone"),
        ("exp", 4102444800),
    ],
)
def test_claims_inconsistent_with_credential_rejected(claim, value) -> None:
    header, payload, _ = _parts(signed_jwt())
    ok, codes = _check(_forge(header, {**payload, claim: value}, issuer_key()))
    assert not ok and "claims_mismatch" in codes


def test_missing_exp_when_credential_has_valid_until_rejected() -> None:
    header, payload, _ = _parts(signed_jwt(valid_until=NOW + timedelta(days=30)))
    del payload["exp"]
    ok, codes = _check(_forge(header, payload, issuer_key()))
    assert not ok and "claims_mismatch" in codes


def test_missing_iss_rejected() -> None:
    header, payload, _ = _parts(signed_jwt())
    del payload["iss"]
    ok, codes = _check(_forge(header, payload, issuer_key()))
    assert not ok and "claims_mismatch" in codes


def test_es256_and_rs256_accepted_with_resolved_keys() -> None:
    credential = build_credential(award())
    for key, alg in (
        (ec.generate_private_key(ec.SECP256R1()), "ES256"),
        (rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256"),
    ):
        kid = "https://talentbank.example/issuers/k#key-1"
        controller = {
            "id": "https://talentbank.example/issuers/k",
            "assertionMethod": [kid],
            "verificationMethod": [
                {
                    "id": kid,
                    "type": "JsonWebKey2020",
                    "controller": "https://talentbank.example/issuers/k",
                    "publicKeyJwk": public_key_jwk(key.public_key()),
                }
            ],
        }
        issued = {
            **credential,
            "issuer": {**credential["issuer"], "id": controller["id"]},
        }
        token = sign_jwt(issued, key, kid=kid)
        assert _parts(token)[0]["alg"] == alg
        result = verify(token, now=NOW, resolve_document={controller["id"]: controller}.__getitem__)
        assert result.verified, result.checks


def test_legacy_vc_claim_is_read_but_checked() -> None:
    header, payload, _ = _parts(signed_jwt())
    claims = {k: payload[k] for k in ("iss", "jti", "nbf")}
    credential = {k: v for k, v in payload.items() if k not in claims}
    assert _check(_forge(header, {**claims, "vc": credential}, issuer_key()))[0]
    wrong = {**claims, "jti": "urn:uuid:other", "vc": credential}
    assert "claims_mismatch" in _check(_forge(header, wrong, issuer_key()))[1]


def test_non_canonical_base64_rejected() -> None:
    token = signed_jwt()
    head, body, signature = token.split(".")
    # Ed25519: 64 bytes → 86 chars, the last carrying 2 unused bits; flip one of them.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet[alphabet.index(signature[-1]) ^ 1]
    assert _check(f"{head}.{body}.{signature[:-1]}{last}") == (False, ["jwt_malformed"])


@pytest.mark.parametrize("valid_until", [None, NOW + timedelta(days=30)])
def test_tokens_are_byte_for_byte_those_of_pyjwt(valid_until) -> None:
    """`sign_jwt` builds the compact JWS itself (header encoded once per key); PyJWT's `jwt.encode`
    gives the same bytes (Ed25519 signatures are deterministic), non-ASCII text included."""
    key = issuer_key()
    sign = jwt_signer(key, kid=method_id())
    for number in range(3):
        credential = build_credential(award(valid_until=valid_until, level=number or None))
        credential["name"] = f'データ分析 {number} \u2028 "quoted" </script>'
        payload = {**credential, **expected_claims(credential)}
        expected = jwt.encode(payload, key, algorithm="EdDSA", headers={"kid": method_id(), "typ": "JWT"})
        assert sign(credential) == sign_jwt(credential, key, kid=method_id()) == expected


@pytest.mark.parametrize(
    ("key", "algorithm"),
    [(ec.generate_private_key(ec.SECP256R1()), "ES256"), (rsa.generate_private_key(65537, 2048), "RS256")],
)
def test_other_algorithms_sign_what_pyjwt_verifies(key, algorithm) -> None:
    credential = build_credential(award())
    token = sign_jwt(credential, key, kid="k")
    header = jwt.get_unverified_header(token)
    assert header == {"alg": algorithm, "kid": "k", "typ": "JWT"}
    decoded = jwt.decode(token, key.public_key(), algorithms=[algorithm], options={"verify_nbf": False})
    assert decoded == {**credential, **expected_claims(credential)}


def test_a_bulk_signer_signs_pyjwts_bytes_for_a_builders_documents() -> None:
    """A bulk signer (header encoded once) over a builder's documents, which share its issuer and
    achievement objects: every token is exactly PyJWT's, with or without evidence and status."""
    from badges import EvidenceInput, Recipient, StatusEntry, credential_builder

    base = award(level=2)
    build = credential_builder(base.issuer, base.achievement, valid_from=base.valid_from, name=base.name)
    key = issuer_key()
    sign = jwt_signer(key, kid=method_id())
    for number in range(4):
        credential = build(
            Recipient(email=f"learner{number}@example.jp"),
            id=f"https://talentbank.example/credentials/{number}",
            evidence=(EvidenceInput(narrative=f"成果 {number} \u2028"),) if number % 2 else (),
            status=StatusEntry("https://talentbank.example/status/1", number) if number > 1 else None,
        )
        payload = {**credential, **expected_claims(credential)}
        expected = jwt.encode(payload, key, algorithm="EdDSA", headers={"kid": method_id(), "typ": "JWT"})
        assert sign(credential) == expected


# --- OB 3.0 §8.2.3 key forms: kid as an https URL of a JWK or a JWK Set, and the jwk header -------

HOST = "https://issuer.example"


def _https_issued(key, kid: str, header_extra: dict | None = None, *, drop_kid: bool = False) -> str:
    credential = build_credential(award())
    issued = {**credential, "issuer": {**credential["issuer"], "id": f"{HOST}/profile"}}
    header = {"alg": "EdDSA", "kid": kid, "typ": "JWT", **(header_extra or {})}
    if drop_kid:
        del header["kid"]
    payload = _parts(sign_jwt(issued, key, kid=kid))[1]
    return _forge(header, payload, key)


def _codes(token: str, documents: dict) -> tuple[bool, list[str]]:
    def resolve(url: str):
        if url not in documents:
            raise OSError("unreachable")
        return documents[url]

    result = verify(token, now=NOW, resolve_document=resolve)
    return result.verified, result.codes


def test_kid_as_an_https_url_of_a_jwk_or_a_key_set() -> None:
    key = Ed25519PrivateKey.generate()
    jwk = public_key_jwk(key.public_key())
    assert _codes(_https_issued(key, f"{HOST}/key.json"), {f"{HOST}/key.json": jwk})[0]
    key_set = {"keys": [{**public_key_jwk(Ed25519PrivateKey.generate().public_key()), "kid": "old"},
                        {**jwk, "kid": "k2"}]}  # fmt: skip
    assert _codes(_https_issued(key, f"{HOST}/jwks.json#k2"), {f"{HOST}/jwks.json": key_set})[0]
    verified, codes = _codes(_https_issued(key, f"{HOST}/jwks.json#k9"), {f"{HOST}/jwks.json": key_set})
    assert not verified and "key_unresolved" in codes
    verified, codes = _codes(_https_issued(key, f"{HOST}/gone.json"), {})
    assert not verified and "key_unreachable" in codes
    other = public_key_jwk(Ed25519PrivateKey.generate().public_key())
    verified, codes = _codes(_https_issued(key, f"{HOST}/key.json"), {f"{HOST}/key.json": other})
    assert not verified and "proof_invalid" in codes
    # A key on another host does not sign for this issuer.
    verified, codes = _codes(_https_issued(key, "https://elsewhere.example/key.json"),
                             {"https://elsewhere.example/key.json": jwk})  # fmt: skip
    assert not verified and "issuer_key_mismatch" in codes


def test_jwk_header_counts_only_when_the_issuer_publishes_that_key() -> None:
    header, payload, _ = _parts(signed_jwt())
    published = public_key_jwk(issuer_key().public_key())
    assert _check(_forge({**header, "jwk": published}, payload, issuer_key()))[0]
    stranger = Ed25519PrivateKey.generate()
    token = _forge({**header, "jwk": public_key_jwk(stranger.public_key())}, payload, stranger)
    verified, codes = _check(token)
    assert not verified and "jwk_not_published" in codes
    # Without a kid the issuer's did:web document must list the key.
    did = "did:web:issuer.example"
    method = f"{did}#k1"
    document = {"id": did, "assertionMethod": [method], "verificationMethod": [
        {"id": method, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": published}]}  # fmt: skip
    credential = build_credential(award())
    issued = {**credential, "issuer": {**credential["issuer"], "id": did}}
    body = _parts(sign_jwt(issued, issuer_key(), kid=method))[1]
    good = _forge({"alg": "EdDSA", "typ": "JWT", "jwk": published}, body, issuer_key())
    assert _codes(good, {"https://issuer.example/.well-known/did.json": document})[0]
    forged = _forge({"alg": "EdDSA", "typ": "JWT", "jwk": public_key_jwk(stranger.public_key())}, body, stranger)
    verified, codes = _codes(forged, {"https://issuer.example/.well-known/did.json": document})
    assert not verified and "jwk_not_published" in codes
