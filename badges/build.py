"""Build OpenBadgeCredential and EndorsementCredential documents (OB 3.0 §B.1, VC Data Model 2.0).

Inputs are the frozen dataclasses of `badges.model`; the output is a plain JSON-compatible dict,
checked for undefined JSON-LD terms before it is returned (so nothing unsigned slips into a proof).
`credential_builder` builds many awards of one achievement, checking the terms once per shape.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from badges.contexts import CREDENTIAL_CONTEXTS, check_terms, string_shape
from badges.datetimes import format_datetime
from badges.identity import email_identity, new_salt
from badges.model import (
    AchievementInput,
    Alignment,
    CredentialInput,
    EvidenceInput,
    IssuerProfile,
    Recipient,
    StatusEntry,
)


def _drop_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


def _issuer_profile(issuer: IssuerProfile) -> dict[str, Any]:
    return _drop_none({"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url})


def _alignment(alignment: Alignment) -> dict[str, Any]:
    return _drop_none(
        {
            "type": ["Alignment"],
            "targetName": alignment.target_name,
            "targetUrl": alignment.target_url,
            "targetCode": alignment.target_code,
            "targetFramework": alignment.target_framework,
            "targetType": alignment.target_type,
            "targetDescription": alignment.target_description,
        }
    )


def _achievement(achievement: AchievementInput) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"narrative": achievement.criteria_narrative},
    }
    if achievement.image_url:
        body["image"] = {"id": achievement.image_url, "type": "Image"}
    if achievement.alignments:
        body["alignment"] = [_alignment(item) for item in achievement.alignments]
    if achievement.tags:
        body["tag"] = list(achievement.tags)
    descriptions = _result_descriptions(achievement)
    if descriptions:
        body["resultDescription"] = descriptions
    return _drop_none(body)


def _level_ids(achievement: AchievementInput, index: int, level: int) -> tuple[str, str]:
    """The ids of the result description for alignment ``index`` and of its one rubric level."""
    description_id = f"{achievement.id}#level-of-alignment-{index}"
    return description_id, f"{description_id}-{level}"


def _result_descriptions(achievement: AchievementInput) -> list[dict[str, Any]]:
    """One OB 3.0 ResultDescription (§B.1.22, resultType RubricCriterionLevel) per alignment with a
    level: the aligned skill, the level as a RubricCriterionLevel and ``requiredLevel`` naming it.

    Only terms of the published OB 3.0 context, so a verifier needs nothing from our host.
    """
    descriptions = []
    for index, alignment in enumerate(achievement.alignments):
        if alignment.skill_level is None:
            continue
        description_id, level_id = _level_ids(achievement, index, alignment.skill_level)
        descriptions.append(
            {
                "id": description_id,
                "type": ["ResultDescription"],
                "name": f"{alignment.target_name}（DSSレベル）",
                "resultType": "RubricCriterionLevel",
                "alignment": [_alignment(alignment)],
                "rubricCriterionLevel": [
                    {
                        "id": level_id,
                        "type": ["RubricCriterionLevel"],
                        "name": f"レベル{alignment.skill_level}",
                        "level": str(alignment.skill_level),
                    }
                ],
                "requiredLevel": level_id,
            }
        )
    return descriptions


def _results(achievement: AchievementInput) -> list[dict[str, Any]]:
    """The subject's Results (OB 3.0 §B.1.21): the level achieved for each described skill."""
    results = []
    for index, alignment in enumerate(achievement.alignments):
        if alignment.skill_level is not None:
            description_id, level_id = _level_ids(achievement, index, alignment.skill_level)
            results.append({"type": ["Result"], "resultDescription": description_id, "achievedLevel": level_id})
    return results


def _subject_identity(recipient: Recipient, salt: str | None) -> dict[str, Any]:
    """``credentialSubject`` without its achievement: type and the recipient's id or identifier."""
    if (recipient.email is None) == (recipient.did is None):
        raise ValueError("give exactly one of recipient email or did")
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if recipient.did is not None:
        subject["id"] = recipient.did
        return subject
    salt = salt or new_salt()
    # OB 3.0 §B.1.6 IdentityObject: hashed e-mail, salt stored beside it.
    subject["identifier"] = [email_identity(str(recipient.email), salt)]
    return subject


def _evidence(item: EvidenceInput) -> dict[str, Any]:
    return _drop_none(
        {
            "id": item.id,
            "type": ["Evidence"],
            "name": item.name,
            "narrative": item.narrative,
            "description": item.description,
        }
    )


def status_entry_json(entry: StatusEntry) -> dict[str, Any]:
    """The ``credentialStatus`` object for a BitstringStatusListEntry (index as a string, §2.1)."""
    return {
        "id": entry.id or f"{entry.status_list_credential}#{entry.status_list_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": entry.status_purpose,
        "statusListIndex": str(entry.status_list_index),
        "statusListCredential": entry.status_list_credential,
    }


def _validity(valid_from: datetime, valid_until: datetime | None) -> dict[str, str]:
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("validUntil must be after validFrom")
    times = {"validFrom": format_datetime(valid_from)}
    if valid_until is not None:
        times["validUntil"] = format_datetime(valid_until)
    return times


def build_credential(award: CredentialInput) -> dict[str, Any]:
    """Unsigned OpenBadgeCredential for one award; raises UndefinedTerms if a term is undefined."""
    build = credential_builder(award.issuer, award.achievement, valid_from=award.valid_from,
                               valid_until=award.valid_until, name=award.name)  # fmt: skip
    return build(award.recipient, id=award.id, evidence=award.evidence, status=award.status, salt=award.salt)


class BuildCredential(Protocol):
    def __call__(
        self,
        recipient: Recipient,
        *,
        id: str | None = None,
        evidence: tuple[EvidenceInput, ...] = (),
        status: StatusEntry | None = None,
        salt: str | None = None,
    ) -> dict[str, Any]: ...


def credential_builder(
    issuer: IssuerProfile,
    achievement: AchievementInput,
    *,
    valid_from: datetime,
    valid_until: datetime | None = None,
    name: str | None = None,
) -> BuildCredential:
    """A function building many awards of one achievement by one issuer (``build_credential`` per
    recipient, same output), for bulk issuing.

    The issuer profile, achievement, contexts and validity are made once; each call fills in the
    recipient, id, evidence and status. The undefined-term check (``check_terms``) runs on the
    first document of each *shape*: the term skeleton of the per-recipient members (see
    ``_member_shape``). The rest of the document is the same every time, so documents with one
    shape have one skeleton, hence one verdict. Documents share the template's nested objects:
    treat them as read-only.
    """
    contexts = list(CREDENTIAL_CONTEXTS)
    issuer_json = _issuer_profile(issuer)
    validity = _validity(valid_from, valid_until)
    achievement_json = _achievement(achievement)
    results = _results(achievement)
    title = name or achievement.name
    checked_shapes: set[tuple[Any, ...]] = set()

    def build(
        recipient: Recipient,
        *,
        id: str | None = None,
        evidence: tuple[EvidenceInput, ...] = (),
        status: StatusEntry | None = None,
        salt: str | None = None,
    ) -> dict[str, Any]:
        subject = _subject_identity(recipient, salt)
        credential: dict[str, Any] = {
            "@context": list(contexts),
            "id": id or f"urn:uuid:{uuid.uuid4()}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": issuer_json,
            **validity,
            "name": title,
            "credentialSubject": {**subject, "achievement": achievement_json},
        }
        if results:
            credential["credentialSubject"]["result"] = results
        if evidence:
            credential["evidence"] = [_evidence(item) for item in evidence]
        if status is not None:
            credential["credentialStatus"] = status_entry_json(status)
        shape = _input_shape(recipient, id, evidence, status, salt)
        if shape is None or shape not in checked_shapes:
            check_terms(credential)
            if shape is not None:
                checked_shapes.add(shape)
        return credential

    return build


@lru_cache(maxsize=64)
def _status_shape(status_id: str | None, list_url: str, purpose: str) -> tuple[str, ...]:
    """The shapes of a status entry's strings. The index is left out: an integer's digits, alone
    or after ``#``, have one shape whatever they are, so a batch on one list has one status shape."""
    return (
        string_shape("id", status_id or f"{list_url}#0"),
        string_shape("statusPurpose", purpose),
        string_shape("statusListIndex", "0"),
        string_shape("statusListCredential", list_url),
    )


def _input_shape(
    recipient: Recipient,
    id: str | None,
    evidence: tuple[EvidenceInput, ...],
    status: StatusEntry | None,
    salt: str | None,
) -> tuple[Any, ...] | None:
    """The term skeleton of the members ``credential_builder`` fills per recipient, read from its
    inputs rather than from the finished document: each given string by ``string_shape`` under the
    key it lands on, None for an absent one. Generated values (the ``urn:uuid`` id, the salt, the
    ``sha256$`` hash) have one form each, and the subject, evidence and status objects always list
    their members in one order, so two inputs with one shape give documents with one skeleton.
    None when an input is not text (then the full check decides)."""
    texts = [recipient.did, id, salt]
    for item in evidence:
        texts += [item.id, item.name, item.narrative, item.description]
    if status is not None:
        texts += [status.id, status.status_list_credential, status.status_purpose]
    if not all(text is None or isinstance(text, str) for text in texts):
        return None
    if status is not None and type(status.status_list_index) is not int:
        return None

    def shape(key: str, text: str | None) -> str | None:
        return None if text is None else string_shape(key, text)

    status_shape = None
    if status is not None:
        status_shape = _status_shape(status.id, status.status_list_credential, status.status_purpose)
    return (
        shape("id", id or None),  # an empty id is replaced by a generated urn:uuid, as None is
        ("email", shape("salt", salt or None)) if recipient.did is None else ("did", string_shape("id", recipient.did)),
        tuple(
            (shape("id", item.id), shape("name", item.name), shape("narrative", item.narrative),
             shape("description", item.description))
            for item in evidence
        ),
        status_shape,
    )  # fmt: skip


def build_endorsement(
    *,
    endorser: IssuerProfile,
    achievement_id: str,
    comment: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    credential_id: str | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """Unsigned EndorsementCredential about an achievement (OB 3.0 §B.1.11, EndorsementSubject)."""
    credential: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXTS),
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": _issuer_profile(endorser),
        **_validity(valid_from, valid_until),
        "name": name or f"Endorsement by {endorser.name}",
        "credentialSubject": {
            "id": achievement_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
    }
    check_terms(credential)
    return credential
