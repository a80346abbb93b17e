"""The lists that grow with the site page in SQL (#6): every row is reached once, in the order the old
in-memory lists had, with the right total, whatever the page size."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from talentbank import notifications
from talentbank.models import Credential, Notification, Organisation, OrganisationKind
from tests.api.conftest import bearer
from tests.api.test_credentials import create_achievement
from tests.factories import make_profile, make_user

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PER_PAGE = 7


def page_through(client, path: str, headers, per_page: int = PER_PAGE, query: str = "") -> tuple[list[dict], int]:
    """Every page of `path` in turn; each one carries its page, per_page and the same total."""
    path = f"{path}?{query}&" if query else f"{path}?"
    first = client.get(f"{path}per_page={per_page}&page=1", headers=headers)
    assert first.status_code == 200, first.get_data(as_text=True)
    total = first.get_json()["total"]
    items = first.get_json()["items"]
    for page in range(2, math.ceil(total / per_page) + 1):
        body = client.get(f"{path}per_page={per_page}&page={page}", headers=headers).get_json()
        assert (body["page"], body["per_page"], body["total"]) == (page, per_page, total)
        assert len(body["items"]) == min(per_page, total - (page - 1) * per_page)
        items += body["items"]
    past = client.get(f"{path}per_page={per_page}&page={math.ceil(total / per_page) + 1}", headers=headers)
    assert past.get_json() == {
        "items": [],
        "page": math.ceil(total / per_page) + 1,
        "per_page": per_page,
        "total": total,
    }
    return items, total


def seed_credentials(client, db, school, issuer, count: int, *, profile_id=None) -> str:
    """One credential issued through the API, then `count` more copied from it in one INSERT (each
    with its own status bit); only 5 distinct issue times, so most order ties need the id."""
    achievement_id = create_achievement(client, school, issuer)
    response = client.post(
        f"/api/v1/achievements/{achievement_id}/credentials",
        json={"email": "first@example.jp", "name": "最初 一郎"},
        headers=issuer,
    )
    assert response.status_code == 201
    first = db.scalars(sa.select(Credential)).one()
    db.execute(
        sa.insert(Credential),
        [
            {
                "public_id": uuid.uuid4(),
                "achievement_id": first.achievement_id,
                "recipient_email": f"r{index}@example.jp",
                "recipient_name": f"受領者{index:03d}",
                "proof_format": first.proof_format,
                "stored_document": first.stored_document,
                "jwt": first.jwt,
                "status_list_id": first.status_list_id,
                "status_index": first.status_index + 1 + index,
                "issued_at": T0 + timedelta(minutes=index % 5),
                "profile_id": profile_id,
            }
            for index in range(count)
        ],
    )
    db.commit()
    return achievement_id


def test_the_credentials_of_an_achievement_page_in_sql(client, db, school, issuer):
    achievement_id = seed_credentials(client, db, school, issuer, 40)
    items, total = page_through(client, f"/api/v1/achievements/{achievement_id}/credentials", issuer)
    assert total == 41
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == 41  # no duplicates, no gaps
    newest_first = db.scalars(
        sa.select(Credential.public_id).order_by(Credential.id)  # the only achievement: the old order
    ).all()
    assert ids == [str(i) for i in reversed(newest_first)]


def test_the_callers_credentials_page_in_sql(client, db, school, issuer, make_token):
    learner = make_user(db, email="learner@example.jp")
    profile = make_profile(db, owner=learner)
    db.commit()
    seed_credentials(client, db, school, issuer, 33, profile_id=profile.id)
    items, total = page_through(client, "/api/v1/me/credentials", bearer(make_token(learner)))
    assert total == 33
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == 33
    rows = db.execute(
        sa.select(Credential.public_id, Credential.issued_at, Credential.id).where(Credential.profile_id == profile.id)
    ).all()
    expected = sorted(rows, key=lambda row: (row.issued_at, row.id), reverse=True)  # newest issue first
    assert ids == [str(row.public_id) for row in expected]
    # someone else's token sees none of them
    other = bearer(make_token(make_user(db)))
    assert client.get("/api/v1/me/credentials", headers=other).get_json()["total"] == 0


def test_notifications_page_in_sql_past_the_newest_hundred(client, db, make_token):
    """More notifications than the page shows (KEEP): the API reaches all of them, unread ones too."""
    person, other = make_user(db), make_user(db)
    db.commit()
    rows = [
        {
            "user_id": person.id,
            "kind": "application",
            "text": f"通知{index:03d}",
            "created_at": T0 + timedelta(minutes=index % 4),
            "read_at": T0 if index % 3 == 0 else None,
        }
        for index in range(notifications.KEEP + 30)
    ]
    rows.append({"user_id": other.id, "kind": "application", "text": "他人宛", "created_at": T0, "read_at": None})
    db.execute(sa.insert(Notification), rows)
    db.commit()

    def expected(unread_only: bool) -> list[str]:
        query = sa.select(Notification).where(Notification.user_id == person.id)
        found = [n for n in db.scalars(query) if not unread_only or n.read_at is None]
        return [n.text for n in sorted(found, key=lambda n: (n.created_at, n.id), reverse=True)]

    headers = bearer(make_token(person))
    items, total = page_through(client, "/api/v1/me/notifications", headers, per_page=9)
    assert total == notifications.KEEP + 30
    assert len({item["text"] for item in items}) == total  # every text is distinct: no duplicates
    assert [item["text"] for item in items] == expected(False)  # no duplicates, no gaps, newest first
    unread, total = page_through(client, "/api/v1/me/notifications", headers, per_page=11, query="unread=true")
    assert total == len(expected(True)) == 86
    assert [item["text"] for item in unread] == expected(True)
    assert all(item["read_at"] is None for item in unread)


def test_organisations_page_in_sql_by_name_then_id(client, db):
    """60 organisations with only 6 distinct names: the id orders equal names, so no page repeats one."""
    db.execute(
        sa.insert(Organisation),
        [
            {
                "public_id": uuid.uuid4(),
                "name": f"ORG{index % 6}",
                "kind": OrganisationKind.COMPANY if index % 2 else OrganisationKind.MUNICIPALITY,
                "municipality_code": "016331",
                "description": "",
                "created_at": T0,
                "verified_at": T0 if index % 5 == 0 else None,
            }
            for index in range(60)
        ],
    )
    db.commit()

    def expected(kind=None, verified_only=False) -> list[str]:
        found = [
            o
            for o in db.scalars(sa.select(Organisation))
            if (kind is None or o.kind == kind) and (not verified_only or o.verified_at is not None)
        ]
        return [str(o.public_id) for o in sorted(found, key=lambda o: (o.name, o.id))]

    items, total = page_through(client, "/api/v1/organisations", {}, per_page=8)
    assert total == 60 and len({item["id"] for item in items}) == 60  # no duplicates
    assert [item["id"] for item in items] == expected()  # no gaps, by name then id
    companies, total = page_through(client, "/api/v1/organisations", {}, per_page=7, query="kind=company")
    assert total == 30 and [item["id"] for item in companies] == expected(OrganisationKind.COMPANY)
    verified, total = page_through(client, "/api/v1/organisations", {}, per_page=5, query="verified=true")
    assert total == 12 and [item["id"] for item in verified] == expected(verified_only=True)
