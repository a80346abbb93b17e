"""Every reason code the matching engine emits reads as a sentence, in Japanese and English (#5)."""

from __future__ import annotations

import dataclasses
import itertools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale

import matching
from matching.reasons import PairDetail, SkillSlot, reasons
from talentbank.models import ProjectPay, ProjectWorkMode
from talentbank.models.profiles import PayKind, WorkMode
from talentbank.projects.reasons import explain, sentence
from tests.factories import make_organisation, make_profile, make_project

# Every code matching/reasons.py can put in a Reason (its docstring lists them too).
ENGINE_CODES = {
    "must_have_met", "must_have_partial", "must_have_missing",
    "nice_to_have_met", "nice_to_have_partial", "nice_to_have_missing",
    "verified_skill", "text_overlap", "across_languages",
    "remote", "distance_km", "within_travel", "beyond_travel", "distance_unknown", "region_of_interest",
    "hours_ok", "hours_short", "start_ok", "start_late",
    "pay_ok", "pay_below_expectation", "pay_not_comparable",
}  # fmt: skip
BASE = PairDetail(
    skills=(), text_score=0.0, shared_terms=(), is_remote=True, distance_km=None, travel_km=50.0, region=None,
    in_region=False, hours_available=10, hours_needed=5, days_late=0, offer_kind=0, offer_yen=2000,
    expected_kind=0, expected_yen=2000, pay_score=1.0,
)  # fmt: skip
VARIANTS = [
    {  # every level/source combination, must-have and nice-to-have
        "skills": tuple(
            SkillSlot("dssp2-36", 2, must, level, source)
            for must in (True, False)
            for level, source in ((0, 0), (1, 0), (3, 1), (2, 2))
        )
    },
    {"shared_terms": ("除雪", "kintone"), "text_score": 0.4},
    {  # a Japanese project met by an English profile, and the reverse (matching/languages.py)
        "shared_terms": ("除雪",),
        "across_languages": tuple(
            matching.Reason("across_languages", d, terms=("除雪 = snow",)) for d in ("ja_en", "en_ja")
        ),
    },
    {"is_remote": False, "distance_km": 12.3},
    {"is_remote": False, "distance_km": 120.0, "in_region": True, "region": "tokachi"},
    {"is_remote": False, "distance_km": float("nan")},
    {"hours_available": 2, "days_late": 14},
    {"pay_score": 0.5},  # same kind, lower
    {"pay_score": 0.5, "offer_kind": 1},  # a fixed offer against an hourly expectation
]
NAMES = {"dssp2-36": "データ活用"}


def emitted() -> list[matching.Reason]:
    return [reason for change in VARIANTS for reason in reasons(dataclasses.replace(BASE, **change))]


def test_the_list_is_every_code_in_the_engine():
    """Codes written out in matching/ (Reason("…") and `code = "…" if … else "…"`), plus the skill codes
    it builds as f"{must_have|nice_to_have}_{missing|met|partial}". The learning steps' codes (gaps.py)
    are another vocabulary, with their own sentences (tests/web/test_learning.py)."""
    modules = [p for p in Path(matching.__file__).parent.glob("*.py") if p.name != "gaps.py"]
    source = "\n".join(p.read_text() for p in modules)
    literal = set(re.findall(r'Reason\(\s*"(\w+)"', source))
    for line in source.splitlines():
        if line.strip().startswith("code = "):
            literal |= set(re.findall(r'"(\w+)"', line))
    skill_codes = itertools.product(("must_have", "nice_to_have"), ("missing", "met", "partial"))
    literal |= {f"{prefix}_{status}" for prefix, status in skill_codes}
    assert literal == ENGINE_CODES
    assert {reason.code for reason in emitted()} == ENGINE_CODES  # the variants reach every code


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_emitted_code_has_a_sentence(app, locale):
    cjk = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    with app.test_request_context(), force_locale(locale):
        for reason in emitted():
            result = sentence(reason, {"dssp2-36": "Data use" if locale == "en" else "データ活用"})
            assert result is not None, reason.code
            text = result[1].replace("除雪", "")
            assert text and (cjk.search(text) is None) == (locale == "en"), (reason.code, text)


def test_distance_is_said_once(app):
    detail = dataclasses.replace(BASE, is_remote=False, distance_km=12.3)
    match = matching.Match(candidate_id=1, need_id=1, score=0.5, components={}, reasons=reasons(detail))
    with app.test_request_context():
        why, _missing = explain(match, NAMES)
    assert [s for s in why if "km" in s] == ["拠点から約12km（移動できる範囲50km以内）"]


def test_matches_page_says_distance_hours_start_and_pay(client, db, login):
    today = datetime.now(UTC).date()
    town = make_organisation(db, verified=True, name="上士幌町")
    project = make_project(db, town, municipality_code="016331", work_mode=ProjectWorkMode.ONSITE, hours_per_week=6,
                           starts_on=today + timedelta(days=10), pay_kind=ProjectPay.FIXED, pay_yen=100_000)  # fmt: skip
    make_profile(db, display_name="遠くの人", skills={"dssp2-36": 3}, home_municipality_code="011002",
                 max_travel_km=500, hours_per_week=2, earliest_start=today + timedelta(days=24),
                 pay_kind=PayKind.HOURLY, pay_yen=3000, work_mode=WorkMode.ONSITE)  # fmt: skip
    make_profile(db, display_name="近くの人", skills={"dssp2-36": 3}, home_municipality_code="016331",
                 max_travel_km=30, hours_per_week=10, earliest_start=today, work_mode=WorkMode.ONSITE)  # fmt: skip
    login(client, town.memberships[0].user)
    page = client.get(f"/projects/{project.public_id}/matches").get_data(as_text=True)
    assert re.search(r"拠点から約\d+km（移動できる範囲500km以内）", page)  # 札幌 → 上士幌
    assert "拠点から約0km（移動できる範囲30km以内）" in page
    assert "使える時間が週2時間（必要6時間）" in page and "週10時間使えます（必要6時間）" in page
    assert "参加できるのが開始日の14日後です" in page and "開始日に間に合います" in page
    assert "報酬の形（固定額）が希望の形と違うため、希望（3,000円）と比べられません" in page
    assert "報酬が希望に合っています" in page


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_feasibility_code_has_a_sentence_in_both_languages(app, locale):
    """Each near miss says the one thing that stops it (matching.feasibility.CODES), with its numbers."""
    from matching import feasibility
    from talentbank.projects.reasons import blocker_sentence

    cjk = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    numbers = {"km": 152.4, "limit_km": 50, "days": 4, "limit_days": 2, "hours": 1, "needed": 6, "days_late": 45,
               "slack_days": 30}  # fmt: skip
    with app.test_request_context(), force_locale(locale):
        for code in feasibility.CODES:
            text = blocker_sentence(matching.Reason(code, numbers=numbers))
            assert text != code and (cjk.search(text) is None) == (locale == "en"), (code, text)
        travel = blocker_sentence(matching.Reason("beyond_travel", numbers={"km": 152.4, "limit_km": 50}))
    expected = "移動距離が上限を超えます（約152km、上限50km）" if locale == "ja" else "152"
    assert expected in travel


def test_the_matches_page_says_when_a_match_comes_from_the_other_language(client, db, login):
    """A Japanese project and an English profile about the same work (#17): the reason says so."""
    town = make_organisation(db, verified=True, name="別海町")
    project = make_project(db, town, title="酪農データの分析", problem="酪農家のデータを分析したい。",
                           starts_on=datetime.now(UTC).date())  # fmt: skip
    make_profile(db, display_name="Dairy analyst", headline="Dairy data analysis", bio="I analyse dairy farm data.",
                 skills={"dssp2-36": 3}, hours_per_week=10)  # fmt: skip
    login(client, town.memberships[0].user)
    page = client.get(f"/projects/{project.public_id}/matches").get_data(as_text=True)
    assert "Dairy analyst" in page and "英語のプロフィールが日本語の課題に訳語で合っています：酪農 = dairy" in page
