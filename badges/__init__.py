"""Open Badges 3.0 credentials: build, sign, verify, bake, revoke. No Flask, no database.

Keys, ``now`` and resolvers are arguments; nothing here reads config, the clock or the network.
"""

from badges.baking import (
    bake_png,
    bake_svg,
    extract_credential,
    extract_png,
    extract_svg,
    read_credential_file,
)
from badges.build import build_credential, build_endorsement, credential_builder
from badges.checks import Check, VerificationResult
from badges.contexts import bundled_context, canonicalize, check_terms, document_loader
from badges.data_integrity import sign_data_integrity, verify_data_integrity
from badges.errors import (
    BadgeError,
    BakingError,
    ContextNotBundled,
    KeyResolutionError,
    StatusListError,
    UndefinedTerms,
)
from badges.identity import hash_identity, recipient_matches
from badges.keys import (
    decode_did_key,
    did_document,
    did_key,
    did_key_verification_method,
    did_web_from_url,
    did_web_url,
    public_key_jwk,
    public_key_multibase,
    resolve_verification_method,
)
from badges.model import (
    AchievementInput,
    Alignment,
    CredentialInput,
    EvidenceInput,
    IssuerProfile,
    Recipient,
    StatusEntry,
)
from badges.schema import schema_errors
from badges.skill_levels import skill_levels
from badges.status_list import (
    allocate_index,
    allocate_indexes,
    bitstring_status_lookup,
    build_status_list_credential,
    decode_bitstring,
    encode_bitstring,
    get_bit,
    new_bitstring,
    probe_free_indexes,
    set_bit,
    set_status,
    status_from_list,
)
from badges.vc_jwt import jwt_signer, sign_jwt
from badges.verify import verify

__all__ = [
    "AchievementInput",
    "Alignment",
    "BadgeError",
    "BakingError",
    "Check",
    "ContextNotBundled",
    "CredentialInput",
    "EvidenceInput",
    "IssuerProfile",
    "KeyResolutionError",
    "Recipient",
    "StatusEntry",
    "StatusListError",
    "UndefinedTerms",
    "VerificationResult",
    "allocate_index",
    "allocate_indexes",
    "bake_png",
    "bake_svg",
    "bitstring_status_lookup",
    "build_credential",
    "build_endorsement",
    "build_status_list_credential",
    "bundled_context",
    "canonicalize",
    "check_terms",
    "credential_builder",
    "decode_bitstring",
    "decode_did_key",
    "did_document",
    "did_key",
    "did_key_verification_method",
    "did_web_from_url",
    "did_web_url",
    "document_loader",
    "encode_bitstring",
    "extract_credential",
    "extract_png",
    "extract_svg",
    "get_bit",
    "hash_identity",
    "jwt_signer",
    "new_bitstring",
    "probe_free_indexes",
    "public_key_jwk",
    "public_key_multibase",
    "read_credential_file",
    "recipient_matches",
    "resolve_verification_method",
    "schema_errors",
    "set_bit",
    "set_status",
    "sign_data_integrity",
    "sign_jwt",
    "skill_levels",
    "status_from_list",
    "verify",
    "verify_data_integrity",
]
