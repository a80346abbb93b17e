from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talentbank.db import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from talentbank.models.accounts import User
    from talentbank.models.organisations import Organisation
    from talentbank.models.places import Municipality
    from talentbank.models.profiles import Profile
    from talentbank.models.skills import Skill


class Theme(enum.StrEnum):
    AGRICULTURE = "agriculture"  # 農林水産業
    TOURISM = "tourism"
    HEALTHCARE = "healthcare"  # 医療・福祉
    EDUCATION = "education"
    DISASTER = "disaster"  # 防災
    TRANSPORT = "transport"  # 交通・物流
    ADMIN_DX = "admin_dx"  # 行政DX
    ENERGY = "energy"  # エネルギー・環境
    RETAIL = "retail"  # 地域商業・中小企業
    OTHER = "other"


class ProjectWorkMode(enum.StrEnum):
    REMOTE = "remote"
    ONSITE = "onsite"
    HYBRID = "hybrid"


class ProjectPay(enum.StrEnum):
    HOURLY = "hourly"
    FIXED = "fixed"
    VOLUNTEER = "volunteer"
    INTERNSHIP = "internship"  # pay_yen is the stipend; 0 = unpaid


class ProjectStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"  # no more applications
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Direction(enum.StrEnum):
    APPLIED = "applied"  # the person applied
    INVITED = "invited"  # the organisation scouted the person


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"
    CLOSED = "closed"  # still pending when the project was cancelled or completed: nobody can answer it any more


class Project(Base):
    """A local DX project, proof-of-concept field, side job or internship posted by an organisation."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(140))
    problem: Mapped[str] = mapped_column(sa.Text)  # in the organisation's own words
    expected_outcome: Mapped[str] = mapped_column(sa.Text)
    theme: Mapped[Theme] = mapped_column(str_enum(Theme, 20), index=True)
    municipality_code: Mapped[str] = mapped_column(sa.ForeignKey("municipalities.code"), index=True)
    work_mode: Mapped[ProjectWorkMode] = mapped_column(str_enum(ProjectWorkMode, 10))
    onsite_days_per_month: Mapped[int | None]
    hours_per_week: Mapped[int]
    starts_on: Mapped[date]
    # How many days after starts_on a person may begin and still be proposed (matching's late_start rule).
    start_slack_days: Mapped[int] = mapped_column(default=30)
    ends_on: Mapped[date | None]
    pay_kind: Mapped[ProjectPay] = mapped_column(str_enum(ProjectPay, 12))
    pay_yen: Mapped[int] = mapped_column(default=0)
    travel_covered: Mapped[bool] = mapped_column(default=False)
    seats: Mapped[int] = mapped_column(default=1)
    deadline: Mapped[date | None]
    is_internship: Mapped[bool] = mapped_column(default=False)
    # An internship only students may apply to, be invited to or be placed on (Profile.is_student).
    is_students_only: Mapped[bool] = mapped_column(default=False)
    eligibility: Mapped[str] = mapped_column(sa.String(300), default="")
    status: Mapped[ProjectStatus] = mapped_column(str_enum(ProjectStatus, 12), default=ProjectStatus.DRAFT, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # When the project was last moved to open (a closed project may reopen); None while it has never been open.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    municipality: Mapped[Municipality] = relationship()
    needs: Mapped[list[ProjectNeed]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectNeed.id"
    )
    applications: Mapped[list[Application]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Application.id"
    )


class ProjectNeed(Base):
    """A DSS skill the project asks for, with a minimum level; must-have or nice-to-have."""

    __tablename__ = "project_needs"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "skill_code"),
        sa.CheckConstraint("min_level BETWEEN 1 AND 4", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    skill_code: Mapped[str] = mapped_column(sa.ForeignKey("skills.code"))
    min_level: Mapped[int]
    is_must: Mapped[bool] = mapped_column(default=True)

    project: Mapped[Project] = relationship(back_populates="needs")
    skill: Mapped[Skill] = relationship()


class Application(Base):
    """A person and a project, either way round (applied or invited), with mutual consent."""

    __tablename__ = "applications"
    __table_args__ = (sa.UniqueConstraint("project_id", "profile_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, 10))
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, 10), default=ApplicationStatus.PENDING
    )
    message: Mapped[str] = mapped_column(sa.Text, default="")
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outcomes.id", ondelete="SET NULL"))
    # The applicant's own order among their pending internship applications (1 = first choice; None = not
    # ranked); allocation rounds follow it.
    preference_rank: Mapped[int | None]

    project: Mapped[Project] = relationship(back_populates="applications")
    profile: Mapped[Profile] = relationship()
    invited_by: Mapped[User | None] = relationship()


class ContactRelease(Base):
    """APPI record of a provision of personal data to a third party: who received what, when, why."""

    __tablename__ = "contact_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id", ondelete="SET NULL"))
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    fields: Mapped[list[str]] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.String(40))  # "applied" / "accepted_invitation"
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()


def as_list(value: Any) -> list[str]:
    return list(value) if isinstance(value, list) else []


class AllocationMethod(enum.StrEnum):
    STABLE = "stable"  # deferred acceptance, students proposing: nobody would rather swap
    MAX_SCORE = "max_score"  # the largest total match score (linear_sum_assignment)


allocation_round_projects = sa.Table(
    "allocation_round_projects",
    Base.metadata,
    sa.Column("round_id", sa.ForeignKey("allocation_rounds.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
)


class AllocationRound(Base):
    """A cohort allocation for an internship programme, run by a prefecture or school organisation:
    the engine proposes who goes where, staff review it, and publishing sends the invitations."""

    __tablename__ = "allocation_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    method: Mapped[AllocationMethod] = mapped_column(str_enum(AllocationMethod, 10), default=AllocationMethod.STABLE)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    projects: Mapped[list[Project]] = relationship(secondary=allocation_round_projects, order_by="Project.id")
    assignments: Mapped[list[AllocationAssignment]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="AllocationAssignment.id"
    )


class AllocationAssignment(Base):
    """One published seat: who was placed where, with the score and both ranks, and the invitation sent."""

    __tablename__ = "allocation_assignments"
    __table_args__ = (sa.UniqueConstraint("round_id", "profile_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("allocation_rounds.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("profiles.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id", ondelete="SET NULL"))
    score: Mapped[float]
    student_rank: Mapped[int]  # 1 = the person's first choice
    project_rank: Mapped[int]  # 1 = the project's best candidate

    round: Mapped[AllocationRound] = relationship(back_populates="assignments")
    project: Mapped[Project] = relationship()
    profile: Mapped[Profile] = relationship()
    application: Mapped[Application | None] = relationship()
