"""Benchmark of the badges library alone (no app, no database); prints rates per second.

Compares, in the same run and on the same payload: our VC-JWT signing and full verification
against bare PyJWT EdDSA encode/decode (issue 4 targets: each ≥ 50% of the bare rate), plus
Data Integrity (eddsa-rdfc-2022) sign/verify, and where verify's time goes.

Each rate is the median of ``--rounds`` timed rounds, and the bare and our measurements of a
pair are interleaved round by round, so a noisy neighbour on the machine hits both alike.

    .venv/bin/python bench/badges_lib.py [--jwt N] [--di N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Run as a script, this folder comes first on sys.path and its badges.py (the app benchmark)
# would shadow the badges package: put the repository root first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
from badges.schema import ACHIEVEMENT_SCHEMA, _validator
from badges.vc_jwt import claims_mismatches, expected_claims, read_compact, verify_compact_signature

NOW = datetime(2026, 11, 22, tzinfo=UTC)
DID = "did:web:talentbank.example:issuers:bench"
TARGET = 0.50  # issue 4: ours ≥ 50% of the bare PyJWT rate, for signing and for verifying
BATCH = 200  # distinct credentials (own id, salt, hash), as in a real batch; cycled through


def _time(count: int, action: Callable[[int], Any]) -> float:
    start = time.perf_counter()
    for index in range(count):
        action(index)
    return count / (time.perf_counter() - start)


def _show(label: str, rates: list[float], count: int) -> float:
    rate = statistics.median(rates)
    spread = f"{min(rates):.0f}–{max(rates):.0f}" if len(rates) > 1 else ""
    print(f"{label:<50} {rate:>10.1f} /s   (median of {len(rates)} × {count}; {spread})")
    return rate


def _rates(rounds: int, count: int, *actions: Callable[[int], Any]) -> list[list[float]]:
    """Rates of each action, timed in interleaved rounds (first round of each is a warm-up)."""
    for action in actions:
        _time(min(count, 50), action)
    results: list[list[float]] = [[] for _ in actions]
    for _ in range(rounds):
        for slot, action in enumerate(actions):
            results[slot].append(_time(count, action))
    return results


def _rate(label: str, rounds: int, count: int, action: Callable[[int], Any]) -> float:
    return _show(label, _rates(rounds, count, action)[0], count)


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


def _verdict(name: str, ours: float, bare: float) -> str:
    ratio = ours / bare
    status = "PASS" if ratio >= TARGET else "FAIL"
    return f"  {name:<7} {100 * ratio:5.0f}% of bare (target ≥ {100 * TARGET:.0f}%)  {status}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jwt", type=int, default=2000, help="VC-JWT iterations per round")
    parser.add_argument("--di", type=int, default=100, help="Data Integrity iterations per round")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per measurement (median shown)")
    args = parser.parse_args()
    rounds = max(1, args.rounds)

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public = key.public_key()
    kid = f"{DID}#{public_key_multibase(public)}"
    resolve = {"https://talentbank.example/issuers/bench/did.json": did_document(DID, [public])}.__getitem__
    started = time.perf_counter()
    credentials = [_credential() for _ in range(BATCH)]
    print(f"{'badges.build_credential (incl. term check)':<50} {BATCH / (time.perf_counter() - started):>10.1f} /s")
    credential = credentials[0]
    payload = {**credential, **expected_claims(credential)}
    headers = {"kid": kid, "typ": "JWT"}

    print(
        f"\nVC-JWT (EdDSA) vs bare PyJWT on the same payload ({len(jwt.encode(payload, key, 'EdDSA', headers))} chars)"
    )
    bare_sign_rates, ours_sign_rates = _rates(
        rounds,
        args.jwt,
        lambda i: jwt.encode(payload, key, "EdDSA", headers),
        lambda i: sign_jwt(credentials[i % BATCH], key, kid=kid),
    )
    bare_sign = _show("bare PyJWT encode", bare_sign_rates, args.jwt)
    ours_sign = _show("badges.sign_jwt", ours_sign_rates, args.jwt)
    bare_token = jwt.encode(payload, key, algorithm="EdDSA", headers=headers)
    tokens = [sign_jwt(item, key, kid=kid) for item in credentials]
    assert all(verify(token, now=NOW, resolve_document=resolve).verified for token in tokens)
    bare_verify_rates, ours_verify_rates = _rates(
        rounds,
        args.jwt,
        lambda i: jwt.decode(bare_token, public, algorithms=["EdDSA"]),
        lambda i: verify(tokens[i % BATCH], now=NOW, resolve_document=resolve),
    )
    bare_verify = _show("bare PyJWT decode (signature + exp/nbf)", bare_verify_rates, args.jwt)
    ours_verify = _show("badges.verify(jwt) (all checks)", ours_verify_rates, args.jwt)
    print(_verdict("sign:", ours_sign, bare_sign))
    print(_verdict("verify:", ours_verify, bare_verify))

    print("\nWhere verify(jwt)'s time goes (each step alone)")
    jws = read_compact(tokens[0])
    _rate("  read token (base64url, JSON, header rules)", rounds, args.jwt, lambda i: read_compact(tokens[i % BATCH]))
    _rate(
        "  signature (PyJWT EdDSA) + registered claims",
        rounds,
        args.jwt,
        lambda i: (verify_compact_signature(jws, public), claims_mismatches(jws.payload, credential)),
    )
    _rate(
        "  official JSON Schema check: schema_errors()",
        rounds,
        args.jwt,
        lambda i: schema_errors(credentials[i % BATCH]),
    )
    reference = _validator(ACHIEVEMENT_SCHEMA)
    _rate(
        "  same, jsonschema is_valid (reference engine)",
        rounds,
        args.di,
        lambda i: reference.is_valid(credentials[i % BATCH]),
    )
    _rate(
        "  undefined-term check (skeleton cache hit)", rounds, args.jwt, lambda i: check_terms(credentials[i % BATCH])
    )
    _rate(
        "  undefined-term check (full pyld expand)",
        rounds,
        args.di,
        lambda i: _expansion_problems(credentials[i % BATCH]),
    )

    print("\nData Integrity eddsa-rdfc-2022")
    _rate(
        "badges.sign_data_integrity",
        rounds,
        args.di,
        lambda i: sign_data_integrity(credentials[i % BATCH], key, verification_method=kid, created=NOW),
    )
    signed = [sign_data_integrity(item, key, verification_method=kid, created=NOW) for item in credentials]
    _rate(
        "badges.verify_data_integrity (proof only)",
        rounds,
        args.di,
        lambda i: verify_data_integrity(signed[i % BATCH], signed[i % BATCH]["proof"], public),
    )
    assert verify(signed[0], now=NOW, resolve_document=resolve).verified
    _rate(
        "badges.verify(json) (all checks)",
        rounds,
        args.di,
        lambda i: verify(signed[i % BATCH], now=NOW, resolve_document=resolve),
    )


if __name__ == "__main__":
    main()
