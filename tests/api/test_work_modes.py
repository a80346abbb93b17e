"""How a person can work over the API: remote, on site or both, with km and on-site days a month."""

from __future__ import annotations

import sqlalchemy as sa

from talentbank.models import Profile
from tests.api.conftest import bearer
from tests.api.test_profiles import PROFILE as API_PROFILE


def test_the_api_reads_and_writes_how_a_person_works(client, db, make_token):
    headers = bearer(make_token())
    body = {**API_PROFILE, "work_mode": "hybrid", "max_travel_km": 60, "onsite_days_per_month": 3}
    created = client.put("/api/v1/me/profile", json=body, headers=headers)
    assert created.status_code in (200, 201), created.get_json()
    assert created.get_json()["onsite_days_per_month"] == 3 and created.get_json()["work_mode"] == "hybrid"
    assert client.get("/api/v1/me/profile", headers=headers).get_json()["onsite_days_per_month"] == 3
    for bad, field in (({"onsite_days_per_month": 0}, "onsite_days_per_month"),
                       ({"onsite_days_per_month": 32}, "onsite_days_per_month"),
                       ({"work_mode": "onsite", "max_travel_km": None}, "max_travel_km")):  # fmt: skip
        refused = client.put("/api/v1/me/profile", json={**body, **bad}, headers=headers)
        assert refused.status_code == 422 and field in refused.get_json()["fields"], bad
    assert db.scalar(sa.select(Profile)).onsite_days_per_month == 3
