"""Stored text never becomes executable markup (SC-05): payloads go into every stored text field
through the real forms, and every page that shows them is parsed for scripts, handlers and URLs."""

from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from talentbank.models import Achievement, LearningOpportunity, Organisation, Project
from tests.factories import make_user

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><script>alert(2)</script>',
    "'><img src=x onerror=alert(3)>",
    "<svg/onload=alert(4)>",
    "<iframe src=javascript:alert(5)>",
    "javascript:alert(6)",
    '<a href="javascript:alert(7)">x</a>',
    "[click](javascript:alert(8))",
    "<details open ontoggle=alert(9)>",
    "</textarea><script>alert(10)</script>",
    "{{7*7}}{% raw %}",
    "<style>body{background:url(javascript:alert(11))}</style>",
    "<object data=javascript:alert(12)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(13)>",
    '"onmouseover=alert(14) x="',
    "</script><script>alert(15)</script>",
]


class Executable(HTMLParser):
    """Collects anything that could run: inline scripts, event handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script":
            src, kind = values.get("src") or "", values.get("type") or ""
            if not (src.startswith("/static/") or kind == "application/ld+json"):
                self.problems.append(f"script {values}")
        if tag in {"iframe", "object", "embed", "svg", "math", "style", "base"}:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name in {"href", "src", "action", "formaction", "data"} and (value or "").strip().lower().startswith(
                ("javascript:", "data:text")
            ):
                self.problems.append(f"{tag}[{name}]={value}")


def executable_parts(html: str) -> list[str]:
    parser = Executable()
    parser.feed(html)
    return parser.problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_every_stored_field_stay_inert(client, db, login, payload):
    owner = make_user(db, is_admin=True)
    login(client, owner)
    text = payload[:80]
    client.post(
        "/orgs/new",
        data={
            "name": text,
            "name_en": text,
            "kind": "school",
            "municipality_code": "012041",
            "description": payload,
            "website": "",
        },
    )
    organisation = db.scalar(sa.select(Organisation))
    organisation_id = organisation.public_id
    client.post(f"/admin/orgs/{organisation_id}/verify", data={"verified": "1"})
    client.post(
        "/me/profile",
        data={
            "display_name": text,
            "furigana": text,
            "headline": payload[:140],
            "bio": payload,
            "home": "012041",
            "work_mode": "remote",
            "visibility": "public",
            "pay_kind": "",
            "is_student": "y",
            "school_name": payload[:120],
        },
    )
    client.post(
        "/me/outcomes/new",
        data={
            "title": payload[:140],
            "description": payload,
            "role": text,
            "organisation_name": payload[:120],
            "skill_level": "2",
        },
    )
    client.post(
        f"/orgs/{organisation_id}/projects/new",
        data={
            "title": payload[:140],
            "problem": payload,
            "expected_outcome": payload,
            "theme": "education",
            "municipality_code": "012041",
            "work_mode": "remote",
            "hours_per_week": "4",
            "starts_on": "2030-01-01",
            "pay_kind": "volunteer",
            "seats": "1",
            "eligibility": payload[:300],
            "need_skill_0": "dssp2-43",
            "need_level_0": "1",
            "need_must_0": "must",
        },
    )
    project = db.scalar(sa.select(Project))
    client.post(f"/projects/{project.public_id}/status", data={"status": "open"})
    client.post(f"/orgs/{organisation_id}/issuer")
    client.post(
        f"/orgs/{organisation_id}/achievements/new",
        data={
            "name": payload[:120],
            "description": payload,
            "criteria": payload,
            "tags": payload[:300],
            "proof_format": "jwt",
            "skill_code": "dssp2-43",
            "skill_level": "2",
            "skill_code_2": "",
            "skill_level_2": "1",
        },
    )
    achievement = db.scalar(sa.select(Achievement))
    response = client.post(
        f"/achievements/{achievement.public_id}/award",
        data={"email": "x@example.jp", "name": text, "narrative": payload},
    )
    credential_page = response.headers["Location"]
    client.post(
        f"/orgs/{organisation_id}/learning/new",
        data={
            "title": text, "description": payload, "format": "pbl", "language": "ja", "municipality_code": "012041",
            "starts_on": "", "ends_on": "", "study_hours": "10", "cost_yen": "0", "eligibility": "anyone",
            "capacity": "", "deadline": "", "course_url": "", "achievement_id": str(achievement.public_id),
            "project_id": str(project.public_id), "skill_0": "dssp2-43", "level_0": "2",
        },
    )  # fmt: skip
    course = db.scalar(sa.select(LearningOpportunity))
    assert course is not None, "the learning opportunity was published"
    client.post(f"/learning/{course.public_id}/enrol")
    profile_page = client.get("/dashboard").get_data(as_text=True).split('href="/people/')[1].split('"')[0]
    pages = [
        f"/orgs/{organisation_id}",
        "/orgs/",
        f"/people/{profile_page}",
        "/people",
        f"/projects/{project.public_id}",
        "/projects",
        f"/achievements/{achievement.public_id}",
        credential_page,
        "/dashboard",
        "/admin/",
        f"/orgs/{organisation_id}/badges",
        "/me/data/export.html",
        "/learning",
        f"/learning/{course.public_id}",
        f"/learning/{course.public_id}/learners",
        "/me/learning",
    ]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert executable_parts(html) == [], path


def test_the_checker_finds_what_it_looks_for():
    assert executable_parts("<p>ok</p><script src='/static/js/skill-picker.js'></script>") == []
    for bad in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:x'>a</a>",
        "<svg onload=x>",
        "<iframe src=x>",
    ]:
        assert executable_parts(bad), bad
