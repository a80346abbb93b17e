"""学びの場: learning opportunities that organisations publish, the skills they teach, and the people
enrolled in them (whose completion may award the opportunity's badge)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talentbank.db import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from talentbank.models.credentials import Achievement, Credential
    from talentbank.models.organisations import Organisation
    from talentbank.models.places import Municipality
    from talentbank.models.profiles import Profile
    from talentbank.models.projects import Project
    from talentbank.models.skills import Skill


class LearningFormat(enum.StrEnum):
    SELF_PACED = "self_paced"  # オンライン（自分のペースで）
    LIVE_ONLINE = "live_online"  # オンライン（ライブ）
    ONSITE = "onsite"  # 対面
    BLENDED = "blended"  # オンラインと対面
    PBL = "pbl"  # 地域の実課題に取り組むPBL（project-based learning）

    @property
    def is_online(self) -> bool:
        return self in (LearningFormat.SELF_PACED, LearningFormat.LIVE_ONLINE)


# Formats that take place somewhere: they name one of the 179 municipalities.
PLACED_FORMATS = (LearningFormat.ONSITE, LearningFormat.BLENDED)


class LearningLanguage(enum.StrEnum):
    JA = "ja"
    EN = "en"
    BOTH = "both"  # 日本語と英語


class LearnerEligibility(enum.StrEnum):
    ANYONE = "anyone"
    STUDENTS = "students"  # 学生
    WORKING_ADULTS = "working_adults"  # 社会人


class OpportunityStatus(enum.StrEnum):
    OPEN = "open"  # listed; people may enrol until the deadline or capacity
    CLOSED = "closed"  # the provider closed it: still readable, no new enrolments


class EnrolmentStatus(enum.StrEnum):
    ENROLLED = "enrolled"
    COMPLETED = "completed"  # the provider marked it completed (and the badge, if any, was issued)
    NOT_COMPLETED = "not_completed"  # the provider marked that the learner did not finish: nothing is issued
    WITHDRAWN = "withdrawn"  # the learner left


class LearningOpportunity(Base):
    """A course, programme or PBL class an organisation offers (学びの場), with the skills it teaches."""

    __tablename__ = "learning_opportunities"
    __table_args__ = (
        sa.CheckConstraint("cost_yen >= 0", name="cost_not_negative"),
        sa.CheckConstraint("study_hours >= 1", name="study_hours_positive"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        sa.UniqueConstraint("organisation_id", "source_code", name="uq_learning_opportunities_source_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(140))
    description: Mapped[str] = mapped_column(sa.Text)
    format: Mapped[LearningFormat] = mapped_column(str_enum(LearningFormat, 12), index=True)
    language: Mapped[LearningLanguage] = mapped_column(str_enum(LearningLanguage, 4), default=LearningLanguage.JA)
    # Where it takes place; required for on-site and blended, optional for PBL, none when online.
    municipality_code: Mapped[str | None] = mapped_column(sa.ForeignKey("municipalities.code"), index=True)
    # Both None: always open (self-paced). Otherwise the dates of the course.
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    study_hours: Mapped[int]
    cost_yen: Mapped[int] = mapped_column(default=0)  # 0 = free
    eligibility: Mapped[LearnerEligibility] = mapped_column(
        str_enum(LearnerEligibility, 16), default=LearnerEligibility.ANYONE
    )
    capacity: Mapped[int | None]  # None = no limit
    deadline: Mapped[date | None]  # the last day to enrol
    course_url: Mapped[str] = mapped_column(sa.String(500), default="")
    # The provider's own identifier of the course (a CSV import's `code`): importing again updates it.
    source_code: Mapped[str | None] = mapped_column(sa.String(64))
    # The badge its completion awards: an achievement of the same organisation.
    achievement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("achievements.id", ondelete="SET NULL"))
    # The local project it works on as living teaching material (生きた教材).
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    status: Mapped[OpportunityStatus] = mapped_column(
        str_enum(OpportunityStatus, 8), default=OpportunityStatus.OPEN, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    achievement: Mapped[Achievement | None] = relationship()
    project: Mapped[Project | None] = relationship()
    skills: Mapped[list[LearningSkill]] = relationship(
        back_populates="opportunity", cascade="all, delete-orphan", order_by="LearningSkill.id"
    )
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="opportunity", cascade="all, delete-orphan", order_by="Enrolment.id"
    )

    @property
    def is_free(self) -> bool:
        return self.cost_yen == 0

    @property
    def is_always_open(self) -> bool:
        return self.starts_on is None and self.ends_on is None


class LearningSkill(Base):
    """A DSS skill the opportunity teaches, and the level a learner reaches (1–4)."""

    __tablename__ = "learning_skills"
    __table_args__ = (
        sa.UniqueConstraint("opportunity_id", "skill_code"),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("learning_opportunities.id", ondelete="CASCADE"), index=True
    )
    skill_code: Mapped[str] = mapped_column(sa.ForeignKey("skills.code"), index=True)
    level: Mapped[int]

    opportunity: Mapped[LearningOpportunity] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()


class Enrolment(Base):
    """A person in a learning opportunity: enrolled by themselves or added by the provider."""

    __tablename__ = "enrolments"
    __table_args__ = (sa.UniqueConstraint("opportunity_id", "profile_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    opportunity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("learning_opportunities.id", ondelete="CASCADE"), index=True
    )
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(
        str_enum(EnrolmentStatus, 14), default=EnrolmentStatus.ENROLLED, index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The badge its completion issued.
    credential_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credentials.id", ondelete="SET NULL"))

    opportunity: Mapped[LearningOpportunity] = relationship(back_populates="enrolments")
    profile: Mapped[Profile] = relationship()
    credential: Mapped[Credential | None] = relationship()

    @property
    def holds_seat(self) -> bool:
        return self.status in (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)
