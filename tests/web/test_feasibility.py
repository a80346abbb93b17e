"""How a person can work (remote, on site or both; km and days a month) through the profile form, the
API and the export; where people outside Hokkaido are measured from (data/prefecture_capitals.csv)."""

from __future__ import annotations

import sqlalchemy as sa

from matching import scoring
from talentbank.models import Profile, WorkMode
from talentbank.projects.ranking import to_candidate
from talentbank.reference.prefectures import prefecture_offices, prefecture_place
from tests.factories import make_profile, make_user
from tests.web.test_profiles import PROFILE


def test_the_47_prefecture_offices_are_where_they_should_be():
    offices = prefecture_offices()
    assert len(offices) == 47 and len({o.code for o in offices.values()}) == 47
    for office in offices.values():
        assert 24 < office.lat < 46 and 122 < office.lng < 146, office
    sapporo = offices["北海道"]

    def km(name: str) -> float:
        o = offices[name]
        return float(scoring.haversine_km(sapporo.lat, sapporo.lng, o.lat, o.lng))

    # great-circle distances between prefectural offices (GSI's table: 札幌–東京 831 km, 札幌–那覇 2,245 km)
    assert 820 < km("東京都") < 840 and 2_230 < km("沖縄県") < 2_260 and 245 < km("青森県") < 260
    assert prefecture_place("海外") is None and prefecture_place(None) is None


def test_people_outside_hokkaido_are_measured_from_their_prefecture_office(db):
    tokyo = make_profile(db, home_prefecture="東京都", work_mode=WorkMode.ONSITE, max_travel_km=100)
    abroad = make_profile(db, home_prefecture="海外", work_mode=WorkMode.HYBRID, max_travel_km=100)
    here = make_profile(db, home_municipality_code="011002", work_mode=WorkMode.REMOTE, onsite_days_per_month=None)
    assert (to_candidate(tokyo).lat, to_candidate(tokyo).lng) == prefecture_place("東京都")
    assert to_candidate(abroad).lat is None and to_candidate(abroad).does_onsite
    assert to_candidate(here).lat is not None and not to_candidate(here).does_onsite


def test_the_profile_form_says_km_and_days_for_on_site_work(client, db, login):
    user = make_user(db)
    login(client, user)
    response = client.post("/me/profile", data={**PROFILE, "work_mode": "onsite", "onsite_days_per_month": "4"})
    assert response.status_code == 302
    profile = db.scalar(sa.select(Profile))
    assert profile.work_mode is WorkMode.ONSITE and profile.max_travel_km == 80 and profile.onsite_days_per_month == 4
    page = client.get(f"/people/{profile.public_id}").get_data(as_text=True)
    assert "80 kmまで移動可" in page and "現地は月4日まで" in page
    assert client.get("/me/data/export.json").get_json()["profile"]["onsite_days_per_month"] == 4
    # remote work keeps no on-site days
    assert (
        client.post("/me/profile", data={**PROFILE, "work_mode": "remote", "onsite_days_per_month": "4"}).status_code
        == 302
    )
    db.refresh(profile)
    assert profile.work_mode is WorkMode.REMOTE and profile.onsite_days_per_month is None


def test_bad_on_site_input_saves_nothing(client, db, login):
    login(client, make_user(db))
    for change, message in (
        ({"work_mode": "onsite", "max_travel_km": ""}, "現地で働く場合は、拠点から移動できる距離を入力してください。"),
        ({"work_mode": "hybrid", "onsite_days_per_month": "40"}, "1〜31の数字で入力してください。"),
        ({"work_mode": "hybrid", "onsite_days_per_month": "0"}, "1〜31の数字で入力してください。"),
    ):
        response = client.post("/me/profile", data={**PROFILE, **change})
        assert response.status_code == 422 and message in response.get_data(as_text=True), change
    assert db.scalar(sa.select(sa.func.count()).select_from(Profile)) == 0
