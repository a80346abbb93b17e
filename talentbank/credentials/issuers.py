"""Issuers: an organisation's did:web identity, its Ed25519 signing keys (encrypted at rest; rotation
keeps retired keys published, a compromised key is withdrawn), the addresses of what it publishes,
and the documents verifiers fetch (its DID document, its signed status lists)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

import badges
from talentbank import audit
from talentbank.credentials.fetch import fetch_json
from talentbank.credentials.status_entries import new_status_list
from talentbank.db import utcnow
from talentbank.errors import Conflict, NotFound
from talentbank.lookup import by_public_id, parse_public_id
from talentbank.models import Achievement, Credential, IssuerKey, Organisation, StatusList, User
from talentbank.security import require


@dataclass(frozen=True)
class IssuerContext:
    """What issuing and verifying need from the running app."""

    base_url: str  # e.g. https://talent.example.jp (no trailing slash)
    fernet: Fernet
    fetch: Any = fetch_json  # (url) -> dict; replaced in tests
    # Addresses the site had before (`talentbank change-base-url`): identities made for them still resolve here.
    former_base_urls: tuple[str, ...] = ()

    @property
    def own_base_urls(self) -> tuple[str, ...]:
        return (self.base_url, *self.former_base_urls)


# ---- identifiers --------------------------------------------------------------------------------


def issuer_did(base_url: str, organisation: Organisation | uuid.UUID) -> str:
    """did:web of an organisation: did:web:<host>:issuers:<public id> (resolved over HTTPS per the spec)."""
    public_id = organisation if isinstance(organisation, uuid.UUID) else organisation.public_id
    parts = urlsplit(base_url)
    return badges.did_web_from_url(f"https://{parts.netloc}{parts.path}/issuers/{public_id}")


def credential_url(base_url: str, credential: Credential) -> str:
    return f"{base_url}/credentials/{credential.public_id}"


def achievement_url(base_url: str, achievement: Achievement) -> str:
    return f"{base_url}/achievements/{achievement.public_id}"


def status_list_url(base_url: str, status_list: StatusList) -> str:
    return f"{base_url}/status/{status_list.public_id}"


LINKEDIN_ADD_CERTIFICATION = "https://www.linkedin.com/profile/add"


def linkedin_add_url(base_url: str, credential: Credential) -> str:
    """LinkedIn's "Add to profile" link for a credential, every value URL-encoded (names may hold `&`, `#`…)."""
    achievement = credential.achievement
    query = urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": achievement.name,
            "organizationName": achievement.organisation.name,
            "issueYear": credential.issued_at.year,
            "issueMonth": credential.issued_at.month,
            "certUrl": credential_url(base_url, credential),
            "certId": str(credential.public_id),
        }
    )
    return f"{LINKEDIN_ADD_CERTIFICATION}?{query}"


# ---- keys ---------------------------------------------------------------------------------------


def private_key(key: IssuerKey, fernet: Fernet) -> Ed25519PrivateKey:
    raw = fernet.decrypt(key.private_key_encrypted)
    return Ed25519PrivateKey.from_private_bytes(raw)


def _new_key(organisation: Organisation, fernet: Fernet, now: datetime) -> IssuerKey:
    private_key = Ed25519PrivateKey.generate()
    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return IssuerKey(
        organisation=organisation,
        public_key_multibase=badges.public_key_multibase(private_key.public_key()),
        private_key_encrypted=fernet.encrypt(raw),
        created_at=now,
    )


def active_key(session: Session, organisation: Organisation) -> IssuerKey | None:
    return session.scalar(
        sa.select(IssuerKey)
        .where(
            IssuerKey.organisation_id == organisation.id,
            IssuerKey.retired_at.is_(None),
            IssuerKey.withdrawn_at.is_(None),
        )
        .order_by(IssuerKey.id.desc())
    )


def is_issuer(session: Session, organisation: Organisation) -> bool:
    return active_key(session, organisation) is not None


def setup_issuer(session: Session, actor: User, organisation: Organisation, ctx: IssuerContext) -> IssuerKey:
    """Make a verified organisation an issuer: its first signing key and its revocation list."""
    require(actor, "manage_issuer", organisation)
    if active_key(session, organisation) is not None:
        raise Conflict(str(_l("この組織はすでに発行者として設定されています。")))
    now = utcnow()
    key = _new_key(organisation, ctx.fernet, now)
    session.add(key)
    new_status_list(session, organisation)
    audit.record(session, actor, "issuer.setup", object_type="organisation", object_id=organisation.public_id)
    return key


def rotate_key(
    session: Session, actor: User, organisation: Organisation, ctx: IssuerContext, *, compromised: bool = False
) -> IssuerKey:
    """Replace the signing key. A retired key stays published (old credentials keep verifying);
    a compromised one is withdrawn, so everything it signed stops verifying."""
    require(actor, "manage_issuer", organisation)
    current = active_key(session, organisation)
    if current is None:
        raise NotFound()
    now = utcnow()
    if compromised:
        current.withdrawn_at = now
    current.retired_at = now
    key = _new_key(organisation, ctx.fernet, now)
    session.add(key)
    session.flush()
    forget_cached()
    audit.record(session, actor, "issuer.key_withdrawn" if compromised else "issuer.key_rotated",
                 object_type="organisation", object_id=organisation.public_id)  # fmt: skip
    return key


def published_keys(session: Session, organisation: Organisation) -> list[IssuerKey]:
    return list(
        session.scalars(
            sa.select(IssuerKey)
            .where(IssuerKey.organisation_id == organisation.id, IssuerKey.withdrawn_at.is_(None))
            .order_by(IssuerKey.id)
        )
    )


# Every verification of our own credentials resolves the issuer's DID document and reads its status
# list. Both are cached in-process for a few seconds (cleared at once in this process on rotation or
# revocation); other workers see a change within CACHE_SECONDS, well inside the 60 s for which the
# published status list may be cached by anyone (its Cache-Control).
CACHE_SECONDS = 5.0
_cache: dict[tuple[str, ...], tuple[float, Any]] = {}


def cached(key: tuple[str, ...], load: Any) -> Any:
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    if len(_cache) > 10_000:
        _cache.clear()
    _cache[key] = (now + CACHE_SECONDS, value)
    return value


def forget_cached() -> None:
    _cache.clear()


def did_document_for(session: Session, organisation_public_id: str | uuid.UUID, base_url: str) -> dict[str, Any]:
    """The issuer's DID document with every published (not withdrawn) key."""
    public_id = parse_public_id(organisation_public_id)
    return cached(("did", base_url, str(public_id)), lambda: _load_did_document(session, public_id, base_url))


def _load_did_document(session: Session, public_id: uuid.UUID, base_url: str) -> dict[str, Any]:
    keys = session.scalars(
        sa.select(IssuerKey.public_key_multibase)
        .join(Organisation, IssuerKey.organisation_id == Organisation.id)
        .where(Organisation.public_id == public_id, IssuerKey.withdrawn_at.is_(None))
        .order_by(IssuerKey.id)
    ).all()
    if not keys:
        raise NotFound()
    public_keys = [badges.keys.decode_public_key_multibase(multibase) for multibase in keys]
    return badges.did_document(issuer_did(base_url, public_id), public_keys)


# ---- status lists ---------------------------------------------------------------------------------


def signed_status_list(session: Session, public_id: str, ctx: IssuerContext) -> dict[str, Any]:
    """The signed BitstringStatusListCredential (deterministic: same list, same bytes)."""
    status_list = by_public_id(session, StatusList, public_id)
    organisation = session.get(Organisation, status_list.organisation_id)
    key = active_key(session, organisation)
    if key is None:
        raise NotFound()
    did = issuer_did(ctx.base_url, organisation)
    unsigned = badges.build_status_list_credential(
        list_url=status_list_url(ctx.base_url, status_list),
        issuer=did,
        encoded_list=status_list.encoded_list,
        valid_from=status_list.updated_at,
    )
    return badges.sign_data_integrity(
        unsigned,
        private_key(key, ctx.fernet),
        verification_method=f"{did}#{key.public_key_multibase}",
        created=status_list.updated_at,
    )
