"""Reissuing a credential (issue 21): the issuer's one click gives the same recipient the same
achievement with today's contexts, and revokes the old one. Badges issued with the retired
talentbank context keep verifying until then."""

import copy

import pytest
import sqlalchemy as sa

import badges
from badges.contexts import CREDENTIAL_CONTEXTS, TALENTBANK_V1
from talentbank.credentials import issuers
from talentbank.models import Credential, IssuerKey, ProfileSkill, SkillSource
from tests.factories import add_member, make_organisation, make_profile, make_user
from tests.web.helpers import outbox
from tests.web.test_credentials import award, create_achievement, school, setup_issuer  # noqa: F401

VALID = "この証明書は本物で、有効です。"


def _legacy(app, db, credential: Credential) -> None:
    """Rewrite a DI credential as issued before issue 21: the level as `skillLevel` under TALENTBANK_V1."""
    document = copy.deepcopy(credential.document)
    del document["proof"]
    document["@context"].append(TALENTBANK_V1)
    achievement = document["credentialSubject"]["achievement"]
    achievement.pop("resultDescription")
    document["credentialSubject"].pop("result")
    achievement["alignment"][0]["skillLevel"] = 2
    key = db.scalar(sa.select(IssuerKey))
    ctx = issuers.IssuerContext(base_url="http://localhost", fernet=app.extensions["talentbank.fernet"])
    method = f"{issuers.issuer_did(ctx.base_url, credential.achievement.organisation)}#{key.public_key_multibase}"
    credential.document = badges.sign_data_integrity(document, issuers.private_key(key, ctx.fernet),
                                                     verification_method=method,
                                                     created=credential.issued_at)  # fmt: skip
    db.flush()


@pytest.fixture
def claimed_legacy(app, client, db, login, make_client, school):  # noqa: F811
    setup_issuer(client, login, school)
    credential_id = award(client, create_achievement(client, school, proof_format="di"))
    credential = db.scalar(sa.select(Credential))
    _legacy(app, db, credential)
    learner = make_user(db, email="learner@example.jp")
    profile = make_profile(db, owner=learner)
    learner_client = make_client()
    login(learner_client, learner)
    assert learner_client.post(f"/credentials/{credential_id}/claim").status_code == 302
    return credential_id, profile, learner_client


def test_a_badge_with_the_retired_context_still_verifies(client, claimed_legacy):
    credential_id, _profile, _learner = claimed_legacy
    page = client.get(f"/credentials/{credential_id}").get_data(as_text=True)
    assert VALID in page and "このバッジを再発行する" in page


def test_reissue_replaces_the_badge_and_keeps_recipient_achievement_and_profile(client, db, claimed_legacy):
    credential_id, profile, _learner = claimed_legacy
    old = db.scalar(sa.select(Credential))
    mails_before = len(outbox(db, "learner@example.jp"))
    response = client.post(f"/credentials/{credential_id}/reissue")
    assert response.status_code == 302
    new_id = response.headers["Location"].rsplit("/", 1)[1]
    assert new_id != credential_id
    db.expire_all()
    new = db.scalar(sa.select(Credential).where(Credential.public_id != old.public_id))
    assert str(new.public_id) == new_id
    assert (new.achievement_id, new.recipient_email, new.recipient_name) == (
        old.achievement_id, old.recipient_email, old.recipient_name)  # fmt: skip
    assert new.document["@context"] == list(CREDENTIAL_CONTEXTS)
    assert new.document["evidence"][0]["id"] == "https://example.jp/work"
    assert badges.skill_levels(new.document) == badges.skill_levels(old.document)
    assert old.revoked_at is not None and new_id in old.revocation_reason
    assert new.profile_id == profile.id and new.claimed_at is not None
    skill = db.scalar(sa.select(ProfileSkill).where(ProfileSkill.source == SkillSource.BADGE))
    assert skill.level == 2 and skill.evidence_url == f"/credentials/{new_id}"
    assert len(outbox(db, "learner@example.jp")) == mails_before + 1
    assert VALID in client.get(f"/credentials/{new_id}").get_data(as_text=True)
    assert "取り消されました" in client.get(f"/credentials/{credential_id}").get_data(as_text=True)
    # A second click on the old page issues nothing more.
    client.post(f"/credentials/{credential_id}/reissue")
    assert db.scalar(sa.select(sa.func.count()).select_from(Credential)) == 2


@pytest.mark.parametrize("who", ["recipient", "other_org_member", "anonymous"])
def test_only_the_issuer_may_reissue(client, db, login, make_client, claimed_legacy, who):
    credential_id, _profile, learner_client = claimed_legacy
    if who == "recipient":
        actor_client = learner_client
    else:
        actor_client = make_client()
        if who == "other_org_member":
            other = make_organisation(db, kind="school", verified=True, name="別の学校")
            add_member(db, other, make_user(db))
            login(actor_client, other.memberships[-1].user)
    response = actor_client.post(f"/credentials/{credential_id}/reissue")
    assert response.status_code in ({"anonymous": 302}.get(who, 403),)
    page = actor_client.get(f"/credentials/{credential_id}").get_data(as_text=True)
    assert "このバッジを再発行する" not in page
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Credential)) == 1
    assert db.scalar(sa.select(Credential)).revoked_at is None
