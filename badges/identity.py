"""The recipient's identity in a credential (OB 3.0 §B.1.6 IdentityObject): the salted e-mail
hash written into a document, and whether a document names a given e-mail."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

SALT_BYTES = 16  # 128 bits, fresh per credential (SC-13)


def new_salt() -> str:
    """A fresh random salt: 128 bits as 32 hex characters."""
    return secrets.token_hex(SALT_BYTES)


def normalize_email(email: str) -> str:
    """E-mail form that is hashed: surrounding space removed, lowercased."""
    return email.strip().lower()


def hash_identity(email: str, salt: str) -> str:
    """OB 3.0 IdentityHash ``sha256$<hex>`` of the normalized e-mail followed by the salt."""
    digest = hashlib.sha256((normalize_email(email) + salt).encode("utf-8")).hexdigest()
    return "sha256$" + digest


def email_identity(email: str, salt: str) -> dict[str, Any]:
    """The IdentityObject that names a recipient by their salted, hashed e-mail."""
    return {
        "type": "IdentityObject",
        "identityHash": hash_identity(email, salt),
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def _identity_matches(identity: Any, email: str) -> bool:
    if not isinstance(identity, dict) or identity.get("identityType") != "emailAddress":
        return False
    value = identity.get("identityHash")
    if not isinstance(value, str):
        return False
    if identity.get("hashed") is not True:
        return hmac.compare_digest(normalize_email(value), normalize_email(email))
    salt = identity.get("salt", "")
    # Only sha256: md5 is allowed by OB 3.0 but too weak to accept as proof of identity.
    if not isinstance(salt, str) or not value.lower().startswith("sha256$"):
        return False
    expected = hash_identity(email, salt)
    return hmac.compare_digest(value.lower(), expected)


def recipient_matches(credential: dict[str, Any], email: str) -> bool:
    """True if some ``credentialSubject.identifier`` is this e-mail (hashed or plaintext)."""
    subjects = credential.get("credentialSubject")
    subject_list = subjects if isinstance(subjects, list) else [subjects]
    for subject in subject_list:
        identifiers = subject.get("identifier", []) if isinstance(subject, dict) else []
        identifiers = identifiers if isinstance(identifiers, list) else [identifiers]
        if any(_identity_matches(identity, email) for identity in identifiers):
            return True
    return False
