"""Shared helpers for the badges unit tests (plain functions; no app, no network)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges import (
    AchievementInput,
    Alignment,
    CredentialInput,
    EvidenceInput,
    IssuerProfile,
    Recipient,
    StatusEntry,
    build_credential,
    did_document,
    public_key_multibase,
    sign_data_integrity,
    sign_jwt,
)

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
ISSUER_DID = "did:web:talentbank.example:issuers:hokkaido-kosen"
RECIPIENT_EMAIL = "Learner@Example.jp"
SEED = bytes(range(32))


def fixture_json(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text("utf-8"))


@cache
def issuer_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(SEED)


@cache
def other_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(reversed(SEED)))


def method_id(key: Ed25519PrivateKey | None = None) -> str:
    return f"{ISSUER_DID}#{public_key_multibase((key or issuer_key()).public_key())}"


def resolver(*keys: Ed25519PrivateKey, documents: dict[str, dict[str, Any]] | None = None):
    """A resolve_document serving our issuer's DID document (and any extra documents)."""
    served = {
        "https://talentbank.example/issuers/hokkaido-kosen/did.json": did_document(
            ISSUER_DID, [k.public_key() for k in (keys or (issuer_key(),))]
        )
    }
    served.update(documents or {})

    def resolve_document(url: str) -> dict[str, Any]:
        if url not in served:
            raise LookupError(url)
        return copy.deepcopy(served[url])

    return resolve_document


def award(
    *,
    email: str | None = RECIPIENT_EMAIL,
    did: str | None = None,
    valid_from: datetime = NOW - timedelta(days=1),
    valid_until: datetime | None = None,
    status: StatusEntry | None = None,
    level: int | None = None,
) -> CredentialInput:
    return CredentialInput(
        issuer=IssuerProfile(
            ISSUER_DID,
            "北海道高専 / Hokkaido KOSEN",
            "https://talentbank.example/orgs/1",
        ),
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
        recipient=Recipient(email=email if did is None else None, did=did),
        valid_from=valid_from,
        valid_until=valid_until,
        evidence=(EvidenceInput(id="https://talentbank.example/evidence/9", name="Project report"),),
        status=status,
    )


def signed_di(**kwargs: Any) -> dict[str, Any]:
    return sign_data_integrity(
        build_credential(award(**kwargs)),
        issuer_key(),
        verification_method=method_id(),
        created=NOW - timedelta(days=1),
    )


def signed_jwt(**kwargs: Any) -> str:
    return sign_jwt(build_credential(award(**kwargs)), issuer_key(), kid=method_id())
