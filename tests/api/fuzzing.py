"""Real objects for the API fuzz test, so that `{id}` paths reach the code behind the 404.

`seed(client, db, ...)` builds, through the API itself where it can (the same bodies the behaviour tests
send), one of every kind of object a path can name, reachable by the fuzzing caller, and returns the real
values of every path parameter. Only what the operation's parameters need is built: an issuer's keys and
signatures are not free, and the fuzz test runs once per operation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from talentbank.learning import opportunities as learning_opportunities
from talentbank.learning.inputs import OpportunityInput, TaughtSkillInput
from talentbank.models import MembershipRole, OrganisationKind, User
from talentbank.projects import applications as project_applications
from talentbank.projects import posting
from tests.factories import add_member, make_organisation, make_profile, make_project, make_user

TODAY = datetime.now(UTC).date()
ACHIEVEMENT = {
    "name": "データ分析基礎",
    "description": "Pythonでデータを集計できる。",
    "criteria": "講座を修了した。",
    "skills": [{"code": "dssp2-36", "level": 2}],
}
PROJECT = {
    "title": "校務のデータ化",
    "problem": "出欠の集計を紙でしている。",
    "expected_outcome": "集計が自動になる。",
    "theme": "education",
    "municipality_code": "016331",
    "hours_per_week": 4,
    "starts_on": (TODAY + timedelta(days=30)).isoformat(),
    "pay_kind": "internship",
    "pay_yen": 0,
    "is_internship": True,
    "needs": [{"skill": "dssp2-36", "min_level": 2, "must_have": True}],
}
OUTCOME = {
    "title": "窓口予約をkintoneで電子化",
    "started_on": "2025-04-01",
    "skill_codes": ["dssp2-36"],
    "skill_level": 2,
}
LEARNING = {
    "title": "オンラインPython講座",
    "description": "地域のオープンデータで学ぶ。",
    "format": "self_paced",
    "study_hours": 20,
    "skills": [{"skill": "dssp2-36", "level": 3}],
}
# Skills the caller has declared (deletable, changeable) and ones they have not (declarable).
SKILL_CODES = ["dssp2-36", "dssp2-52", "dssl-01"]


class Seeder:
    """Builds objects on first use; `ids(parameter)` -> real values for a path parameter."""

    def __init__(self, client: FlaskClient, db: Session, actor: User, headers: dict[str, str], app) -> None:
        self.client, self.db, self.actor, self.headers, self.app = client, db, actor, headers, app
        self._builders: dict[str, Callable[[], list[str]]] = {
            "organisation_id": self.organisations,
            "project_id": self.projects,
            "application_id": self.applications,
            "achievement_id": self.achievements,
            "credential_id": self.credentials,
            "endorsement_id": self.endorsements,
            "imported_id": self.imports,
            "record_id": self.learner_records,
            "outcome_id": self.outcomes,
            "round_id": self.rounds,
            "invitation_id": self.invitations,
            "user_id": self.members,
            "profile_id": self.profiles,
            "opportunity_id": self.opportunities,
            "request_id": self.presentation_requests,
            "skill_code": lambda: SKILL_CODES,
            "code": lambda: SKILL_CODES,
        }

    def ids(self, parameter: str) -> list[str]:
        return self._builders[parameter]()

    def _call(self, method: str, path: str, json: Any = None, status: int = 201) -> Any:
        self.db.commit()
        response = self.client.open(f"/api/v1{path}", method=method, json=json, headers=self.headers)
        assert response.status_code == status, (method, path, response.get_data(as_text=True)[:500])
        self.db.expire_all()
        return response.get_json()

    # ---- organisations, members, invitations ----------------------------------------------------------

    @functools.cache  # noqa: B019  (one Seeder per test)
    def _school(self):
        """The caller's verified school (an issuer, so it posts internships and runs allocation rounds)."""
        [membership] = self.actor.memberships
        organisation = membership.organisation
        self._call("POST", f"/organisations/{organisation.public_id}/issuer")
        return organisation

    @functools.cache  # noqa: B019
    def _prefecture(self):
        """A second organisation the caller owns (an issuer too): it endorses the school's achievement."""
        prefecture = make_organisation(self.db, owner=self.actor, kind=OrganisationKind.PREFECTURE, verified=True)
        self._call("POST", f"/organisations/{prefecture.public_id}/issuer")
        return prefecture

    @functools.cache  # noqa: B019
    def organisations(self) -> list[str]:
        other = make_organisation(self.db, verified=True, name="他の町")
        return [str(self._school().public_id), str(other.public_id)]

    @functools.cache  # noqa: B019
    def members(self) -> list[str]:
        school = self._school()
        add_member(self.db, school, make_user(self.db), MembershipRole.MEMBER)
        listed = self._call("GET", f"/organisations/{school.public_id}/members", status=200)["items"]
        return [member["user_id"] for member in listed]

    @functools.cache  # noqa: B019
    def invitations(self) -> list[str]:
        school = self._school()
        self._call("POST", f"/organisations/{school.public_id}/invitations", {"email": "staff@example.jp"})
        listed = self._call("GET", f"/organisations/{school.public_id}/invitations", status=200)["items"]
        return [invitation["id"] for invitation in listed]

    # ---- projects, applications, allocation rounds ----------------------------------------------------

    @functools.cache  # noqa: B019
    def projects(self) -> list[str]:
        school = self._school()
        created = self._call("POST", "/projects", {**PROJECT, "organisation_id": str(school.public_id)})
        self._call("POST", f"/projects/{created['id']}/transition", {"status": "open"}, status=200)
        return [created["id"]]

    @functools.cache  # noqa: B019
    def applications(self) -> list[str]:
        """Someone's application to the caller's project, and the caller's own to another organisation's."""
        [project_id] = self.projects()
        applicant = make_profile(self.db, skills={"dssp2-36": 3})
        project = posting.get_project(self.db, applicant.user, project_id)
        with self.app.test_request_context():
            theirs = project_applications.apply(
                self.db, applicant.user, project, "参加したいです", base_url="http://localhost"
            )
        elsewhere = make_project(self.db, make_organisation(self.db, verified=True))
        mine = self._call("POST", f"/projects/{elsewhere.public_id}/applications", {"message": "よろしく"})
        return [str(theirs.public_id), mine["id"]]

    @functools.cache  # noqa: B019
    def rounds(self) -> list[str]:
        [project_id] = self.projects()
        make_profile(self.db, skills={"dssp2-36": 3})
        school = self._school()
        body = {"name": "2027年夏", "projects": [project_id]}
        return [self._call("POST", f"/organisations/{school.public_id}/allocation-rounds", body)["id"]]

    # ---- learning opportunities -----------------------------------------------------------------------

    @functools.cache  # noqa: B019
    def opportunities(self) -> list[str]:
        """The caller's school's course (awarding its badge; the caller is enrolled, and so is someone
        else, so completions and withdrawals reach the services), and another organisation's."""
        school = self._school()
        [achievement_id] = self.achievements()
        body = {**LEARNING, "achievement_id": achievement_id}
        mine = self._call("POST", f"/organisations/{school.public_id}/learning-opportunities", body)["id"]
        self._call("POST", f"/learning-opportunities/{mine}/enrolments")
        self._call("POST", f"/learning-opportunities/{mine}/learners", {"emails": [make_profile(self.db).user.email]},
                   status=200)  # fmt: skip
        other = make_organisation(self.db, verified=True, name="他の町")
        owner = other.memberships[0].user
        with self.app.test_request_context():
            elsewhere = learning_opportunities.save_opportunity(
                self.db, owner, other, OpportunityInput(
                    title="他の講座", description="内容", format="live_online", language="ja", municipality_code=None,
                    starts_on=None, ends_on=None, study_hours=10, cost_yen=0, eligibility="anyone", capacity=5,
                    deadline=None, course_url="", skills=(TaughtSkillInput("dssp2-52", 2),),
                ),
            )  # fmt: skip
        return [mine, str(elsewhere.public_id)]

    # ---- the caller's profile --------------------------------------------------------------------------

    @functools.cache  # noqa: B019
    def profiles(self) -> list[str]:
        other = make_profile(self.db, skills={"dssp2-37": 2})
        mine = self._call("GET", "/me/profile", status=200)["id"]
        return [mine, str(other.public_id)]

    @functools.cache  # noqa: B019
    def outcomes(self) -> list[str]:
        return [self._call("POST", "/me/profile/outcomes", OUTCOME)["id"]]

    # ---- achievements, credentials, endorsements, imports ---------------------------------------------

    @functools.cache  # noqa: B019
    def achievements(self) -> list[str]:
        school = self._school()
        return [self._call("POST", f"/organisations/{school.public_id}/achievements", ACHIEVEMENT)["id"]]

    @functools.cache  # noqa: B019
    def _credentials(self) -> list[dict[str, Any]]:
        """One awarded to the caller (claimable, importable), one to someone else."""
        [achievement_id] = self.achievements()
        path = f"/achievements/{achievement_id}/credentials"
        return [
            self._call("POST", path, {"email": self.actor.email, "name": "本人"}),
            self._call("POST", path, {"email": "someone@example.jp", "name": "誰か"}),
        ]

    def credentials(self) -> list[str]:
        return [credential["id"] for credential in self._credentials()]

    @functools.cache  # noqa: B019
    def endorsements(self) -> list[str]:
        [achievement_id] = self.achievements()
        body = {"endorser": str(self._prefecture().public_id), "comment": "道として推薦します。"}
        return [self._call("POST", f"/achievements/{achievement_id}/endorsements", body)["id"]]

    @functools.cache  # noqa: B019
    def learner_records(self) -> list[str]:
        """A learner record (CLR 2.0) of the caller's credential."""
        [achievement_id] = self.achievements()
        self.credentials()
        body = {"email": self.actor.email, "achievements": [achievement_id]}
        return [self._call("POST", f"/organisations/{self._school().public_id}/learner-records", body)["id"]]

    @functools.cache  # noqa: B019
    def imports(self) -> list[str]:
        mine = self._call("GET", f"/credentials/{self.credentials()[0]}", status=200)
        submitted = mine["jwt"] or mine["document"]
        return [self._call("POST", "/me/credentials/imported", {"credential": submitted})["id"]]

    @functools.cache  # noqa: B019
    def presentation_requests(self) -> list[str]:
        return [self._call("POST", "/me/presentation-requests", {"purpose": "import"})["id"]]


# ---- text that talentbank refuses wherever it enters (talentbank/text.py) --------------------------

# One of each kind: NUL, other C0 controls, DEL, C1 controls (NEL among them), lone surrogates (which
# only a JSON escape such as "\ud800" can carry), non-characters at the start, middle and end of the range.
UNREADABLE_CHARACTERS = [
    "\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f",
    "\ud800", "\udbff", "\udc00", "\udfff",
    "\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff",
]  # fmt: skip


def unreadable_characters() -> st.SearchStrategy[str]:
    """A single character that no text field takes."""
    controls = st.characters(min_codepoint=0, max_codepoint=0x9F).filter(
        lambda c: c not in "\t\n\r" and not " " <= c <= "~"
    )
    return st.one_of(st.sampled_from(UNREADABLE_CHARACTERS), controls, st.characters(categories=["Cs"]))


def unreadable_text() -> st.SearchStrategy[str]:
    """Ordinary text with at least one character no text field takes, anywhere in it."""
    ordinary = st.text(st.characters(categories=["L", "N", "P", "Zs"]), max_size=6)
    return st.builds(lambda before, bad, after: before + bad + after, ordinary, unreadable_characters(), ordinary)


def poisoned(value: Any, bad: str) -> tuple[Any, int]:
    """`value` with `bad` appended to every string in it (keys of free-form objects stay) -> (value, how many)."""
    if isinstance(value, str):
        return value + bad, 1
    if isinstance(value, list):
        items = [poisoned(item, bad) for item in value]
        return [item for item, _ in items], sum(count for _, count in items)
    if isinstance(value, dict):
        items = {key: poisoned(item, bad) for key, item in value.items()}
        return {key: item for key, (item, _) in items.items()}, sum(count for _, count in items.values())
    return value, 0
