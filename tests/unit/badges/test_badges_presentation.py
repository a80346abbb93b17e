"""badges/presentation.py: a holder's presentation (Data Integrity or VP-JWT) for one challenge and domain,
each credential in it verified and bound to the holder. Our own signer here; interop is in tests/interop."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import badges
from badges.keys import public_key_jwk
from badges.presentation import did_jwk, presentation_jwt, sign_presentation, verify_presentation
from tests.unit.badges.badges_support import NOW, resolver, signed_di, signed_jwt

HOLDER_KEY = Ed25519PrivateKey.generate()
KID = badges.did_key_verification_method(HOLDER_KEY.public_key())
HOLDER = KID.partition("#")[0]
OTHER_KEY = Ed25519PrivateKey.generate()
OTHER_KID = badges.did_key_verification_method(OTHER_KEY.public_key())
CHALLENGE, DOMAIN = "c-7f3a", "https://talent.example.jp"


def _verify_credential(document):
    return badges.verify(document, now=NOW, resolve_document=resolver())


def _check(presentation, challenge=CHALLENGE, domain=DOMAIN, now=NOW):
    return verify_presentation(presentation, challenge=challenge, domain=domain, now=now,
                               verify_credential=_verify_credential)  # fmt: skip


def _di(credentials=None, key=HOLDER_KEY, holder=HOLDER, challenge=CHALLENGE, domain=DOMAIN):
    credentials = credentials if credentials is not None else [signed_di(did=HOLDER)]
    return sign_presentation(credentials, key, holder=holder, challenge=challenge, domain=domain, created=NOW)


def _jwt(credentials=None, key=HOLDER_KEY, kid=KID, holder=HOLDER, challenge=CHALLENGE, audience=DOMAIN, **kw):
    credentials = credentials if credentials is not None else [signed_jwt(did=HOLDER)]
    return presentation_jwt(credentials, key, kid=kid, holder=holder, challenge=challenge, audience=audience,
                            now=NOW, **kw)  # fmt: skip


def test_a_data_integrity_presentation_of_holder_bound_credentials_verifies():
    result = _check(_di([signed_di(did=HOLDER), signed_jwt(did=HOLDER)]))
    assert (result.format, result.holder, result.refusal) == ("ldp_vp", HOLDER, None)
    assert [c.problems for c in result.credentials] == [[], []]
    assert result.verified
    assert _check(json.dumps(_di())).verified  # as JSON text too


def test_a_vp_jwt_verifies_with_did_key_and_with_a_p256_jwk():
    assert _check(_jwt()).verified
    p256 = ec.generate_private_key(ec.SECP256R1())
    jwk = public_key_jwk(p256.public_key())
    holder = did_jwk(jwk)
    token = jwt.encode({"iss": holder, "aud": DOMAIN, "nonce": CHALLENGE,
                        "vp": {"type": "VerifiablePresentation", "verifiableCredential": [signed_jwt(did=holder)]}},
                       p256, algorithm="ES256", headers={"jwk": jwk})  # fmt: skip
    result = _check(token)
    assert (result.holder, result.refusal, result.verified) == (holder, None, True)


@pytest.mark.parametrize(
    ("presentation", "refusal"),
    [
        (lambda: _di(challenge="other"), "challenge_mismatch"),
        (lambda: _di(domain="https://evil.example"), "domain_mismatch"),
        (lambda: _jwt(challenge="other"), "challenge_mismatch"),
        (lambda: _jwt(audience="https://evil.example"), "domain_mismatch"),
        (lambda: _di(key=OTHER_KEY), "holder_proof_invalid"),  # signed by another key than its method names
        (lambda: _jwt(holder="did:key:z6MkOther"), "holder_mismatch"),
        (lambda: _di([]), "no_credentials"),
        (lambda: "not a presentation", "presentation_unreadable"),
        (lambda: {"type": "VerifiablePresentation"}, "holder_proof_missing"),
        (lambda: [1, 2], "presentation_unreadable"),
    ],
)
def test_refusals_of_the_presentation_as_a_whole(presentation, refusal):
    result = _check(presentation())
    assert (result.refusal, result.verified, result.credentials) == (refusal, False, ())


def test_a_changed_presentation_or_an_old_jwt_is_refused():
    tampered = _di()
    tampered["holder"] = "did:key:z6MkSomeoneElse"
    assert _check(tampered).refusal == "holder_proof_invalid"
    assert _check(_jwt(), now=NOW + timedelta(hours=1)).refusal == "presentation_expired"
    assert _check(_di(), challenge=CHALLENGE, domain=DOMAIN).verified


def test_credentials_of_another_holder_or_tampered_are_each_refused():
    other_holder = OTHER_KID.partition("#")[0]
    tampered = signed_di(did=HOLDER)
    tampered = copy.deepcopy(tampered)
    tampered["credentialSubject"]["achievement"]["name"] = "書き換え"
    result = _check(_di([signed_di(did=other_holder), tampered, signed_di(did=HOLDER)]))
    assert result.refusal is None and not result.verified
    first, second, third = result.credentials
    assert first.problems == ["subject_not_holder"]
    assert "proof_invalid" in second.problems
    assert third.verified
