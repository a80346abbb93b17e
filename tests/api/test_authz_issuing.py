"""Authorization matrix for endorsements, revoking many credentials, reissuing one, learner records, and imported
credentials.

Endorsing: the achievement belongs to `world.other_organisation`; the endorser named in the body is
`world.organisation`, which only its owner (`world.issuer`) may sign for ("manage_issuer"). Revoking:
any member of the issuing organisation. Imports act on the caller's own profile: only "owner" and
"other_person" have one (the others are told to create one first, 409).
"""

from __future__ import annotations

import pytest

from talentbank.credentials import achievements, imports, issuing, learner_records
from talentbank.credentials.inputs import AchievementInput, AwardInput, LearnerRecordInput
from tests.api.matrix import ROLES, Row, World, build_world, case_id, matrix_cases, run_row

DETAILS = AchievementInput(
    name="データ分析基礎", description="Pythonで集計できる。", criteria="講座を修了した。", tags="",
    expiry_months=None, proof_format="jwt", skill_code="dssp2-36", skill_level=2, skill_code_2="", skill_level_2=1,
)  # fmt: skip


def expect(**statuses: int) -> dict[str, int]:
    assert set(statuses) == set(ROLES), set(ROLES) ^ set(statuses)
    return statuses


def _foreign_achievement(world: World) -> None:
    achievement = achievements.create_achievement(world.db, world.other_org_member, world.other_organisation, DETAILS)
    world.made["achievement"] = achievement.public_id


def _credential_for_the_owner(world: World) -> None:
    achievement = achievements.create_achievement(world.db, world.issuer, world.organisation, DETAILS)
    award = AwardInput(email=world.person.email, name="本人", evidence_url="", narrative="")
    credential = issuing.issue_credential(world.db, world.issuer, achievement, award, world.issuer_context())
    world.made.update(achievement=achievement.public_id, credential=credential.public_id, jwt=credential.jwt)


def _learner_record_for_the_owner(world: World) -> None:
    _credential_for_the_owner(world)
    details = LearnerRecordInput(email=world.person.email, name="", achievement_ids=(str(world.made["achievement"]),),
                                 proof_format="di")  # fmt: skip
    record = learner_records.issue_learner_record(world.db, world.issuer, world.organisation, details,
                                                  world.issuer_context())  # fmt: skip
    world.made["record"] = record.public_id


def _imported_by_the_owner(world: World) -> None:
    _credential_for_the_owner(world)
    imported, _result = imports.import_credential(
        world.db, world.person, world.profile, world.made["jwt"], world.issuer_context()
    )
    world.made["imported"] = imported.public_id


ROWS = [
    Row(
        "endorse_achievement",
        lambda w: (
            "POST",
            f"/api/v1/achievements/{w.made['achievement']}/endorsements",
            {"endorser": str(w.organisation.public_id), "comment": "道の研修として推薦します。"},
        ),
        expect(anonymous=401, other_person=403, owner=403, other_org_member=403, org_member=403, issuer=201, admin=403),
        prepare=_foreign_achievement,
    ),
    Row(
        "revoke_credentials_in_bulk",
        lambda w: (
            "POST",
            f"/api/v1/achievements/{w.made['achievement']}/credentials/revoke",
            {"credentials": [str(w.made["credential"])], "reason": "誤って発行しました。"},
        ),
        expect(anonymous=401, other_person=403, owner=403, other_org_member=403, org_member=200, issuer=200, admin=403),
        prepare=_credential_for_the_owner,
    ),
    # Reissuing (issue 21): members of the issuing organisation only; the recipient may not.
    Row(
        "reissue_credential",
        lambda w: ("POST", f"/api/v1/credentials/{w.made['credential']}/reissue", None),
        expect(anonymous=401, other_person=403, owner=403, other_org_member=403, org_member=201, issuer=201, admin=403),
        prepare=_credential_for_the_owner,
    ),
    # Anyone with a profile may import; a credential naming someone else is kept but does not count.
    Row(
        "import_credential",
        lambda w: ("POST", "/api/v1/me/credentials/imported", {"credential": w.made["jwt"]}),
        expect(anonymous=401, other_person=201, owner=201, other_org_member=409, org_member=409, issuer=409, admin=409),
        prepare=_credential_for_the_owner,
    ),
    # Learner records (CLR 2.0, issue 16): members of the issuing organisation, of the badges it gave the owner.
    Row(
        "issue_learner_record",
        lambda w: (
            "POST",
            f"/api/v1/organisations/{w.organisation.public_id}/learner-records",
            {"email": w.person.email, "achievements": [str(w.made["achievement"])], "track": {"name": "トラック"}},
        ),
        expect(anonymous=401, other_person=403, owner=403, other_org_member=403, org_member=201, issuer=201, admin=403),
        prepare=_credential_for_the_owner,
    ),
    Row(
        "revoke_learner_record",
        lambda w: ("POST", f"/api/v1/learner-records/{w.made['record']}/revoke", None),
        expect(anonymous=401, other_person=403, owner=403, other_org_member=403, org_member=200, issuer=200, admin=403),
        prepare=_learner_record_for_the_owner,
    ),
    Row(
        "create_learner_record_wallet_offer",  # the learner it was issued to (a confirmed address), no one else
        lambda w: ("POST", f"/api/v1/learner-records/{w.made['record']}/wallet-offers", {}),
        expect(anonymous=401, other_person=403, owner=201, other_org_member=403, org_member=403, issuer=403, admin=403),
        prepare=_learner_record_for_the_owner,
    ),
    Row(
        "delete_imported_credential",
        lambda w: ("DELETE", f"/api/v1/me/credentials/imported/{w.made['imported']}", None),
        expect(anonymous=401, other_person=404, owner=204, other_org_member=404, org_member=404, issuer=404, admin=404),
        prepare=_imported_by_the_owner,
    ),
]


@pytest.mark.parametrize(("row", "role"), matrix_cases(ROWS), ids=case_id)
def test_authorization_matrix(row, role, db, app, client):
    run_row(row, role, build_world(db, app), client)
