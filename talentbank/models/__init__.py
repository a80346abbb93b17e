"""Every ORM class, one module per aggregate. Models import no Flask."""

from talentbank.models.accounts import AccountToken, ApiToken, User
from talentbank.models.audit import AuditEvent
from talentbank.models.credentials import (
    Achievement,
    AchievementSkill,
    Credential,
    Endorsement,
    ImportedCredential,
    IssuerKey,
    ProofFormat,
    StatusList,
)
from talentbank.models.mail import OutboxMessage
from talentbank.models.organisations import Invitation, Membership, MembershipRole, Organisation, OrganisationKind
from talentbank.models.places import Municipality, Subprefecture
from talentbank.models.profiles import (
    DeletedProfile,
    Outcome,
    OutcomeSkill,
    PayKind,
    Profile,
    ProfileSearchTerm,
    ProfileSkill,
    SkillSource,
    Visibility,
    WorkMode,
)
from talentbank.models.projects import (
    Application,
    ApplicationStatus,
    ContactRelease,
    Direction,
    Project,
    ProjectNeed,
    ProjectPay,
    ProjectStatus,
    ProjectWorkMode,
    Theme,
)
from talentbank.models.skills import Skill, ToolTag, ToolTagSkill

__all__ = [
    "AccountToken",
    "Achievement",
    "AchievementSkill",
    "ApiToken",
    "Application",
    "ApplicationStatus",
    "AuditEvent",
    "ContactRelease",
    "Credential",
    "DeletedProfile",
    "Direction",
    "Endorsement",
    "ImportedCredential",
    "Invitation",
    "IssuerKey",
    "Membership",
    "MembershipRole",
    "Municipality",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "Outcome",
    "OutcomeSkill",
    "PayKind",
    "Profile",
    "ProfileSearchTerm",
    "ProfileSkill",
    "Project",
    "ProjectNeed",
    "ProjectPay",
    "ProjectStatus",
    "ProjectWorkMode",
    "ProofFormat",
    "Skill",
    "SkillSource",
    "StatusList",
    "Subprefecture",
    "Theme",
    "ToolTag",
    "ToolTagSkill",
    "User",
    "Visibility",
    "WorkMode",
]
