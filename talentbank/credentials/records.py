"""Reading stored credentials: one by its public id, an achievement's, a profile's, and the form the
recipient holds.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from talentbank.lookup import by_public_id
from talentbank.models import Achievement, AchievementSkill, Credential, Profile, ProofFormat


def get_credential(session: Session, public_id: str) -> Credential:
    return by_public_id(
        session,
        Credential,
        public_id,
        selectinload(Credential.achievement).selectinload(Achievement.skills).selectinload(AchievementSkill.skill),
        selectinload(Credential.achievement).selectinload(Achievement.organisation),
    )


def select_credentials_of_achievement(achievement: Achievement) -> sa.Select:
    """The achievement's credentials, newest first (the id is the order, so it is total and paging by
    offset neither repeats nor skips one)."""
    return sa.select(Credential).where(Credential.achievement_id == achievement.id).order_by(Credential.id.desc())


def credentials_of_achievement(session: Session, achievement: Achievement) -> list[Credential]:
    """All of `select_credentials_of_achievement`, for the achievement page."""
    return list(session.scalars(select_credentials_of_achievement(achievement)))


def select_credentials_of_profile(profile: Profile) -> sa.Select:
    """The credentials claimed onto the profile, newest issue first, with their achievements' issuers.
    The id breaks ties between equal issue times, so paging by offset neither repeats nor skips one."""
    return (
        sa.select(Credential)
        .where(Credential.profile_id == profile.id)
        .options(selectinload(Credential.achievement).selectinload(Achievement.organisation))
        .order_by(Credential.issued_at.desc(), Credential.id.desc())
    )


def credentials_of_profile(session: Session, profile: Profile) -> list[Credential]:
    """All of `select_credentials_of_profile`, for the profile page."""
    return list(session.scalars(select_credentials_of_profile(profile)))


def stored_form(credential: Credential) -> dict[str, Any] | str:
    """The credential as the recipient holds it: the JWT, or the signed JSON."""
    return credential.jwt if credential.proof_format is ProofFormat.JWT and credential.jwt else credential.document
