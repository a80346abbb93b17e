from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.vc_jwt import credential_from_payload, read_payload_unverified
from talentbank.db import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from talentbank.models.organisations import Organisation
    from talentbank.models.profiles import Profile
    from talentbank.models.skills import Skill


class ProofFormat(enum.StrEnum):
    JWT = "jwt"  # VC-JWT, EdDSA
    DATA_INTEGRITY = "di"  # eddsa-rdfc-2022


class IssuerKey(Base):
    """An Ed25519 signing key of an organisation's did:web issuer. The private half is encrypted at rest.

    Rotation retires a key (it stays published so older credentials keep verifying); a compromised
    key is withdrawn (no longer published, so its signatures stop verifying).
    """

    __tablename__ = "issuer_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    public_key_multibase: Mapped[str] = mapped_column(sa.String(64), unique=True)
    private_key_encrypted: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()


class Achievement(Base):
    """What a badge certifies: criteria, aligned DSS skills with levels, expiry rule, proof format."""

    __tablename__ = "achievements"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text)
    criteria: Mapped[str] = mapped_column(sa.Text)
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    expiry_months: Mapped[int | None]
    proof_format: Mapped[ProofFormat] = mapped_column(str_enum(ProofFormat, 4), default=ProofFormat.JWT)
    image_png: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # uploaded, re-encoded
    image_svg: Mapped[str | None] = mapped_column(sa.Text)  # uploaded, rebuilt from an allow-list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    skills: Mapped[list[AchievementSkill]] = relationship(
        back_populates="achievement", cascade="all, delete-orphan", order_by="AchievementSkill.id"
    )

    @property
    def image_extension(self) -> str:
        """Which image to show and publish: the uploaded SVG when there is no PNG, else the PNG."""
        return "svg" if self.image_svg and not self.image_png else "png"


class AchievementSkill(Base):
    __tablename__ = "achievement_skills"
    __table_args__ = (
        sa.UniqueConstraint("achievement_id", "skill_code"),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(sa.ForeignKey("achievements.id", ondelete="CASCADE"), index=True)
    skill_code: Mapped[str] = mapped_column(sa.ForeignKey("skills.code"))
    level: Mapped[int]

    achievement: Mapped[Achievement] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()


class StatusList(Base):
    """A Bitstring Status List (revocation) of one issuer; indexes are handed out at random."""

    __tablename__ = "status_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    encoded_list: Mapped[str] = mapped_column(sa.Text)
    size_bits: Mapped[int] = mapped_column(default=131072)
    # What its entries are for: "badges" (credentials) or "records" (learner records, issue 16). Each kind
    # hands out its own indexes, so the two tables never have to be searched together.
    holds: Mapped[str] = mapped_column(sa.String(8), default="badges", server_default="badges")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class _Signed:
    """What a signed document row (a badge, a learner record; each maps ``stored_document``, ``jwt`` and
    ``revoked_at``) offers: whether it is revoked, and the document, which is the signed JSON (Data
    Integrity) or a VC-JWT's payload less its JWT claims."""

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def document(self) -> dict[str, Any]:
        if self.stored_document is not None or not self.jwt:
            return self.stored_document or {}
        return credential_from_payload(read_payload_unverified(self.jwt))

    @document.setter
    def document(self, value: dict[str, Any] | None) -> None:
        self.stored_document = value


class Credential(_Signed, Base):
    """One award of an achievement to one recipient: the signed OB 3.0 document, stored verbatim."""

    __tablename__ = "credentials"
    __table_args__ = (
        sa.UniqueConstraint("status_list_id", "status_index"),
        sa.UniqueConstraint("achievement_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    achievement_id: Mapped[int] = mapped_column(sa.ForeignKey("achievements.id", ondelete="CASCADE"), index=True)
    # The issuer's record of whom it awarded; never part of the public document (that has a salted hash).
    recipient_email: Mapped[str] = mapped_column(sa.String(254), index=True)
    recipient_name: Mapped[str] = mapped_column(sa.String(80))
    proof_format: Mapped[ProofFormat] = mapped_column(str_enum(ProofFormat, 4))
    # The signed JSON (Data Integrity). A VC-JWT credential's document is its JWT's payload (see
    # `document`), so it is not stored twice: NULL here, except in rows written before revision 0011.
    stored_document: Mapped[dict[str, Any] | None] = mapped_column("document", sa.JSON(none_as_null=True))
    jwt: Mapped[str | None] = mapped_column(sa.Text)
    status_list_id: Mapped[int] = mapped_column(sa.ForeignKey("status_lists.id"))
    status_index: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(sa.String(300))
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(100))
    profile_id: Mapped[int | None] = mapped_column(sa.ForeignKey("profiles.id", ondelete="SET NULL"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    achievement: Mapped[Achievement] = relationship()
    status_list: Mapped[StatusList] = relationship()
    profile: Mapped[Profile | None] = relationship()


class LearnerRecord(_Signed, Base):
    """A Comprehensive Learner Record (CLR 2.0 ClrCredential) an organisation issued one learner: the
    achievement credentials of theirs it bundles (nested as Data Integrity documents), optionally as a track."""

    __tablename__ = "learner_records"
    __table_args__ = (sa.UniqueConstraint("status_list_id", "status_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    # As for a credential, the issuer's record of whom it is for; the document holds a salted hash.
    recipient_email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    track_name: Mapped[str | None] = mapped_column(sa.String(120))
    proof_format: Mapped[ProofFormat] = mapped_column(str_enum(ProofFormat, 4))
    stored_document: Mapped[dict[str, Any] | None] = mapped_column("document", sa.JSON(none_as_null=True))
    jwt: Mapped[str | None] = mapped_column(sa.Text)
    # The public ids of the credentials it bundles, in the record's order.
    credential_ids: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status_list_id: Mapped[int] = mapped_column(sa.ForeignKey("status_lists.id"))
    status_index: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    status_list: Mapped[StatusList] = relationship()


class ImportedCredential(Base):
    """A badge from another issuer that a person added to their profile: an Open Badges 3.0 credential
    (`badge_format` "ob3") or an Open Badges 2.0 assertion ("ob2": `raw` is the hosted assertion's URL or
    the signed assertion's JWS).

    Its aligned skills count as badge-verified only while it verified and named the person's e-mail.
    """

    __tablename__ = "imported_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    raw: Mapped[str] = mapped_column(sa.Text)  # the JSON text or compact JWT as given (OB 2.0: URL or JWS)
    badge_format: Mapped[str] = mapped_column(sa.String(8), default="ob3", server_default="ob3")
    achievement_name: Mapped[str] = mapped_column(sa.String(200))
    issuer_name: Mapped[str] = mapped_column(sa.String(200))
    is_verified: Mapped[bool] = mapped_column(default=False)
    recipient_matches: Mapped[bool] = mapped_column(default=False)
    check_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # failed check codes, if any
    skills: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)  # [{"code", "level"}]
    # Alignments naming no DSS item, [{"name", "url"}]: shown with the badge, never a verified skill.
    other_alignments: Mapped[list[dict[str, str]] | None] = mapped_column(sa.JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the document's validUntil
    # When it was last verified (on import, then by `talentbank refresh-credentials`).
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    profile: Mapped[Profile] = relationship()

    @property
    def counts(self) -> bool:
        """Whether its skills may be shown as badge-verified (as of its last check)."""
        return self.is_verified and self.recipient_matches

    def counts_at(self, now: datetime) -> bool:
        """Whether its skills count at `now`: it counted at its last check and has not expired since."""
        return self.counts and (self.valid_until is None or self.valid_until > now)


class Endorsement(Base):
    """An organisation's signed EndorsementCredential about an achievement (e.g. 道の認定)."""

    __tablename__ = "endorsements"
    __table_args__ = (sa.UniqueConstraint("achievement_id", "endorser_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    achievement_id: Mapped[int] = mapped_column(sa.ForeignKey("achievements.id", ondelete="CASCADE"), index=True)
    endorser_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str] = mapped_column(sa.Text)
    document: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # signed (Data Integrity)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    achievement: Mapped[Achievement] = relationship()
    endorser: Mapped[Organisation] = relationship()
