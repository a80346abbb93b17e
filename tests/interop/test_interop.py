"""Independent verifiers (issue 4): our credentials verify in Node reference libraries, and theirs in ours.

Direction 1 — credentials built and signed by ``badges`` (did:key issuer) go through ``node verify.mjs``:
Data Integrity (eddsa-rdfc-2022) through ``@digitalbazaar/vc`` and ``@digitalcredentials/verifier-core``,
VC-JWT through ``jose``. Every one must verify in every verifier for its format; tampered copies must
fail in every one.

Direction 2 — ``node sign.mjs`` issues an OpenBadgeCredential with ``@digitalbazaar/vc`` (eddsa-rdfc-2022)
and a VC-JWT with ``jose``; ``badges.verify`` must accept both (proof and schema included).

Nothing is fetched at run time: the Node scripts use a static document loader (contexts from npm
packages, did:key resolved locally) and replace ``fetch`` with a guard (see ``lib.mjs``).
Needs ``npm ci`` in this folder first (README.md); without it the tests skip, or fail when ``CI`` is set.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges import (
    AchievementInput,
    Alignment,
    CredentialInput,
    EvidenceInput,
    IssuerProfile,
    Recipient,
    build_credential,
    build_endorsement,
    did_key,
    did_key_verification_method,
    sign_data_integrity,
    sign_jwt,
    verify,
)
from badges.contexts import TALENTBANK_V1

HERE = Path(__file__).parent
NODE_TIMEOUT = 60  # seconds, per node run (a run takes ~2 s)

DI_VERIFIERS = {"@digitalbazaar/vc", "@digitalcredentials/verifier-core"}
JWT_VERIFIERS = {"jose"}
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
ENDORSEMENT_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"


def _node_or_skip() -> str:
    """Path of ``node`` if it and tests/interop/node_modules are there; else skip (locally) or fail (CI)."""
    node = shutil.which("node")
    missing = []
    if node is None:
        missing.append("`node` is not on PATH")
    if not (HERE / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        missing.append("tests/interop/node_modules is missing (run `npm ci --prefix tests/interop`)")
    if missing:
        message = "interop verifiers unavailable: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must install them", pytrace=False)
        pytest.skip(message)
    assert node is not None
    return node


def _run_node(node: str, script: str, stdin: str | None = None) -> Any:
    completed = subprocess.run(
        [node, script],
        cwd=HERE,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=NODE_TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, f"node {script} failed ({completed.returncode}):\n{completed.stderr}"
    return json.loads(completed.stdout)


# --- credentials made by our library -------------------------------------------------------------


@cache
def _issuer_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@cache
def _other_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(reversed(range(32))))


def _now() -> datetime:
    # The Node verifiers judge validity against the real clock, so ours must too.
    return datetime.now(UTC).replace(microsecond=0)


def _award(*, did_recipient: bool = False, level: int | None = None, expires: bool = True) -> CredentialInput:
    issuer = did_key(_issuer_key().public_key())
    now = _now()
    return CredentialInput(
        issuer=IssuerProfile(issuer, "北海道高専 / Hokkaido KOSEN", "https://talentbank.example/orgs/1"),
        achievement=AchievementInput(
            id="https://talentbank.example/achievements/5d1c",
            name="データ分析基礎",
            description="Basic data analysis with Python.",
            criteria_narrative="Completed the 30-hour course and a graded project.",
            image_url="https://talentbank.example/achievements/5d1c/image.png",
            alignments=(
                Alignment(
                    target_name="データサイエンス力: 統計数理基礎",
                    target_url="https://talentbank.example/skills/dss-p-ds-1",
                    target_code="DS-1",
                    target_framework="DSS-P v2.0",
                    target_type="ext:DSSSkill",
                    skill_level=level,
                ),
            ),
            tags=("python", "統計"),
        ),
        recipient=Recipient(did=did_key(_other_key().public_key()))
        if did_recipient
        else Recipient(email="Learner@Example.jp"),
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=365) if expires else None,
        evidence=(EvidenceInput(id="https://talentbank.example/evidence/9", name="Project report"),),
    )


def _sign_di(
    credential: dict[str, Any], key: Ed25519PrivateKey | None = None, method: str | None = None
) -> dict[str, Any]:
    key = key or _issuer_key()
    return sign_data_integrity(
        credential,
        key,
        verification_method=method or did_key_verification_method(key.public_key()),
        created=_now() - timedelta(hours=1),
    )


def _sign_jwt(credential: dict[str, Any], key: Ed25519PrivateKey | None = None, kid: str | None = None) -> str:
    key = key or _issuer_key()
    return sign_jwt(credential, key, kid=kid or did_key_verification_method(key.public_key()))


def _endorsement() -> dict[str, Any]:
    return build_endorsement(
        endorser=IssuerProfile(did_key(_issuer_key().public_key()), "北海道庁 / Hokkaido Government"),
        achievement_id="https://talentbank.example/achievements/5d1c",
        comment="道の認定: meets the Hokkaido DX skills standard.",
        valid_from=_now() - timedelta(days=1),
    )


OUR_NAMES = (
    "di-email-recipient",
    "di-did-recipient",
    "di-skill-level-ob-result",
    "di-endorsement",
    "jwt-email-recipient",
    "jwt-did-recipient",
    "jwt-skill-level-ob-result",
)


def _ours() -> dict[str, dict[str, Any] | str]:
    """Genuine credentials from ``badges``: every one must verify everywhere (names: OUR_NAMES)."""
    ours = {
        "di-email-recipient": _sign_di(build_credential(_award())),
        "di-did-recipient": _sign_di(build_credential(_award(did_recipient=True, expires=False))),
        "di-skill-level-ob-result": _sign_di(build_credential(_award(level=3))),
        "di-endorsement": _sign_di(_endorsement()),
        "jwt-email-recipient": _sign_jwt(build_credential(_award())),
        "jwt-did-recipient": _sign_jwt(build_credential(_award(did_recipient=True))),
        "jwt-skill-level-ob-result": _sign_jwt(build_credential(_award(level=3))),
    }
    assert tuple(ours) == OUR_NAMES
    return ours


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _jwt_with(token: str, *, header: dict[str, Any] | None = None, payload: dict[str, Any] | None = None) -> str:
    """``token`` with its header and/or payload replaced, the original signature kept."""
    head, body, signature = token.split(".")
    if header is not None:
        head = _b64(json.dumps(header).encode())
    if payload is not None:
        body = _b64(json.dumps(payload, ensure_ascii=False).encode())
    return f"{head}.{body}.{signature}"


def _flip_last_char(text: str) -> str:
    # Change the signature's last meaningful character (multibase base58btc or base64url).
    last = text[-2]
    return text[:-2] + ("2" if last != "2" else "3") + text[-1]


TAMPERED_NAMES = (
    "di-achievement-name",
    "di-issuer-name",
    "di-recipient-hash",
    "di-valid-until-extended",
    "di-evidence-dropped",
    "di-proof-value",
    "di-proof-created",
    "di-skill-level-raised",
    "di-wrong-key",
    "jwt-achievement-name",
    "jwt-nbf-claim",
    "jwt-signature",
    "jwt-alg-none",
    "jwt-kid-other-key",
    "jwt-wrong-key",
    "jwt-alg-hs256-public-key",
    "di-issuer-mismatch",
    "jwt-issuer-mismatch",
)


def _tampered() -> dict[str, dict[str, Any] | str]:
    """Copies of genuine credentials with one change each: every verifier must reject every one."""
    good_di = _sign_di(build_credential(_award()))
    good_level = _sign_di(build_credential(_award(level=3)))
    good_jwt = _sign_jwt(build_credential(_award()))
    cases: dict[str, dict[str, Any] | str] = {}

    def di(name: str, change) -> None:
        document = copy.deepcopy(good_di)
        change(document)
        cases[name] = document

    di("di-achievement-name", lambda d: d["credentialSubject"]["achievement"].update(name="Advanced data analysis"))
    di("di-issuer-name", lambda d: d["issuer"].update(name="Someone else"))
    di("di-recipient-hash", lambda d: d["credentialSubject"]["identifier"][0].update(identityHash="sha256$" + "0" * 64))
    di("di-valid-until-extended", lambda d: d.update(validUntil="2099-01-01T00:00:00Z"))
    di("di-evidence-dropped", lambda d: d.pop("evidence"))
    di("di-proof-value", lambda d: d["proof"].update(proofValue=_flip_last_char(d["proof"]["proofValue"])))
    di("di-proof-created", lambda d: d["proof"].update(created="2020-01-01T00:00:00Z"))
    level = copy.deepcopy(good_level)
    level["credentialSubject"]["achievement"]["resultDescription"][0]["rubricCriterionLevel"][0]["level"] = "4"
    cases["di-skill-level-raised"] = level
    # Signed by another key that names the issuer's verification method.
    cases["di-wrong-key"] = _sign_di(
        build_credential(_award()), key=_other_key(), method=did_key_verification_method(_issuer_key().public_key())
    )

    header = json.loads(_unb64(good_jwt.split(".")[0]))
    payload = json.loads(_unb64(good_jwt.split(".")[1]))
    renamed = copy.deepcopy(payload)
    renamed["credentialSubject"]["achievement"]["name"] = "Advanced data analysis"
    cases["jwt-achievement-name"] = _jwt_with(good_jwt, payload=renamed)
    cases["jwt-nbf-claim"] = _jwt_with(good_jwt, payload={**payload, "nbf": payload["nbf"] - 86400})
    cases["jwt-signature"] = _flip_last_char(good_jwt)
    cases["jwt-alg-none"] = _jwt_with(good_jwt, header={**header, "alg": "none"}).rsplit(".", 1)[0] + "."
    cases["jwt-kid-other-key"] = _jwt_with(
        good_jwt, header={**header, "kid": did_key_verification_method(_other_key().public_key())}
    )
    cases["jwt-wrong-key"] = _sign_jwt(
        build_credential(_award()), key=_other_key(), kid=did_key_verification_method(_issuer_key().public_key())
    )
    # HMAC "signed" with the issuer's public key as the secret (the classic algorithm confusion).
    hs_header = _b64(json.dumps({**header, "alg": "HS256"}).encode())
    hs_body = good_jwt.split(".")[1]
    secret = _issuer_key().public_key().public_bytes_raw()
    mac = hmac.new(secret, f"{hs_header}.{hs_body}".encode(), hashlib.sha256).digest()
    cases["jwt-alg-hs256-public-key"] = f"{hs_header}.{hs_body}.{_b64(mac)}"
    # Genuine signatures by another did:key, on a credential naming our issuer.
    cases["di-issuer-mismatch"] = _sign_di(build_credential(_award()), key=_other_key())
    cases["jwt-issuer-mismatch"] = _sign_jwt(build_credential(_award()), key=_other_key())
    assert tuple(cases) == TAMPERED_NAMES
    return cases


# --- one node run per direction (keeps the module at a few seconds) ------------------------------


@pytest.fixture(scope="module")
def node() -> str:
    return _node_or_skip()


@pytest.fixture(scope="module")
def node_signed(node: str) -> dict[str, Any]:
    return _run_node(node, "sign.mjs")


@pytest.fixture(scope="module")
def node_verdicts(node: str, node_signed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Name -> verify.mjs entry, for ours, tampered copies and (as a sanity check) the Node-signed ones."""
    inputs: dict[str, Any] = {**_ours(), **_tampered()}
    inputs["node-di"] = node_signed["dataIntegrity"]
    inputs["node-jwt"] = node_signed["jwt"]
    names = list(inputs)
    entries = _run_node(node, "verify.mjs", stdin=json.dumps([inputs[n] for n in names], ensure_ascii=False))
    assert len(entries) == len(names)
    verdicts = {}
    for name, entry in zip(names, entries, strict=True):
        entry["input"] = inputs[name]
        verdicts[name] = entry
    return verdicts


def _by_verifier(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["verifier"]: result for result in entry["results"]}


def _expected_verifiers(name: str) -> set[str]:
    return DI_VERIFIERS if name.startswith(("di-", "node-di")) else JWT_VERIFIERS


# --- direction 1: ours, verified by them ---------------------------------------------------------


@pytest.mark.parametrize("name", OUR_NAMES)
def test_our_credential_verifies_in_every_node_verifier(node_verdicts, name):
    entry = node_verdicts[name]
    results = _by_verifier(entry)
    assert set(results) == _expected_verifiers(name)
    # And our own verifier agrees (same clock as Node).
    assert verify(entry["input"], now=_now()).verified
    failures = {verifier: result["error"] for verifier, result in results.items() if not result["verified"]}
    assert not failures, f"{name} rejected by {failures}"
    # Only contexts a verifier on the internet can load (issue 21).
    assert entry["unknownContexts"] == []


def test_a_credential_naming_an_unpublished_context_fails(node):
    """As issued before issue 21 (the level as ``skillLevel`` under the placeholder context): Node
    names the context as unresolvable and Digital Bazaar refuses it; ours still verifies it (bundled)."""
    legacy = build_credential(_award())
    legacy["@context"].append(TALENTBANK_V1)
    legacy["credentialSubject"]["achievement"]["alignment"][0]["skillLevel"] = 3
    signed = _sign_di(legacy)
    assert verify(signed, now=_now()).verified
    (entry,) = _run_node(node, "verify.mjs", stdin=json.dumps([signed], ensure_ascii=False))
    assert entry["unknownContexts"] == [TALENTBANK_V1]
    bazaar = _by_verifier(entry)["@digitalbazaar/vc"]
    assert not bazaar["verified"] and TALENTBANK_V1 in bazaar["error"]


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("di-email-recipient", OB_SCHEMA),
        ("di-did-recipient", OB_SCHEMA),
        ("di-skill-level-ob-result", OB_SCHEMA),
        ("di-endorsement", ENDORSEMENT_SCHEMA),
    ],
)
def test_verifier_core_schema_check_passes(node_verdicts, name, schema):
    """verifier-core validates OB 3.0 credentials with ajv against the official 1EdTech schema."""
    core = _by_verifier(node_verdicts[name])["@digitalcredentials/verifier-core"]
    assert core["schema"] == [{"schema": schema, "valid": True, "errors": []}]


def test_node_verifiers_fetch_nothing_from_the_network(node_verdicts):
    """Every fetch a Node library tried was answered from local files (the guard refuses the rest)."""
    fetched = [
        item for entry in node_verdicts.values() for result in entry["results"] for item in result.get("fetched", [])
    ]
    refused = [item["url"] for item in fetched if not item["served"]]
    assert not refused


@pytest.mark.parametrize("name", TAMPERED_NAMES)
def test_tampered_copy_fails_in_every_node_verifier(node_verdicts, name):
    entry = node_verdicts[name]
    results = _by_verifier(entry)
    assert set(results) == _expected_verifiers(name)
    accepted = sorted(verifier for verifier, result in results.items() if result["verified"])
    assert not accepted, f"{name} accepted by {accepted}"
    assert not verify(entry["input"], now=_now()).verified  # ours rejects it too


# --- direction 2: theirs, verified by us ---------------------------------------------------------


@pytest.mark.parametrize("form", ["dataIntegrity", "jwt"])
def test_node_signed_credential_verifies_in_ours(node_signed, form):
    result = verify(node_signed[form], now=_now())
    codes = {check.check: check.code for check in result.checks}
    assert codes["proof"] == "proof_valid"
    assert codes["schema"] == "schema_valid"
    assert codes["issuer_key"] == "key_resolved"
    assert result.format == ("json" if form == "dataIntegrity" else "jwt")
    assert result.verified, [check for check in result.checks if not check.ok]
    assert result.credential is not None
    assert result.credential["issuer"]["id"] == node_signed["did"]


def test_node_signed_credentials_verify_in_node_too(node_verdicts):
    """Sanity check of the Node side itself: what it signs, it verifies."""
    for name in ("node-di", "node-jwt"):
        results = _by_verifier(node_verdicts[name])
        assert set(results) == _expected_verifiers(name)
        assert all(r["verified"] for r in results.values()), results


def test_tampered_node_signed_credentials_fail_in_ours(node_signed):
    document = copy.deepcopy(node_signed["dataIntegrity"])
    document["credentialSubject"]["achievement"]["name"] = "Something else"
    assert verify(document, now=_now()).code_of("proof") == "proof_invalid"

    token = node_signed["jwt"]
    payload = json.loads(_unb64(token.split(".")[1]))
    payload["credentialSubject"]["achievement"]["name"] = "Something else"
    assert verify(_jwt_with(token, payload=payload), now=_now()).code_of("proof") == "proof_invalid"

    proof = document["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == node_signed["verificationMethod"]
