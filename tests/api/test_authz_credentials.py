"""Authorization matrix for the credential operations."""

from __future__ import annotations

import pytest

from talentbank.credentials import achievements, claims, issuing
from talentbank.credentials.inputs import AchievementInput, AwardInput
from tests.api.matrix import ROLES, Row, World, build_world, case_id, matrix_cases, run_row

EVERYONE_200 = dict.fromkeys(ROLES, 200)
# Issuing and revoking: any member of the verified issuing organisation (the pages' "issue" rule).
MEMBERS = {"anonymous": 401, "other_person": 403, "owner": 403, "other_org_member": 403, "org_member": 201,
           "issuer": 201, "admin": 403}  # fmt: skip
IDEMPOTENCY_KEY = "matrix-batch-1"


def _achievement(world: World):
    details = AchievementInput(
        name="データ分析基礎", description="Pythonで集計できる。", criteria="講座を修了した。", tags="",
        expiry_months=None, proof_format="jwt", skill_code="dssp2-36", skill_level=2, skill_code_2="",
        skill_level_2=1,
    )  # fmt: skip
    achievement = achievements.create_achievement(world.db, world.issuer, world.organisation, details)
    world.made["achievement"] = achievement.public_id
    return achievement


def _credential_for_the_owner(world: World):
    """A credential of world.organisation addressed to world.person (the "owner", who may claim it)."""
    award = AwardInput(email=world.person.email, name="本人", evidence_url="", narrative="")
    credential = issuing.issue_credential(world.db, world.issuer, _achievement(world), award, world.issuer_context())
    world.made["credential"] = credential.public_id
    return credential


def _claimed_by_the_owner(world: World) -> None:
    claims.attach(world.db, _credential_for_the_owner(world), world.profile)


ACHIEVEMENT = {
    "name": "データ分析基礎",
    "description": "Pythonで集計できる。",
    "criteria": "講座を修了した。",
    "skills": [{"code": "dssp2-36", "level": 2}],
}

ROWS = [
    Row("verify", lambda w: ("POST", "/api/v1/verify", {"credential": "not a credential"}), EVERYONE_200),
    Row(
        "create_achievement",
        lambda w: ("POST", f"/api/v1/organisations/{w.organisation.public_id}/achievements", ACHIEVEMENT),
        MEMBERS,
    ),
    Row(
        "award_credential",
        lambda w: (
            "POST",
            f"/api/v1/achievements/{w.made['achievement']}/credentials",
            {"email": "learner@example.jp", "name": "学習 太郎"},
        ),
        MEMBERS,
        prepare=_achievement,
    ),
    Row(
        "award_credentials_in_bulk",  # sent with an Idempotency-Key (see the test below)
        lambda w: (
            "POST",
            f"/api/v1/achievements/{w.made['achievement']}/credentials/bulk",
            {"rows": [{"email": "learner@example.jp", "name": "学習 太郎"}]},
        ),
        MEMBERS,
        prepare=_achievement,
    ),
    Row(
        "revoke_credential",
        lambda w: ("POST", f"/api/v1/credentials/{w.made['credential']}/revoke", {"reason": "誤って発行"}),
        {**MEMBERS, "org_member": 200, "issuer": 200},
        prepare=_credential_for_the_owner,
    ),
    Row(
        "claim_credential",
        lambda w: ("POST", f"/api/v1/credentials/{w.made['credential']}/claim", None),
        # The recipient claims; another person's address does not match (422); without a profile of
        # one's own there is nowhere to put it (409, checked first, as on the page).
        {
            "anonymous": 401,
            "other_person": 422,
            "owner": 200,
            "other_org_member": 409,
            "org_member": 409,
            "issuer": 409,
            "admin": 409,
        },
        prepare=_credential_for_the_owner,
    ),
    Row(
        "create_wallet_offer",
        lambda w: ("POST", f"/api/v1/credentials/{w.made['credential']}/wallet-offers", {"tx_code": True}),
        # Only the person who claimed it: not its issuer, not a member of the issuing organisation.
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "owner": 201},
        prepare=_claimed_by_the_owner,
    ),
]


@pytest.mark.parametrize(("row", "role"), matrix_cases(ROWS), ids=case_id)
def test_authorization_matrix(row, role, db, app, client):
    # The bulk award requires an Idempotency-Key; every other operation ignores the header.
    client.environ_base["HTTP_IDEMPOTENCY_KEY"] = IDEMPOTENCY_KEY
    run_row(row, role, build_world(db, app), client)
