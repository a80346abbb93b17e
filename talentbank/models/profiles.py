from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talentbank.db import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from talentbank.models.accounts import User
    from talentbank.models.organisations import Organisation
    from talentbank.models.places import Municipality, Subprefecture
    from talentbank.models.projects import Project
    from talentbank.models.skills import Skill


class Visibility(enum.StrEnum):
    PUBLIC = "public"  # anyone
    MEMBERS = "members"  # logged-in users
    PRIVATE = "private"  # only the person


class WorkMode(enum.StrEnum):
    """How a person can work. HYBRID is "both": remote work and on-site days."""

    REMOTE = "remote"
    ONSITE = "onsite"
    HYBRID = "hybrid"

    @property
    def does_onsite(self) -> bool:
        return self is not WorkMode.REMOTE


class PayKind(enum.StrEnum):
    HOURLY = "hourly"
    MONTHLY = "monthly"
    VOLUNTEER = "volunteer"


class SkillSource(enum.StrEnum):
    """Where a profile skill's trust comes from, weakest first."""

    SELF = "self"
    BADGE = "badge"
    PROJECT = "project"


MOTIVES = ("learning", "hometown", "income", "career_change")


profile_regions = sa.Table(
    "profile_regions",
    Base.metadata,
    sa.Column("profile_id", sa.ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("subprefecture_id", sa.ForeignKey("subprefectures.id", ondelete="CASCADE"), primary_key=True),
)


class Profile(Base):
    """A person in the talent bank: who they are, how they like to work, their skills and outcomes."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    furigana: Mapped[str | None] = mapped_column(sa.String(80))
    headline: Mapped[str] = mapped_column(sa.String(140), default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown, rendered sanitised
    # Home base: a Hokkaido municipality, or outside Hokkaido with a prefecture name.
    home_municipality_code: Mapped[str | None] = mapped_column(sa.ForeignKey("municipalities.code"), index=True)
    home_prefecture: Mapped[str | None] = mapped_column(sa.String(10))
    motives: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    side_job_ok: Mapped[bool] = mapped_column(default=True)
    hours_per_week: Mapped[int | None]
    earliest_start: Mapped[date | None]
    # How the person can work: remote, on site, or both (HYBRID); for on-site work how far they travel
    # from their home base (km) and on how many days a month at most (None = they set no limit).
    work_mode: Mapped[WorkMode] = mapped_column(str_enum(WorkMode, 10), default=WorkMode.REMOTE)
    max_travel_km: Mapped[int | None]
    onsite_days_per_month: Mapped[int | None]
    pay_kind: Mapped[PayKind | None] = mapped_column(str_enum(PayKind, 10))
    pay_yen: Mapped[int | None]
    open_to_offers: Mapped[bool] = mapped_column(default=True, index=True)
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility, 10), default=Visibility.MEMBERS, index=True)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    # The person's own statement that they study now (students-only internships admit only them).
    is_student: Mapped[bool] = mapped_column(default=False)
    school_name: Mapped[str | None] = mapped_column(sa.String(120))
    # The person's choice to show their completed learning (学びの場) on their profile; off until they choose.
    shows_learning: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile")
    home_municipality: Mapped[Municipality | None] = relationship()
    regions: Mapped[list[Subprefecture]] = relationship(secondary=profile_regions, order_by="Subprefecture.position")
    skills: Mapped[list[ProfileSkill]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="ProfileSkill.id"
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="Outcome.started_on.desc()"
    )

    def skills_at(self, now: datetime) -> list[ProfileSkill]:
        """The skills that count at `now`: a badge-verified one only while its credential is valid."""
        return [entry for entry in self.skills if entry.is_current(now)]


class ProfileSkill(Base):
    """One skill on a profile from one source; a skill can be both self-declared and badge-verified."""

    __tablename__ = "profile_skills"
    __table_args__ = (
        sa.UniqueConstraint("profile_id", "skill_code", "source"),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    skill_code: Mapped[str] = mapped_column(sa.ForeignKey("skills.code"), index=True)
    level: Mapped[int]
    years: Mapped[float | None]
    source: Mapped[SkillSource] = mapped_column(str_enum(SkillSource, 10), default=SkillSource.SELF)
    evidence_url: Mapped[str | None] = mapped_column(sa.String(500))  # the credential or outcome backing it
    # A badge-verified skill's backing credential's validUntil: past it, readers no longer count the
    # entry (without writing), and `talentbank refresh-credentials` removes it.
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    profile: Mapped[Profile] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()

    @property
    def is_verified(self) -> bool:
        return self.source is not SkillSource.SELF

    @hybrid_method
    def is_current(self, now: datetime) -> bool:
        """Whether the entry counts at `now`: self-declared and project-verified always, badge-verified
        until its credential's validUntil."""
        return self.source is not SkillSource.BADGE or self.valid_until is None or self.valid_until > now

    @is_current.inplace.expression
    @classmethod
    def _is_current_expression(cls, now: datetime) -> sa.ColumnElement[bool]:
        return sa.or_(cls.source != SkillSource.BADGE, cls.valid_until.is_(None), cls.valid_until > now)


class Outcome(Base):
    """成果: something the person achieved, with their role and the skills they used."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(140))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    role: Mapped[str] = mapped_column(sa.String(80), default="")
    started_on: Mapped[date | None]
    ended_on: Mapped[date | None]
    organisation_name: Mapped[str | None] = mapped_column(sa.String(120))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    links: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    # Set when the organisation recorded this outcome on completing a project (project-verified).
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    profile: Mapped[Profile] = relationship(back_populates="outcomes")
    organisation: Mapped[Organisation | None] = relationship()
    project: Mapped[Project | None] = relationship()
    skills: Mapped[list[OutcomeSkill]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="OutcomeSkill.id"
    )


class OutcomeSkill(Base):
    __tablename__ = "outcome_skills"
    __table_args__ = (
        sa.UniqueConstraint("outcome_id", "skill_code"),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("outcomes.id", ondelete="CASCADE"), index=True)
    skill_code: Mapped[str] = mapped_column(sa.ForeignKey("skills.code"))
    level: Mapped[int]

    outcome: Mapped[Outcome] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()


class SearchAudience(enum.IntEnum):
    """Who may find a profile by search, kept on its index rows so a text search needs no join."""

    NOBODY = 0  # private or hidden
    PUBLIC = 1
    MEMBERS = 2  # logged-in users


def search_audience(profile: Profile) -> SearchAudience:
    """Who may find the profile: public, members-only, or nobody (private or hidden)."""
    if profile.is_hidden:
        return SearchAudience.NOBODY
    return {Visibility.PUBLIC: SearchAudience.PUBLIC, Visibility.MEMBERS: SearchAudience.MEMBERS}.get(
        Visibility(profile.visibility), SearchAudience.NOBODY
    )


class ProfileSearchTerm(Base):
    """The search index: one row per (profile, term). Terms are CJK character bigrams and Latin words,
    and phrases: each three-to-eight-character substring of a kanji/katakana run, weighing what its
    bigrams weigh together (`talentbank.profiles.search.index_terms`).

    Kept in an ordinary table so that it works the same on SQLite and PostgreSQL; rebuilt for a
    profile whenever its text changes. Each row also carries the profile's audience and updated_at
    (kept in step on every update of the profile, see `_keep_search_rows_in_step`), so that a text
    search is answered from one covering index, `ix_profile_search_terms_lookup`, without reading
    the profiles: term, then weight and updated_at in the order of the results, profile and audience.
    """

    __tablename__ = "profile_search_terms"
    __table_args__ = (
        sa.Index("ix_profile_search_terms_lookup", "term", "weight", "updated_at", "profile_id", "audience"),
    )

    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    weight: Mapped[float] = mapped_column(default=1.0)
    audience: Mapped[int] = mapped_column(sa.SmallInteger, default=SearchAudience.NOBODY)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


@sa.event.listens_for(Profile, "after_update")
def _keep_search_rows_in_step(_mapper, connection: sa.Connection, profile: Profile) -> None:
    """Every update of a profile (visibility, hiding, or any change that moves updated_at) is copied
    onto its index rows in the same transaction, so the index never answers for a stale audience or order.
    An ORM flush only: a bulk `UPDATE profiles` (none in the app today) would have to update the rows too."""
    rows = ProfileSearchTerm.__table__
    connection.execute(
        rows.update()
        .where(rows.c.profile_id == profile.id)
        .values(audience=int(search_audience(profile)), updated_at=profile.updated_at)
    )


class DeletedProfile(Base):
    """A tombstone: the public id of a deleted profile, so its page answers 410 Gone. No personal data."""

    __tablename__ = "deleted_profiles"

    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def json_list(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []
