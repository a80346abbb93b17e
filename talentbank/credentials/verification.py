"""Verifying a credential, ours or another issuer's: every check of `badges.verify`, with our own
issuers' DID documents and status lists read from the database and other sites fetched over HTTPS
(`fetch.py`'s limits)."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

import badges
from badges import clr
from badges.issuer_keys import issuer_id as credential_issuer
from talentbank.credentials.issuers import IssuerContext, cached, did_document_for, issuer_did
from talentbank.db import utcnow
from talentbank.errors import NotFound
from talentbank.lookup import parse_public_id
from talentbank.models import Organisation, StatusList


def _resolver(session: Session, ctx: IssuerContext):
    """Resolve DID documents: ours from the database, others over HTTPS (fetch.py's limits)."""
    own_hosts = {urlsplit(base_url).netloc: base_url for base_url in reversed(ctx.own_base_urls)}

    def resolve_document(url: str) -> dict[str, Any]:
        parts = urlsplit(url)
        segments = parts.path.strip("/").split("/")
        if parts.netloc in own_hosts and len(segments) == 3 and segments[0] == "issuers" and segments[2] == "did.json":
            return did_document_for(session, segments[1], own_hosts[parts.netloc])
        return ctx.fetch(url)

    return resolve_document


def _status_lookup(session: Session, ctx: IssuerContext, now: datetime, resolve_document):
    """Revocation status: our own lists are read from the database (we are their issuer); other
    issuers' lists are fetched and their signatures verified by `badges`."""
    own_prefixes = {f"{base_url}/status/": base_url for base_url in ctx.own_base_urls}
    remote = badges.bitstring_status_lookup(ctx.fetch, now=now, resolve_document=resolve_document)

    def lookup(entry: dict[str, Any], credential: dict[str, Any]) -> bool:
        url = entry.get("statusListCredential")
        own_prefix = next((p for p in own_prefixes if isinstance(url, str) and url.startswith(p)), None)
        if own_prefix is None:
            return remote(entry, credential)
        try:
            list_id = parse_public_id(url[len(own_prefix) :])
        except NotFound:
            list_id = None
        row = cached(("status", str(list_id)), lambda: _load_status_row(session, list_id))
        index = entry.get("statusListIndex")
        if (
            row is None
            or entry.get("statusPurpose") != "revocation"
            or not isinstance(index, str)
            or not index.isdigit()
            or issuer_did(own_prefixes[own_prefix], row[1]) != credential_issuer(credential)
        ):
            raise badges.StatusListError("not a status entry of ours")
        return badges.get_bit(_bits(row[0]), int(index))

    return lookup


def _load_status_row(session: Session, list_id: uuid.UUID | None) -> tuple[str, uuid.UUID] | None:
    row = session.execute(
        sa.select(StatusList.encoded_list, Organisation.public_id)
        .join(Organisation, StatusList.organisation_id == Organisation.id)
        .where(StatusList.public_id == list_id)
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None


@lru_cache(maxsize=64)
def _bits(encoded_list: str) -> bytes:
    """Decoded status lists, cached by their content (a revocation changes the text, so the key)."""
    return bytes(badges.decode_bitstring(encoded_list))


def verify_credential(
    session: Session,
    document: dict[str, Any] | str,
    ctx: IssuerContext,
    *,
    expected_email: str | None = None,
    now: datetime | None = None,
) -> badges.VerificationResult:
    """Run every check of `badges.verify` with our resolvers; a failed fetch means unknown status."""
    now = now or utcnow()
    resolve_document = _resolver(session, ctx)
    return badges.verify(
        document,
        now=now,
        resolve_document=resolve_document,
        status_lookup=_status_lookup(session, ctx, now, resolve_document),
        expected_recipient_email=expected_email,
    )


def verify_learner_record(
    session: Session,
    document: dict[str, Any] | str,
    ctx: IssuerContext,
    *,
    expected_email: str | None = None,
    now: datetime | None = None,
) -> clr.ClrVerification:
    """Every check of `badges.clr.verify_clr` (the record and each credential it holds) with our resolvers."""
    now = now or utcnow()
    resolve_document = _resolver(session, ctx)
    return clr.verify_clr(
        document,
        now=now,
        resolve_document=resolve_document,
        status_lookup=_status_lookup(session, ctx, now, resolve_document),
        expected_recipient_email=expected_email,
    )
