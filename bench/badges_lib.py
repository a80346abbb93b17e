"""Benchmark of the badges library alone (no app, no database); prints rates per second.

Compares, in the same run and on the same payload: our VC-JWT signing and full verification
against bare PyJWT EdDSA encode/decode, plus Data Integrity (eddsa-rdfc-2022) sign/verify.

    .venv/bin/python bench/badges_lib.py [--jwt N] [--di N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges import (
    AchievementInput,
    Alignment,
    CredentialInput,
    IssuerProfile,
    Recipient,
    build_credential,
    check_terms,
    did_document,
    public_key_multibase,
    schema_errors,
    sign_data_integrity,
    sign_jwt,
    verify,
)
from badges.contexts import _expansion_problems
from badges.data_integrity import verify_data_integrity
from badges.vc_jwt import claims_mismatches, expected_claims, read_header, verify_jwt_signature

NOW = datetime(2026, 11, 22, tzinfo=UTC)
DID = "did:web:talentbank.example:issuers:bench"


def _rate(label: str, count: int, action: Callable[[int], Any]) -> float:
    start = time.perf_counter()
    for index in range(count):
        action(index)
    elapsed = time.perf_counter() - start
    rate = count / elapsed
    print(f"{label:<48} {rate:>10.1f} /s   ({count} in {elapsed:.2f} s)")
    return rate


def _credential() -> dict[str, Any]:
    return build_credential(
        CredentialInput(
            issuer=IssuerProfile(DID, "Bench Issuer", "https://talentbank.example/orgs/1"),
            achievement=AchievementInput(
                id="https://talentbank.example/achievements/1",
                name="データ分析基礎",
                description="Basic data analysis.",
                criteria_narrative="Completed the course.",
                alignments=(
                    Alignment(
                        "統計数理基礎",
                        "https://talentbank.example/skills/ds-1",
                        "DS-1",
                        "DSS-P",
                    ),
                ),
            ),
            recipient=Recipient(email="learner@example.jp"),
            valid_from=NOW - timedelta(days=1),
            valid_until=NOW + timedelta(days=365),
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jwt", type=int, default=3000, help="VC-JWT iterations")
    parser.add_argument("--di", type=int, default=200, help="Data Integrity iterations")
    args = parser.parse_args()

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public = key.public_key()
    kid = f"{DID}#{public_key_multibase(public)}"
    resolve = {"https://talentbank.example/issuers/bench/did.json": did_document(DID, [public])}.__getitem__
    # Distinct credentials (own id, salt, hash), as in a real batch; cycled through below.
    started = time.perf_counter()
    credentials = [_credential() for _ in range(200)]
    print(f"{'badges.build_credential (incl. term check)':<48} {200 / (time.perf_counter() - started):>10.1f} /s")
    credential = credentials[0]
    payload = {**credential, **expected_claims(credential)}
    headers = {"kid": kid, "typ": "JWT"}

    print("VC-JWT (EdDSA) vs bare PyJWT on the same payload")
    bare_token = jwt.encode(payload, key, algorithm="EdDSA", headers=headers)
    bare_sign = _rate("bare PyJWT encode", args.jwt, lambda i: jwt.encode(payload, key, "EdDSA", headers))
    ours_sign = _rate("badges.sign_jwt", args.jwt, lambda i: sign_jwt(credentials[i % 200], key, kid=kid))
    bare_verify = _rate(
        "bare PyJWT decode (signature + exp/nbf)",
        args.jwt,
        lambda i: jwt.decode(bare_token, public, algorithms=["EdDSA"]),
    )
    tokens = [sign_jwt(item, key, kid=kid) for item in credentials]
    assert all(verify(token, now=NOW, resolve_document=resolve).verified for token in tokens)
    ours_verify = _rate(
        "badges.verify(jwt) (all checks)",
        args.jwt,
        lambda i: verify(tokens[i % 200], now=NOW, resolve_document=resolve),
    )
    print(
        f"  sign: {100 * ours_sign / bare_sign:.0f}% of bare;  verify: {100 * ours_verify / bare_verify:.0f}% of bare"
    )
    print("Where verify's time goes")
    header = read_header(tokens[0])
    _rate(
        "  signature + registered-claims check only",
        args.jwt,
        lambda i: claims_mismatches(verify_jwt_signature(tokens[0], header, public), credential),
    )
    _rate("  official JSON Schema validation", args.di, lambda i: schema_errors(credentials[i % 200]))
    _rate("  undefined-term check (skeleton cache hit)", args.di, lambda i: check_terms(credentials[i % 200]))
    _rate("  undefined-term check (full pyld expand)", args.di, lambda i: _expansion_problems(credentials[i % 200]))

    print("Data Integrity eddsa-rdfc-2022")
    _rate(
        "badges.sign_data_integrity",
        args.di,
        lambda i: sign_data_integrity(credentials[i % 200], key, verification_method=kid, created=NOW),
    )
    signed = [sign_data_integrity(item, key, verification_method=kid, created=NOW) for item in credentials]
    _rate(
        "badges.verify_data_integrity (proof only)",
        args.di,
        lambda i: verify_data_integrity(signed[i % 200], signed[i % 200]["proof"], public),
    )
    assert verify(signed[0], now=NOW, resolve_document=resolve).verified
    _rate(
        "badges.verify(json) (all checks)",
        args.di,
        lambda i: verify(signed[i % 200], now=NOW, resolve_document=resolve),
    )


if __name__ == "__main__":
    main()
