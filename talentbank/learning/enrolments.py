"""Enrolment and completion: a person enrols (or the provider adds them), the provider sees its learners
and marks each completed or not; a completion issues the opportunity's badge through the credentials'
issuing path (same formats, status list, mail and idempotency) and puts it on the learner's profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from talentbank import audit
from talentbank.credentials.claims import attach
from talentbank.credentials.inputs import AwardInput
from talentbank.credentials.issuers import IssuerContext
from talentbank.credentials.issuing import issue_credentials
from talentbank.db import utcnow
from talentbank.errors import Conflict, Invalid, NotFound
from talentbank.lookup import parse_public_id
from talentbank.models import (
    Credential,
    Enrolment,
    EnrolmentStatus,
    LearnerEligibility,
    LearningOpportunity,
    OpportunityStatus,
    Profile,
    User,
)
from talentbank.profiles.services import own_profile
from talentbank.security import require

SEAT_HOLDING = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)


def seats_taken(session: Session, opportunity: LearningOpportunity) -> int:
    return session.scalar(
        sa.select(sa.func.count(Enrolment.id)).where(
            Enrolment.opportunity_id == opportunity.id, Enrolment.status.in_(SEAT_HOLDING)
        )
    ) or 0  # fmt: skip


def enrolment_of(session: Session, opportunity: LearningOpportunity, profile: Profile | None) -> Enrolment | None:
    if profile is None:
        return None
    return session.scalar(
        sa.select(Enrolment).where(Enrolment.opportunity_id == opportunity.id, Enrolment.profile_id == profile.id)
    )


def refusal(opportunity: LearningOpportunity, profile: Profile, today: date) -> str | None:
    """Why this person cannot enrol now (a sentence), or None."""
    if opportunity.status is not OpportunityStatus.OPEN:
        return str(_l("この講座は受付を終了しています。"))
    if opportunity.deadline and opportunity.deadline < today:
        return str(_l("申込締切を過ぎています。"))
    if opportunity.ends_on and opportunity.ends_on < today:
        return str(_l("この講座はすでに終了しています。"))
    if opportunity.eligibility is LearnerEligibility.STUDENTS and not profile.is_student:
        return str(_l("この講座は学生が対象です（プロフィールで学生であることを設定できます）。"))
    if opportunity.eligibility is LearnerEligibility.WORKING_ADULTS and profile.is_student:
        return str(_l("この講座は社会人が対象です。"))
    return None


def _locked(session: Session, opportunity: LearningOpportunity) -> None:
    """Hold the opportunity's row until commit, so two last-seat enrolments cannot both pass the count
    (PostgreSQL; SQLite's write transactions are serial already)."""
    session.execute(sa.select(LearningOpportunity.id).where(LearningOpportunity.id == opportunity.id).with_for_update())


def _enrol(
    session: Session, opportunity: LearningOpportunity, profile: Profile, added_by: User | None, today: date
) -> Enrolment:
    reason = refusal(opportunity, profile, today)
    if reason:
        raise Conflict(reason)
    _locked(session, opportunity)
    enrolment = enrolment_of(session, opportunity, profile)
    if enrolment is not None and enrolment.status is not EnrolmentStatus.WITHDRAWN:
        raise Conflict(str(_l("すでに登録しています。")))
    if opportunity.capacity is not None and seats_taken(session, opportunity) >= opportunity.capacity:
        raise Conflict(str(_l("定員に達しています。")))
    if enrolment is None:
        enrolment = Enrolment(opportunity=opportunity, profile=profile)
        session.add(enrolment)
    enrolment.status = EnrolmentStatus.ENROLLED
    enrolment.added_by_id = added_by.id if added_by else None
    enrolment.enrolled_at = utcnow()
    enrolment.finished_at = None
    session.flush()
    return enrolment


def enrol(session: Session, actor: User, opportunity: LearningOpportunity, *, today: date | None = None) -> Enrolment:
    """The actor enrols in the opportunity with their profile."""
    profile = own_profile(session, actor)
    if profile is None:
        raise Invalid(str(_l("登録するには、先にプロフィールを作成してください。")))
    enrolment = _enrol(session, opportunity, profile, None, today or utcnow().date())
    audit.record(session, actor, "learning.enrol", object_type="enrolment", object_id=enrolment.public_id)
    return enrolment


def withdraw(session: Session, actor: User, opportunity: LearningOpportunity) -> Enrolment:
    """The actor leaves an opportunity they are enrolled in (a finished one stays as it ended)."""
    enrolment = enrolment_of(session, opportunity, own_profile(session, actor))
    if enrolment is None:
        raise NotFound()
    if enrolment.status is not EnrolmentStatus.ENROLLED:
        raise Conflict(str(_l("修了の記録がある講座は取り消せません。")))
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.finished_at = utcnow()
    session.flush()
    audit.record(session, actor, "learning.withdraw", object_type="enrolment", object_id=enrolment.public_id)
    return enrolment


@dataclass(frozen=True)
class AddedLearner:
    """One line of the provider's list: the address, and the enrolment or why there is none."""

    email: str
    enrolment: Enrolment | None
    problem: str | None


def add_learners(
    session: Session, actor: User, opportunity: LearningOpportunity, emails: list[str], *, today: date | None = None
) -> list[AddedLearner]:
    """The provider enrols people by their account's e-mail address (they must have a profile). Lines
    that cannot be enrolled say why; the others are enrolled."""
    require(actor, "publish_learning", opportunity.organisation)
    today = today or utcnow().date()
    results: list[AddedLearner] = []
    for email in dict.fromkeys(e.strip().lower() for e in emails if e.strip()):
        profile = session.scalar(sa.select(Profile).join(User, User.id == Profile.user_id).where(User.email == email))
        if profile is None:
            problem = str(_l("このアドレスのプロフィールがありません（本人に登録してもらってください）。"))
            results.append(AddedLearner(email, None, problem))
            continue
        try:
            with session.begin_nested():
                enrolment = _enrol(session, opportunity, profile, actor, today)
        except Conflict as refusal:
            results.append(AddedLearner(email, None, refusal.message))
            continue
        audit.record(session, actor, "learning.add_learner", object_type="enrolment", object_id=enrolment.public_id)
        results.append(AddedLearner(email, enrolment, None))
    return results


def learners_of(session: Session, actor: User, opportunity: LearningOpportunity) -> list[Enrolment]:
    """The opportunity's learners, for its provider, in the order they enrolled."""
    require(actor, "publish_learning", opportunity.organisation)
    return list(
        session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.opportunity_id == opportunity.id)
            .options(selectinload(Enrolment.profile).selectinload(Profile.user), selectinload(Enrolment.credential))
            .order_by(Enrolment.id)
        )
    )


def _enrolments(session: Session, opportunity: LearningOpportunity, public_ids: list[str]) -> list[Enrolment]:
    """The named enrolments of this opportunity, still open; Invalid naming any that are not."""
    wanted: list[Any] = []
    for public_id in dict.fromkeys(public_ids):
        try:
            wanted.append(parse_public_id(public_id))
        except NotFound:
            raise Invalid.on("enrolments", _l("この講座に登録していない人が含まれています。")) from None
    found = {
        e.public_id: e
        for e in session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.opportunity_id == opportunity.id, Enrolment.public_id.in_(wanted))
            .options(selectinload(Enrolment.profile).selectinload(Profile.user))
        )
    }
    if not wanted or len(found) != len(wanted):
        raise Invalid.on("enrolments", _l("この講座に登録していない人が含まれています。"))
    enrolments = [found[w] for w in wanted]
    if any(e.status is not EnrolmentStatus.ENROLLED for e in enrolments):
        raise Invalid.on("enrolments", _l("受講中の人だけを修了・未修了にできます。"))
    return enrolments


def complete(
    session: Session,
    actor: User,
    opportunity: LearningOpportunity,
    enrolment_ids: list[str],
    ctx: IssuerContext,
) -> list[Enrolment]:
    """Mark the learners completed; when the opportunity awards a badge, issue it to each (one batch,
    idempotent per enrolment) and put it on their profile, where its skills become badge-verified."""
    organisation = opportunity.organisation
    require(actor, "publish_learning", organisation)
    enrolments = _enrolments(session, opportunity, enrolment_ids)
    achievement = opportunity.achievement
    if achievement is not None:
        require(actor, "issue", organisation)
        evidence = f"{ctx.base_url}/learning/{opportunity.public_id}"
        narrative = f"{organisation.name} の「{opportunity.title}」を修了した。"  # data in the provider's language
        awards = [
            (AwardInput(email=e.profile.user.email, name=e.profile.display_name, evidence_url=evidence,
                        narrative=narrative), f"enrolment:{e.public_id}")
            for e in enrolments
        ]  # fmt: skip
        issued = issue_credentials(session, actor, achievement, awards, ctx)
        issued_ids = [one.public_id for one in issued]
        credentials = {
            c.public_id: c for c in session.scalars(sa.select(Credential).where(Credential.public_id.in_(issued_ids)))
        }
        for enrolment, one in zip(enrolments, issued, strict=True):
            credential = credentials[one.public_id]
            if credential.profile_id is None:
                attach(session, credential, enrolment.profile)
            enrolment.credential_id = credential.id
    now = utcnow()
    for enrolment in enrolments:
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.finished_at = now
    session.flush()
    audit.record_many(session, actor, "learning.complete", object_type="enrolment",
                      object_ids=[str(e.public_id) for e in enrolments])  # fmt: skip
    return enrolments


def mark_not_completed(
    session: Session, actor: User, opportunity: LearningOpportunity, enrolment_ids: list[str]
) -> list[Enrolment]:
    """Mark that the learners did not finish: nothing is issued to them."""
    require(actor, "publish_learning", opportunity.organisation)
    enrolments = _enrolments(session, opportunity, enrolment_ids)
    now = utcnow()
    for enrolment in enrolments:
        enrolment.status = EnrolmentStatus.NOT_COMPLETED
        enrolment.finished_at = now
    session.flush()
    audit.record_many(session, actor, "learning.not_completed", object_type="enrolment",
                      object_ids=[str(e.public_id) for e in enrolments])  # fmt: skip
    return enrolments


def enrolments_of_profile(session: Session, profile: Profile) -> list[Enrolment]:
    """The person's learning history, newest first."""
    return list(
        session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.profile_id == profile.id)
            .options(selectinload(Enrolment.opportunity).selectinload(LearningOpportunity.organisation))
            .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
        )
    )


def shown_learning(session: Session, profile: Profile) -> list[Enrolment]:
    """The completed learning a profile shows to those who may see it, latest first: none unless the
    person chose to show it (``shows_learning``)."""
    if not profile.shows_learning:
        return []
    return list(
        session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.profile_id == profile.id, Enrolment.status == EnrolmentStatus.COMPLETED)
            .options(
                selectinload(Enrolment.opportunity).selectinload(LearningOpportunity.organisation),
                selectinload(Enrolment.credential),
            )
            .order_by(Enrolment.finished_at.desc(), Enrolment.id.desc())
        )
    )
