"""A badge-verified skill counts only while its credential is valid (#4): an expired, revoked or no
longer verifying badge stops counting on the profile page, in the API, in the people search's
verified filter, in the open data supply figures and for the matching engine; `talentbank
refresh-credentials` re-verifies imported credentials and cleans the stored rows.

The clock is shifted by issuing (or importing) with a `now` in the past, so a request at the wall
clock sees the credential expired, or by passing a later `now` to the services that take one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from badges.checks import Check
from talentbank.accounts.tokens import create_token
from talentbank.credentials import achievements, claims, imports, issuers, issuing, verification
from talentbank.credentials.inputs import AwardInput
from talentbank.db import utcnow
from talentbank.models import Achievement, Credential, ImportedCredential, ProfileSkill, SkillSource, Visibility
from talentbank.projects import ranking
from tests.factories import make_organisation, make_profile, make_project, make_user
from tests.web import test_credentials, test_opendata
from tests.web.test_credentials import _foreign_credential, create_achievement, setup_issuer
from tests.web.test_opendata import SAPPORO, fetch_json, supply_cell

SKILL = "dssp2-36"  # the skill the open data helpers read, and the foreign credential's alignment
TODAY = datetime.now(UTC).date()

# Fixtures of the issuing and open data tests: a verified school, and no open data files left cached.
school = test_credentials.school
cache_dir = test_opendata.cache_dir


def issuer_ctx(app) -> issuers.IssuerContext:
    return issuers.IssuerContext(base_url="http://localhost", fernet=app.extensions["talentbank.fernet"])


def make_achievement(client, db, login, school, *, expiry_months: int | None = 12) -> Achievement:
    """An achievement of the school's, aligned to SKILL at level 3, valid for `expiry_months`."""
    setup_issuer(client, login, school)
    public_id = create_achievement(
        client, school, skill_code=SKILL, skill_level="3", expiry_months=str(expiry_months or "")
    )
    return achievements.get_achievement(db, public_id)


def claimed_badge(app, db, school, achievement, profile, *, issued_at: datetime) -> Credential:
    """Issue the achievement to the profile's owner at `issued_at` and claim it a day later."""
    owner = school.memberships[0].user
    person = profile.user
    award = AwardInput(email=person.email, name=profile.display_name, evidence_url="", narrative="")
    with app.test_request_context():  # the award mail is rendered with url_for
        credential = issuing.issue_credential(db, owner, achievement, award, issuer_ctx(app), now=issued_at)
        claims.claim_credential(db, person, credential, profile, now=issued_at + timedelta(days=1))
    db.commit()
    return credential


def badge_rows(db) -> list[ProfileSkill]:
    db.expire_all()
    return list(db.scalars(sa.select(ProfileSkill).where(ProfileSkill.source == SkillSource.BADGE)))


def api_skills(client, profile) -> set[tuple[str, str]]:
    response = client.get(f"/api/v1/profiles/{profile.public_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {(s["code"], s["source"]) for s in response.get_json()["skills"]}


def found_verified(client) -> tuple[bool, bool]:
    """Whether the verified-only filter finds 学習者 on the search page and in the API, by skill and without."""
    page = client.get(f"/people?skill={SKILL}&verified=1").get_data(as_text=True)
    api = client.get(f"/api/v1/profiles?skill={SKILL}&verified=true").get_json()
    any_verified = client.get("/api/v1/profiles?verified=true").get_json()
    in_api = {p["display_name"] for p in api["items"]} | {p["display_name"] for p in any_verified["items"]}
    return "学習者" in page, "学習者" in in_api


@pytest.mark.parametrize(
    ("issued_months_ago", "counts"),
    [(13, False), (11, True)],  # a 12-month badge: expired a month ago, or valid for another month
)
def test_a_badge_counts_as_verified_only_until_it_expires(app, client, db, login, school, issued_months_ago, counts):
    achievement = make_achievement(client, db, login, school, expiry_months=12)
    client.post("/logout")
    learner = make_user(db, email="learner@example.jp")
    profile = make_profile(db, owner=learner, display_name="学習者", skills={"dssp2-35": 2})
    issued_at = utcnow() - timedelta(days=round(issued_months_ago * 30.5))
    credential = claimed_badge(app, db, school, achievement, profile, issued_at=issued_at)
    assert (credential.valid_until > utcnow()) is counts
    [row] = badge_rows(db)  # the row is kept until a refresh; readers compare its validUntil with now
    assert row.valid_until == credential.valid_until

    page = client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert ("バッジで検証" in page) is counts
    assert ("期限切れ" in page) is not counts  # the badge itself is listed, plainly expired
    assert achievement.name in page
    assert ((SKILL, "badge") in api_skills(client, profile)) is counts
    assert found_verified(client) == (counts, counts)
    listing = client.get("/people").get_data(as_text=True)
    assert "学習者" in listing and ("chip-verified" in listing) is counts  # the result's skill chips

    candidate = ranking.to_candidate(profile)
    assert (SKILL in candidate.skills) is counts  # an expired badge skill is not counted at all
    if counts:
        assert candidate.skills[SKILL].source == "badge"
    assert candidate.skills["dssp2-35"].source == "self"  # what the person declared stays


def test_expired_badges_leave_the_open_data_verified_count(app, client, db, login, school):
    achievement = make_achievement(client, db, login, school, expiry_months=6)
    client.post("/logout")
    people = [
        make_profile(db, skills={SKILL: 3}, home_municipality_code=SAPPORO, visibility=Visibility.PUBLIC)
        for _ in range(10)
    ]
    for number, profile in enumerate(people):  # five badges still valid, five expired a month ago
        issued_at = utcnow() - timedelta(days=120 if number < 5 else 210)
        claimed_badge(app, db, school, achievement, profile, issued_at=issued_at)
    cell = supply_cell(fetch_json(client, "supply")["data"], level=3)
    assert cell["people"] == 10 and cell["verified_people"] == 5


def test_a_revoked_badge_stops_counting_everywhere(app, client, db, login, school):
    achievement = make_achievement(client, db, login, school, expiry_months=None)
    learner = make_user(db, email="learner@example.jp")
    profile = make_profile(db, owner=learner, display_name="学習者")
    credential = claimed_badge(app, db, school, achievement, profile, issued_at=utcnow() - timedelta(days=3))
    assert found_verified(client) == (True, True)
    assert ranking.to_candidate(profile).skills[SKILL].source == "badge"

    assert client.post(f"/credentials/{credential.public_id}/revoke", data={"reason": "誤発行"}).status_code == 302
    client.post("/logout")
    assert badge_rows(db) == []
    page = client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert "取り消し" in page and "バッジで検証" not in page
    assert (SKILL, "badge") not in api_skills(client, profile)
    assert found_verified(client) == (False, False)
    db.refresh(profile)
    assert SKILL not in ranking.to_candidate(profile).skills


@pytest.mark.parametrize("indexed_before_the_claim", [False, True])
def test_the_ranking_drops_the_verified_weight_once_the_badge_expires(
    app,
    client,
    db,
    login,
    school,
    indexed_before_the_claim,
):
    """The index holds the badge while it is valid; an expiry writes nothing, yet the next ranking after
    it sees the skill gone, without a rebuild (whether the index was built before or after the claim)."""
    achievement = make_achievement(client, db, login, school, expiry_months=12)
    town = make_organisation(db, verified=True)
    project = make_project(db, town, needs=((SKILL, 3, True),))
    learner = make_user(db, email="learner@example.jp")
    badged = make_profile(db, owner=learner, display_name="学習者")
    make_profile(db, display_name="自己申告の人", skills={SKILL: 2})

    def ranked(now):
        db.commit()
        return {p.display_name: m for p, m in ranking.matches_for_project(db, project, today=TODAY, now=now).matches}

    if indexed_before_the_claim:
        ranked(utcnow())
    expires_at = utcnow().replace(microsecond=0) + timedelta(minutes=10)  # inside the hour between rebuilds
    credential = claimed_badge(app, db, school, achievement, badged, issued_at=achievements.add_months(expires_at, -12))
    assert credential.valid_until == expires_at

    before = ranked(utcnow())
    assert list(before) == ["学習者", "自己申告の人"]
    assert "verified_skill" in {r.code for r in before["学習者"].reasons}
    assert before["学習者"].components["verified"] > 0
    built = ranking._cache[str(db.get_bind().url)].index

    after = ranked(expires_at + timedelta(minutes=1))
    assert list(after) == ["自己申告の人", "学習者"]
    assert "verified_skill" not in {r.code for r in after["学習者"].reasons}
    assert after["学習者"].components["verified"] == 0
    assert ranking._cache[str(db.get_bind().url)].index is built


def test_an_expired_import_stops_counting(client, db, login):
    person = make_user(db, email="owner@example.jp")
    profile = make_profile(db, owner=person, display_name="学習者")
    imported_at = utcnow().replace(microsecond=0) - timedelta(days=40)  # documents keep whole seconds
    token = _foreign_credential(
        "owner@example.jp", valid_from=imported_at - timedelta(days=1), valid_until=imported_at + timedelta(days=30)
    )
    imported, result = imports.import_credential(db, person, profile, token, issuer_ctx(client.application),
                                                  now=imported_at)  # fmt: skip
    db.commit()
    assert result.verified and imported.counts  # it verified when imported, and still says so
    assert imported.valid_until == imported_at + timedelta(days=30)
    page = client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert "機械学習入門" in page and "期限切れ" in page
    assert "バッジで検証" not in page and "✔ 検証済み" not in page
    assert (SKILL, "badge") not in api_skills(client, profile)
    assert found_verified(client) == (False, False)
    assert SKILL not in ranking.to_candidate(profile).skills
    _token, secret = create_token(db, person, name="test", scopes=("read",), days=30)
    db.commit()
    listed = client.get("/api/v1/me/credentials/imported", headers={"Authorization": f"Bearer {secret}"})
    assert [item["counts"] for item in listed.get_json()["items"]] == [False]


def test_a_valid_import_counts(client, db, login):
    person = make_user(db, email="owner@example.jp")
    profile = make_profile(db, owner=person, display_name="学習者")
    token = _foreign_credential("owner@example.jp", valid_until=utcnow() + timedelta(days=30))
    imports.import_credential(db, person, profile, token, issuer_ctx(client.application))
    db.commit()
    page = client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert "✔ 検証済み" in page and "期限切れ" not in page
    assert (SKILL, "badge") in api_skills(client, profile)
    assert found_verified(client) == (True, True)
    assert ranking.to_candidate(profile).skills[SKILL].source == "badge"


# ---- refresh_credentials and `talentbank refresh-credentials` ------------------------------------------


def test_refresh_rechecks_imports_and_cleans_expired_badge_rows(app, client, db, login, school):
    achievement = make_achievement(client, db, login, school, expiry_months=12)
    client.post("/logout")
    claimed_person = make_profile(db, owner=make_user(db, email="learner@example.jp"), display_name="学習者")
    claimed_badge(app, db, school, achievement, claimed_person, issued_at=utcnow() - timedelta(days=1))
    importer = make_user(db, email="owner@example.jp")
    imported_profile = make_profile(db, owner=importer, display_name="取り込んだ人")
    ctx = issuer_ctx(app)
    now = utcnow()
    for days in (30, 800):  # one expires in a month, the other after the claimed badge
        token = _foreign_credential("owner@example.jp", skill_code="dssp2-35" if days == 30 else SKILL,
                                    valid_until=now + timedelta(days=days))  # fmt: skip
        imports.import_credential(db, importer, imported_profile, token, ctx, now=now)
    db.commit()
    assert len(badge_rows(db)) == 3

    summary = imports.refresh_credentials(db, ctx, now=now)  # nothing has expired yet
    assert summary == imports.RefreshSummary(checked=2, still_counting=2)
    assert len(badge_rows(db)) == 3

    later = now + timedelta(days=400)  # the claimed badge and the first import have expired
    stamp = claimed_person.updated_at
    summary = imports.refresh_credentials(db, ctx, now=later)
    db.commit()
    assert summary == imports.RefreshSummary(
        checked=2, still_counting=1, stopped_counting=1, profiles_refreshed=2, profiles_changed=2
    )
    assert {(r.profile_id, r.skill_code) for r in badge_rows(db)} == {(imported_profile.id, SKILL)}
    expired = db.scalar(sa.select(ImportedCredential).where(ImportedCredential.valid_until < later))
    assert expired.checked_at == later and not expired.is_verified and "expired" in expired.check_codes
    db.refresh(claimed_person)
    assert claimed_person.updated_at > stamp  # the rankings' index takes the change in
    assert imports.refresh_credentials(db, ctx, now=later).profiles_changed == 0


def _imported_by_its_owner(app, db) -> ImportedCredential:
    """A foreign badge that verified and names its owner, imported to their profile."""
    person = make_user(db, email="owner@example.jp")
    imports.import_credential(db, person, make_profile(db, owner=person), _foreign_credential(person.email),
                               issuer_ctx(app))  # fmt: skip
    db.commit()
    return db.scalars(sa.select(ImportedCredential)).one()


def _unreachable(check: str, code: str):
    """`verify_credential` as it answers when the issuer's site does not: `check` fails with `code`."""
    real_verify = verification.verify_credential

    def verify(session, document, ctx, **kwargs):
        result = real_verify(session, document, ctx, **kwargs)
        checks = tuple(Check(c.check, False, code) if c.check == check else c for c in result.checks)
        return type(result)(checks, result.credential, result.format, None)

    return verify


def test_refresh_keeps_the_verdict_when_the_issuer_cannot_be_reached(app, client, db, login, monkeypatch):
    imported = _imported_by_its_owner(app, db)
    checked_at = imported.checked_at
    monkeypatch.setattr(imports, "verify_credential", _unreachable("issuer_key", "key_unresolved"))  # no did:web
    summary = imports.refresh_credentials(db, issuer_ctx(app), now=utcnow())
    assert summary.unreachable == 1 and summary.checked == 0
    db.expire_all()
    assert imported.counts and imported.checked_at == checked_at and len(badge_rows(db)) == 1


def test_an_issuer_unreachable_for_longer_than_the_grace_stops_its_import_counting(app, client, db, login, monkeypatch):
    """An unknown status never counts as valid: past UNREACHABLE_GRACE since the last verdict, the import
    is recorded as unverified with the reason, and its badge skill goes; when the issuer answers again
    the next refresh puts both back."""
    imported = _imported_by_its_owner(app, db)
    ctx = issuer_ctx(app)
    real_verify = verification.verify_credential
    unreachable = _unreachable("status", "status_unknown")  # the issuer's status list would not load
    monkeypatch.setattr(imports, "verify_credential", unreachable)
    within = imported.checked_at + imports.UNREACHABLE_GRACE - timedelta(hours=1)
    assert imports.refresh_credentials(db, ctx, now=within).unreachable == 1
    assert imported.counts and len(badge_rows(db)) == 1

    past = imported.checked_at + imports.UNREACHABLE_GRACE + timedelta(hours=1)
    summary = imports.refresh_credentials(db, ctx, now=past)
    assert summary.stopped_counting == 1 and summary.profiles_changed == 1
    db.expire_all()
    assert not imported.counts and imported.check_codes == ["status_unknown"] and imported.checked_at == past
    assert badge_rows(db) == []
    assert imports.refresh_credentials(db, ctx, now=past + timedelta(days=1)).unreachable == 1  # still unknown

    monkeypatch.setattr(imports, "verify_credential", real_verify)
    summary = imports.refresh_credentials(db, ctx, now=past + timedelta(days=2))
    assert summary.started_counting == 1
    db.expire_all()
    assert imported.counts and len(badge_rows(db)) == 1


def test_refresh_credentials_command(app, client, db, login, school):
    achievement = make_achievement(client, db, login, school, expiry_months=12)
    client.post("/logout")
    profile = make_profile(db, owner=make_user(db, email="learner@example.jp"), display_name="学習者")
    claimed_badge(app, db, school, achievement, profile, issued_at=utcnow() - timedelta(days=400))
    person = make_user(db, email="owner@example.jp")
    imports.import_credential(db, person, make_profile(db, owner=person), _foreign_credential(person.email),
                               issuer_ctx(app))  # fmt: skip
    db.commit()
    assert len(badge_rows(db)) == 2

    runner = app.test_cli_runner()
    db.commit()  # the command runs in its own session: end this one's read
    result = runner.invoke(args=["refresh-credentials"])
    assert result.exit_code == 0, result.output
    db.rollback()
    assert "imported credentials: 1 checked, 1 still counting, 0 stopped counting" in result.output
    assert "profiles: 1 rechecked, 1 changed" in result.output
    assert [r.profile_id for r in badge_rows(db)] == [person.profile.id]  # the expired claimed badge's row is gone
    again = runner.invoke(args=["refresh-credentials"])
    assert "profiles: 0 rechecked, 0 changed" in again.output
