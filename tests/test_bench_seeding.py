"""The benchmark seeding (bench/seeding.py) at a small size: what bench/http_pages.py relies on holds."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from bench.seeding import landmarks, seed_talent_bank
from talentbank.credentials.context import issuer_context
from talentbank.models import Credential, Membership, Profile, ProfileSearchTerm, ProfileSkill, Project


def test_seeds_people_projects_and_credentials_a_benchmark_can_visit(app, db):
    with app.test_request_context(base_url="http://127.0.0.1:5118"):
        seed_talent_bank(db, issuer_context(), people=50, projects=10, credentials=120, real_credentials=40)
        seen = landmarks(db)
    assert seen.counts["people"] == 50 and seen.counts["projects"] == 10 and seen.counts["credentials"] == 120
    project = db.scalars(sa.select(Project).where(Project.public_id == uuid.UUID(seen.project))).one()
    assert project.status == "open"
    assert db.scalar(sa.select(Membership.organisation_id).where(Membership.user_id == seen.owner_user_id)) == (
        project.organisation_id
    )
    public = db.scalars(
        sa.select(Profile.visibility).where(Profile.public_id.in_([uuid.UUID(p) for p in seen.profiles]))
    )
    assert set(public) == {"public"}
    # The real credentials are signed and come first; the copies each have their own status entry.
    first = db.scalars(sa.select(Credential).order_by(Credential.id)).first()
    assert str(first.public_id) == seen.credentials[0] and first.jwt
    entries = db.execute(sa.select(Credential.status_list_id, Credential.status_index)).all()
    assert len(set(entries)) == 120
    claimed = db.scalar(sa.select(sa.func.count()).select_from(Credential).where(Credential.profile_id.is_not(None)))
    badge_skills = db.scalar(sa.select(sa.func.count()).select_from(ProfileSkill).where(ProfileSkill.source == "badge"))
    assert claimed > 0 and badge_skills > 0
    assert db.scalar(sa.select(sa.func.count(sa.distinct(ProfileSearchTerm.profile_id)))) == 50
