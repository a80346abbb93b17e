"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC-DI-EdDSA §3.2).

hashData = SHA-256(RDFC-1.0(proof config)) || SHA-256(RDFC-1.0(document without proof));
the Ed25519 signature of it is ``proofValue`` as multibase base58btc.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from badges.contexts import canonicalize, check_terms
from badges.datetimes import format_datetime
from badges.multibase import multibase_decode, multibase_encode

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"


class ProofError(ValueError):
    """A proof is malformed or of a kind we do not verify."""


def proof_configuration(
    document: dict[str, Any],
    *,
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Proof options without ``proofValue`` (VC-DI-EdDSA §3.2.5 Proof Configuration)."""
    return {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created if isinstance(created, str) else format_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }


def hash_data(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    """The 64 bytes that are signed: proof-config hash followed by document hash (§3.2.4)."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    # §3.2.5: the proof configuration is canonicalised with the document's @context.
    config["@context"] = document["@context"]
    config_hash = hashlib.sha256(canonicalize(config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonicalize(unsecured).encode("utf-8")).digest()
    return config_hash + document_hash


def sign_data_integrity(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
    extra_options: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A copy of ``document`` with an eddsa-rdfc-2022 ``proof`` (raises UndefinedTerms first);
    `extra_options` are further proof options such as a presentation's challenge and domain."""
    unsecured = {key: value for key, value in copy.deepcopy(document).items() if key != "proof"}
    check_terms(unsecured)
    options = proof_configuration(unsecured, verification_method=verification_method, created=created,
                                  proof_purpose=proof_purpose)  # fmt: skip
    options.update(extra_options or {})
    signature = private_key.sign(hash_data(unsecured, options))
    return {
        **unsecured,
        "proof": {**options, "proofValue": multibase_encode(signature)},
    }


def data_integrity_proofs(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's proofs as a list; ProofError if none or malformed."""
    proof = document.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    if not proofs or proof is None:
        raise ProofError("proof_missing")
    checked = [item for item in proofs if isinstance(item, dict)]
    if len(checked) != len(proofs):
        raise ProofError("proof_malformed")
    return checked


def check_proof_shape(proof: dict[str, Any], purpose: str = "assertionMethod") -> None:
    """Refuse anything but a DataIntegrityProof/eddsa-rdfc-2022 for `purpose` (a presentation's is
    authentication)."""
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("proof_unsupported")
    if proof.get("proofPurpose") != purpose:
        raise ProofError("proof_purpose_mismatch")
    for key in ("verificationMethod", "proofValue", "created"):
        if not isinstance(proof.get(key), str):
            raise ProofError("proof_malformed")


def verify_data_integrity(
    document: dict[str, Any], proof: dict[str, Any], public_key: Ed25519PublicKey, *, purpose: str = "assertionMethod"
) -> bool:
    """True if ``proof`` (one of the document's proofs) is a valid signature by ``public_key``."""
    check_proof_shape(proof, purpose)
    try:
        signature = multibase_decode(proof["proofValue"])
    except ValueError:
        return False
    if len(signature) != 64:
        return False
    try:
        public_key.verify(signature, hash_data(document, proof))
    except InvalidSignature:
        return False
    return True
