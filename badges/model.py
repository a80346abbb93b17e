"""The inputs of an Open Badges 3.0 credential (OB 3.0 §B.1): small frozen dataclasses that
`badges.build` turns into documents. No behaviour here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class IssuerProfile:
    """The issuer (or endorser) Profile: ``id`` is its did:web / URL."""

    id: str
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Alignment:
    """An alignment to a framework item (OB 3.0 §B.1.4 Alignment), e.g. a DSS skill page."""

    target_name: str
    target_url: str
    target_code: str | None = None
    target_framework: str | None = None
    target_type: str | None = None
    target_description: str | None = None
    # Our own term (talentbank context): the DSS level (1-4) the badge certifies.
    skill_level: int | None = None


@dataclass(frozen=True)
class AchievementInput:
    """What the badge certifies (OB 3.0 §B.1.3 Achievement)."""

    id: str
    name: str
    description: str
    criteria_narrative: str
    image_url: str | None = None
    alignments: tuple[Alignment, ...] = ()
    tags: tuple[str, ...] = ()
    achievement_type: str | None = None


@dataclass(frozen=True)
class Recipient:
    """Who receives the credential: an e-mail (hashed with a fresh salt) or a DID."""

    email: str | None = None
    did: str | None = None


@dataclass(frozen=True)
class EvidenceInput:
    """One piece of evidence (OB 3.0 §B.1.7 Evidence)."""

    id: str | None = None
    name: str | None = None
    narrative: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class StatusEntry:
    """A BitstringStatusListEntry (VC Bitstring Status List v1.0 §2.1)."""

    status_list_credential: str
    status_list_index: int
    status_purpose: str = "revocation"
    id: str | None = None


@dataclass(frozen=True)
class CredentialInput:
    """Everything needed for one award apart from keys."""

    issuer: IssuerProfile
    achievement: AchievementInput
    recipient: Recipient
    valid_from: datetime
    valid_until: datetime | None = None
    id: str | None = None
    name: str | None = None
    evidence: tuple[EvidenceInput, ...] = ()
    status: StatusEntry | None = None
    salt: str | None = field(default=None, repr=False)
