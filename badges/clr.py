"""Comprehensive Learner Record 2.0: build and verify a ``ClrCredential`` (CLR 2.0 §B.1.2). No Flask, no database.

A ClrCredential is a Verifiable Credential whose subject (``ClrSubject``) carries the learner's
achievement credentials (``verifiableCredential``, each secured on its own), optionally the
achievements the record is about (``achievement``, e.g. a track) and the ``association`` list that
relates achievements to each other (CLR 2.0 §B.1.1 Association). It is signed like any other
credential (``badges.sign_jwt`` or ``badges.sign_data_integrity``); ``verify_clr`` checks the record
against the official CLR 2.0 JSON Schema and every nested credential against the OB 3.0 ones.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from badges.build import status_entry_json
from badges.checks import Check, VerificationResult
from badges.contexts import CLR_V2P0, OB_V3P0, VC_V2, check_terms
from badges.datetimes import format_datetime
from badges.identity import email_identity, new_salt, recipient_matches
from badges.keys import ResolveDocument
from badges.model import IssuerProfile, Recipient, StatusEntry
from badges.schema import schema_errors
from badges.vc_jwt import credential_from_payload, read_payload_unverified
from badges.verify import StatusLookup, verify

CLR_CONTEXTS: tuple[str, ...] = (VC_V2, CLR_V2P0, OB_V3P0)
# The published CLR 2.0 context gives ClrSubject no ``identifier`` term (OB 3.0 defines it only inside
# AchievementSubject), so a learner named by a hashed e-mail, as the schema allows, would be dropped
# from the canonical form: unsigned under Data Integrity, refused by safe-mode processors. This
# inline context maps it onto the OB 3.0 term, exactly as AchievementSubject does.
IDENTIFIER_CONTEXT: dict[str, Any] = {
    "identifier": {"@id": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#identifier", "@container": "@set"}
}
CLR_SCHEMA = "clr_v2p0_clrcredential_schema.json"
MAX_NESTED = 50  # achievement credentials in one record we build or verify

# CLR 2.0 §B.2.1 AssociationType.
ASSOCIATION_TYPES = frozenset(
    ["exactMatchOf", "isChildOf", "isParentOf", "isPartOf", "isPeerOf", "isRelatedTo", "precedes", "replacedBy"]
)


@dataclass(frozen=True)
class Association:
    """How one achievement relates to another (CLR 2.0 §B.1.1): ``source_id`` ``association_type`` ``target_id``."""

    association_type: str
    source_id: str
    target_id: str


@dataclass(frozen=True)
class TrackInput:
    """An achievement the issuer defines for the record itself, e.g. a KOSEN's digital-skills track."""

    id: str
    name: str
    description: str
    criteria_narrative: str


@dataclass(frozen=True)
class ClrInput:
    """Everything needed for one learner record apart from keys.

    ``credentials`` are the nested achievement credentials as signed JSON (Data Integrity): a record
    embeds objects, so a VC-JWT award goes in as a Data Integrity copy of itself.
    """

    issuer: IssuerProfile
    recipient: Recipient
    credentials: tuple[dict[str, Any], ...]
    valid_from: datetime
    name: str
    description: str | None = None
    achievements: tuple[TrackInput, ...] = ()
    associations: tuple[Association, ...] = ()
    valid_until: datetime | None = None
    id: str | None = None
    status: StatusEntry | None = None
    salt: str | None = field(default=None, repr=False)


def track_associations(track_id: str, achievement_ids: list[str]) -> tuple[Association, ...]:
    """The associations of a track: every achievement ``isPartOf`` the track, and each ``precedes`` the next
    (the order the issuer gave)."""
    parts = [Association("isPartOf", achievement_id, track_id) for achievement_id in achievement_ids]
    steps = [Association("precedes", first, second) for first, second in itertools.pairwise(achievement_ids)]
    return tuple(parts + steps)


def nested_achievement_id(credential: dict[str, Any]) -> str | None:
    """``credentialSubject.achievement.id`` of an achievement credential."""
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    value = achievement.get("id") if isinstance(achievement, dict) else None
    return value if isinstance(value, str) else None


def _subject(clr: ClrInput) -> dict[str, Any]:
    recipient = clr.recipient
    if (recipient.email is None) == (recipient.did is None):
        raise ValueError("give exactly one of recipient email or did")
    subject: dict[str, Any] = {"type": ["ClrSubject"]}
    if recipient.did is not None:
        subject["id"] = recipient.did
    else:
        salt = clr.salt or new_salt()
        subject["identifier"] = [email_identity(str(recipient.email), salt)]
    return subject


def _track(track: TrackInput) -> dict[str, Any]:
    return {
        "id": track.id,
        "type": ["Achievement"],
        "achievementType": "Achievement",
        "name": track.name,
        "description": track.description,
        "criteria": {"narrative": track.criteria_narrative},
    }


def _association(association: Association) -> dict[str, Any]:
    if association.association_type not in ASSOCIATION_TYPES:
        raise ValueError(f"unknown association type {association.association_type!r}")
    return {
        "type": "Association",
        "associationType": association.association_type,
        "sourceId": association.source_id,
        "targetId": association.target_id,
    }


def build_clr(clr: ClrInput) -> dict[str, Any]:
    """Unsigned ClrCredential; raises ValueError for a record without credentials or with an association
    naming an achievement it does not hold, and UndefinedTerms if a term is undefined."""
    if not clr.credentials or len(clr.credentials) > MAX_NESTED:
        raise ValueError(f"a record holds 1 to {MAX_NESTED} credentials")
    known = {nested_achievement_id(item) for item in clr.credentials} | {track.id for track in clr.achievements}
    for association in clr.associations:
        if association.source_id not in known or association.target_id not in known:
            raise ValueError("an association names an achievement the record does not hold")
    if clr.valid_until is not None and clr.valid_until <= clr.valid_from:
        raise ValueError("validUntil must be after validFrom")
    subject = _subject(clr)
    if clr.achievements:
        subject["achievement"] = [_track(track) for track in clr.achievements]
    subject["verifiableCredential"] = [dict(item) for item in clr.credentials]
    if clr.associations:
        subject["association"] = [_association(item) for item in clr.associations]
    contexts: list[Any] = list(CLR_CONTEXTS)
    if "identifier" in subject:
        contexts.append(dict(IDENTIFIER_CONTEXT))
    document: dict[str, Any] = {
        "@context": contexts,
        "id": clr.id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": clr.issuer.id, "type": ["Profile"], "name": clr.issuer.name}
        | ({"url": clr.issuer.url} if clr.issuer.url else {}),
        "validFrom": format_datetime(clr.valid_from),
        "name": clr.name,
        "credentialSubject": subject,
    }
    if clr.description:
        document["description"] = clr.description
    if clr.valid_until is not None:
        document["validUntil"] = format_datetime(clr.valid_until)
    if clr.status is not None:
        document["credentialStatus"] = status_entry_json(clr.status)
    check_terms(document)
    return document


def is_clr(document: Any) -> bool:
    """Whether a (parsed) credential says it is a ClrCredential."""
    types = document.get("type") if isinstance(document, dict) else None
    return "ClrCredential" in (types if isinstance(types, list) else [types])


def is_clr_submission(submitted: Any) -> bool:
    """Whether a submission (a dict, JSON text or a VC-JWT) says it is a ClrCredential; read, not verified."""
    document: Any = submitted
    if isinstance(submitted, str):
        text = submitted.strip()
        try:
            if text.startswith("{"):
                document = json.loads(text)
            else:
                document = credential_from_payload(read_payload_unverified(text))
        except (ValueError, TypeError, RecursionError):
            return False
    return is_clr(document)


def summary(result: ClrVerification) -> VerificationResult:
    """One result for a record and what it holds, for a page that lists checks: the record's own checks, its
    shape (and recipient), then one ``nested`` check per credential (``nested_valid`` or its first failure)."""
    nested = tuple(
        Check("nested", True, "nested_valid")
        if item.verified
        else Check("nested", False, next(c.code for c in item.checks if not c.ok))
        for item in result.nested
    )
    checks = (*result.record.checks, *result.problems, *nested)
    return VerificationResult(checks, result.record.credential, result.record.format, result.record.issuer_key)


def clr_schema_errors(document: dict[str, Any]) -> list[str]:
    """Violations of 1EdTech's CLR 2.0 ClrCredential JSON Schema (empty: valid)."""
    return schema_errors(document, CLR_SCHEMA)


def nested_credentials(document: dict[str, Any]) -> list[Any]:
    """The ``credentialSubject.verifiableCredential`` items of a record (at most ``MAX_NESTED`` + 1, so
    that too many can be told apart)."""
    subject = document.get("credentialSubject")
    items = subject.get("verifiableCredential") if isinstance(subject, dict) else None
    if items is None:
        return []
    items = items if isinstance(items, list) else [items]
    return items[: MAX_NESTED + 1]


@dataclass(frozen=True)
class ClrVerification:
    """The record's own checks, and each nested credential's result in order."""

    record: VerificationResult
    nested: tuple[VerificationResult, ...]
    problems: tuple[Check, ...] = ()

    @property
    def verified(self) -> bool:
        """True only if the record, every nested credential and the record-level checks pass."""
        return (
            self.record.verified
            and bool(self.nested)
            and all(result.verified for result in self.nested)
            and all(check.ok for check in self.problems)
        )

    @property
    def credential(self) -> dict[str, Any] | None:
        return self.record.credential


def verify_clr(
    document_or_jwt: dict[str, Any] | str | bytes,
    *,
    now: datetime,
    resolve_document: ResolveDocument | None = None,
    status_lookup: StatusLookup | None = None,
    expected_recipient_email: str | None = None,
) -> ClrVerification:
    """Verify a ClrCredential (dict, JSON text or compact JWT) and every credential it holds.

    The record goes through ``badges.verify`` with the CLR 2.0 schema; each nested credential
    through ``badges.verify`` with the OB 3.0 schemas (its own proof, issuer key, validity and
    status), and, when asked, each names ``expected_recipient_email`` as the record does. A record
    that is not a ClrCredential, holds no credentials or too many fails the ``record`` check.
    """
    record = verify(document_or_jwt, now=now, resolve_document=resolve_document, status_lookup=status_lookup,
                    expected_recipient_email=None, schema=clr_schema_errors)  # fmt: skip
    record = _with_clr_schema_codes(record)
    document = record.credential
    if document is None:
        return ClrVerification(record, ())
    problems: list[Check] = []
    items = nested_credentials(document)
    if not is_clr(document):
        problems.append(Check("record", False, "not_clr"))
    elif not items or len(items) > MAX_NESTED:
        problems.append(Check("record", False, "clr_size"))
    else:
        problems.append(Check("record", True, "clr_shape"))
    if expected_recipient_email is not None:
        problems.append(_record_recipient(document, expected_recipient_email))
    nested = tuple(
        verify(item, now=now, resolve_document=resolve_document, status_lookup=status_lookup,
               expected_recipient_email=expected_recipient_email)
        for item in items[:MAX_NESTED]
    )  # fmt: skip
    return ClrVerification(record, nested, tuple(problems))


def _with_clr_schema_codes(result: VerificationResult) -> VerificationResult:
    """The record's schema step named for the CLR 2.0 schema (``clr_schema_valid`` / ``clr_schema_invalid``)."""
    checks = tuple(
        dataclasses.replace(check, code=f"clr_{check.code}") if check.check == "schema" else check
        for check in result.checks
    )
    return dataclasses.replace(result, checks=checks)


def _record_recipient(document: dict[str, Any], email: str) -> Check:
    matches = recipient_matches(document, email)
    return Check("recipient", matches, "recipient_matches" if matches else "recipient_mismatch")
