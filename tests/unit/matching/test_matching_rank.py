"""rank / explain / rank_projects / index freshness on hand-made candidates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random

import numpy as np
import pytest
from matching_support import OBIHIRO, SAPPORO, TODAY, candidate, need, skill_codes

import matching.index
from matching import (
    Candidate,
    Pay,
    Weights,
    build_index,
    build_need_index,
    explain,
    rank,
    rank_projects,
    rank_with_near_misses,
)
from matching import scoring as s
from matching.rank import top_rows

VOCAB = skill_codes()
ML, GIS, WEB = "dssp2-36", "dssp2-35", "dssp2-47"


def ids(matches):
    return [m.candidate_id for m in matches]


def codes(match):
    return [r.code for r in match.reasons]


def reason(match, code, subject=None):
    found = [r for r in match.reasons if r.code == code and (subject is None or r.subject == subject)]
    assert found, f"{code} not in {codes(match)}"
    return found[0]


def ranked(cands, n, k=10, **kw):
    return rank(n, build_index(cands, VOCAB), k, today=TODAY, **kw)


# --- skills -------------------------------------------------------------------------------


def test_must_have_levels_count_partially_and_order_candidates():
    cands = [candidate(i, {ML: level}) for i, level in [(1, 1), (2, 4), (3, 2)]]
    result = ranked(cands, need(must_have={ML: 4}))
    assert ids(result) == [2, 3, 1]
    assert [m.components["must_have"] for m in result] == [1.0, 0.5, 0.25]
    partial = reason(result[1], "must_have_partial", ML)
    assert partial.numbers["level"] == 2 and partial.numbers["required"] == 4
    assert reason(result[0], "must_have_met", ML).numbers["verified"] == 0


def test_missing_must_have_is_penalised_by_default():
    cands = [candidate(1, {ML: 2}), candidate(2, {GIS: 4})]
    result = ranked(cands, need(must_have={ML: 2, GIS: 2}))
    assert ids(result) == [1, 2]
    assert reason(result[0], "must_have_missing", GIS).numbers["required"] == 2


def test_missing_must_have_filtered_when_configured():
    cands = [candidate(1, {ML: 2}), candidate(2, {ML: 2, GIS: 1})]
    result = ranked(cands, need(must_have={ML: 2, GIS: 2}), weights=Weights(missing_must="filter"))
    assert ids(result) == [2]  # level 1 of 2 is partial, not missing


def test_penalty_factor_applies_per_missing_must_have():
    cands = [candidate(1, {ML: 2})]
    n = need(must_have={ML: 2, GIS: 2, WEB: 2})
    light = ranked(cands, n, weights=Weights(missing_must_factor=0.5))[0].score
    heavy = ranked(cands, n, weights=Weights(missing_must_factor=0.1))[0].score
    assert light == pytest.approx(heavy * 25, rel=1e-4)


def test_nice_to_have_breaks_ties():
    cands = [candidate(1, {ML: 2}), candidate(2, {ML: 2, GIS: 3})]
    result = ranked(cands, need(must_have={ML: 2}, nice_to_have={GIS: 2}))
    assert ids(result) == [2, 1]
    assert reason(result[0], "nice_to_have_met", GIS).numbers["level"] == 3
    assert reason(result[1], "nice_to_have_missing", GIS)


def test_verified_skills_outrank_self_declared():
    cands = [candidate(1, {ML: 3}), candidate(2, {ML: (3, "badge")}), candidate(3, {ML: (3, "project")})]
    result = ranked(cands, need(must_have={ML: 3}))
    assert ids(result) == [2, 3, 1]
    assert result[0].components["verified"] == 1.0 and result[2].components["verified"] == 0.0
    assert reason(result[0], "verified_skill", ML).numbers["source"] == 1
    assert reason(result[1], "verified_skill", ML).numbers["source"] == 2
    assert "verified_skill" not in codes(result[2])


def test_unknown_skill_codes_are_ignored():
    cands = [candidate(1, {"not-a-code": 4, ML: 2})]
    result = ranked(cands, need(must_have={ML: 2, "also-unknown": 1}))
    assert reason(result[0], "must_have_met", ML)
    assert reason(result[0], "must_have_missing", "also-unknown")


# --- text ---------------------------------------------------------------------------------


def test_text_relevance_japanese_and_english():
    cands = [
        candidate(1, {ML: 2}, text="観光協会でインバウンド向けSNS発信を担当"),
        candidate(2, {ML: 2}, text="酪農家の牛群データを分析し、搾乳量を予測しました"),
        candidate(3, {ML: 2}, text="Dairy herd data analysis with Python for a farm co-op"),
        candidate(4, {ML: 2}, text="小学校でプログラミング教室の講師"),
    ]
    result = ranked(cands, need(must_have={ML: 2}, text="酪農 dairy 牛群データの分析"))
    assert set(ids(result)[:2]) == {2, 3}
    overlap = reason(result[0], "text_overlap")
    assert overlap.numbers["score"] > 0 and overlap.terms
    assert result[3].components["text"] == 0.0


# --- geography ----------------------------------------------------------------------------


def test_onsite_ranks_only_those_within_travel_and_shows_the_far_one_apart():
    near = candidate(1, {ML: 2}, lat=43.10, lng=141.35, travel_km=100)
    far = candidate(2, {ML: 4}, lat=OBIHIRO[0], lng=OBIHIRO[1], travel_km=100)
    n = need(must_have={ML: 2}, work_mode="onsite", lat=SAPPORO[0], lng=SAPPORO[1])
    result = rank_with_near_misses(n, build_index([far, near], VOCAB), 10, 10, today=TODAY)
    assert ids(result.matches) == [1] and ids(result.near_misses) == [2]
    assert reason(result.matches[0], "within_travel") and result.matches[0].blocker is None
    blocker = result.near_misses[0].blocker
    assert blocker.code == "beyond_travel" and blocker.numbers["limit_km"] == 100
    assert 145 < blocker.numbers["km"] < 155
    assert rank(n, build_index([far, near], VOCAB), 10, today=TODAY)[0].candidate_id == 1


def test_hybrid_with_onsite_days_needs_onsite_feasibility_and_days():
    far = candidate(2, {ML: 2}, lat=OBIHIRO[0], lng=OBIHIRO[1], travel_km=100)
    remote_only = candidate(3, {ML: 2}, lat=SAPPORO[0], lng=SAPPORO[1], travel_km=50, work_modes=frozenset({"remote"}))
    few_days = candidate(4, {ML: 2}, lat=SAPPORO[0], lng=SAPPORO[1], travel_km=50, onsite_days_per_month=2)
    fine = candidate(5, {ML: 2}, lat=SAPPORO[0], lng=SAPPORO[1], travel_km=50, onsite_days_per_month=4)
    people = [far, remote_only, few_days, fine]
    with_days = need(must_have={ML: 2}, work_mode="hybrid", onsite_days_per_month=4, lat=SAPPORO[0], lng=SAPPORO[1])
    result = rank_with_near_misses(with_days, build_index(people, VOCAB), 10, 10, today=TODAY)
    assert ids(result.matches) == [5]
    assert {m.candidate_id: m.blocker.code for m in result.near_misses} == {
        2: "beyond_travel",
        3: "no_onsite",
        4: "onsite_days",
    }
    assert result.near_misses[[m.candidate_id for m in result.near_misses].index(4)].blocker.numbers == {
        "days": 4.0,
        "limit_days": 2.0,
    }
    # a hybrid need that does not say its on-site days is taken as mostly remote
    unsaid = need(must_have={ML: 2}, work_mode="hybrid", lat=SAPPORO[0], lng=SAPPORO[1])
    assert sorted(ids(ranked(people, unsaid))) == [2, 3, 4, 5]


def test_remote_ignores_distance():
    near = candidate(1, {ML: 2}, lat=43.10, lng=141.35, travel_km=10)
    away = candidate(2, {ML: 2}, lat=None, lng=None)
    result = ranked([near, away], need(must_have={ML: 2}, lat=SAPPORO[0], lng=SAPPORO[1]))
    assert result[0].score == result[1].score
    assert "geography" not in result[0].components and "remote" in codes(result[0])


def test_region_of_interest_bonus_even_from_outside_hokkaido():
    outside = candidate(1, {ML: 2}, regions=frozenset({"Tokachi"}))
    other = candidate(2, {ML: 2}, regions=frozenset({"Oshima"}))
    n = need(must_have={ML: 2}, work_mode="hybrid", lat=OBIHIRO[0], lng=OBIHIRO[1], subprefecture="Tokachi")
    result = ranked([other, outside], n)
    assert ids(result) == [1, 2]
    assert result[0].components["geography"] == pytest.approx(Weights().region_bonus)
    assert reason(result[0], "region_of_interest").subject == "Tokachi"
    assert "distance_unknown" in codes(result[0])


# --- availability and pay -----------------------------------------------------------------


def test_hours_and_start_date():
    ready = candidate(1, {ML: 2}, hours_per_week=10)
    short = candidate(2, {ML: 2}, hours_per_week=5)
    late = candidate(3, {ML: 2}, hours_per_week=10, earliest_start=TODAY + dt.timedelta(days=30))
    n = need(must_have={ML: 2}, hours_per_week=10, start=TODAY + dt.timedelta(days=10))
    result = ranked([late, short, ready], n)
    assert ids(result)[0] == 1
    by_id = {m.candidate_id: m for m in result}
    assert by_id[2].components["availability"] == pytest.approx(0.75)
    assert reason(by_id[2], "hours_short").numbers == {"available": 5.0, "required": 10.0}
    assert reason(by_id[3], "start_late").numbers["days_late"] == 20
    assert by_id[3].components["availability"] == pytest.approx((1 + (1 - 20 / 60)) / 2, abs=1e-4)


def test_start_in_the_past_counts_from_today():
    c = candidate(1, {ML: 2}, earliest_start=TODAY + dt.timedelta(days=6))
    result = ranked([c], need(start=TODAY - dt.timedelta(days=100)))
    assert reason(result[0], "start_late").numbers["days_late"] == 6


def test_pay_expectation_against_offer():
    cheap = candidate(1, {ML: 2}, pay=Pay("hourly", 1500))
    dear = candidate(2, {ML: 2}, pay=Pay("hourly", 4000))
    result = ranked([dear, cheap], need(pay=Pay("hourly", 2000)))
    assert ids(result) == [1, 2]
    assert result[1].components["pay"] == pytest.approx(0.5)
    assert reason(result[1], "pay_below_expectation").numbers == {"offer": 2000.0, "expected": 4000.0}
    assert reason(result[0], "pay_ok").subject == "hourly"


# --- hard filters, ties, k ----------------------------------------------------------------


def test_hard_filters():
    cands = [
        candidate(1, {ML: 2}),
        candidate(2, {ML: 4}, visible=False),
        candidate(3, {ML: 4}, open_to_offers=False),
        candidate(4, {ML: 4}),
        candidate(5, {ML: 4}, hours_per_week=2),
        candidate(6, {ML: 4}, earliest_start=TODAY + dt.timedelta(days=31)),
        candidate(7, {ML: 4}, earliest_start=TODAY + dt.timedelta(days=30), hours_per_week=3),
        candidate(8, {ML: 4}, is_student=False),
    ]
    assert sorted(ids(ranked(cands, need(hours_per_week=10), exclude={4}))) == [1, 7, 8]  # 3 h is 30 %: enough
    assert ids(ranked(cands, need(hours_per_week=10, students_only=True))) == []
    near = rank_with_near_misses(need(hours_per_week=10), build_index(cands, VOCAB), 10, 10, today=TODAY)
    # not open to offers: never shown, not even apart; not visible: never
    assert {m.candidate_id: m.blocker.code for m in near.near_misses} == {5: "short_hours", 6: "late_start"}


def test_ties_broken_by_id_and_k_limits():
    cands = [candidate(i, {ML: 2}) for i in (9, 3, 7, 1)]
    assert ids(ranked(cands, need(), k=3)) == [1, 3, 7]
    assert ranked(cands, need(), k=0) == []


def test_empty_index_and_need_without_skills():
    assert rank(need(), build_index([], VOCAB), 5, today=TODAY) == []
    result = ranked([candidate(1, text="GIS 防災"), candidate(2)], need(must_have={}, text="防災 GIS"))
    assert ids(result) == [1, 2]
    assert "must_have" not in result[0].components


def test_top_rows_matches_full_sort():
    rng = np.random.default_rng(3)
    for n, k in [(10, 3), (5000, 20), (100_000, 20), (100_000, 500)]:
        total = rng.integers(0, 50, n).astype(np.float32) / 50  # many ties
        total[rng.random(n) < 0.3] = -np.inf
        expected = sorted(np.flatnonzero(np.isfinite(total)), key=lambda r: (-total[r], r))[:k]
        assert top_rows(total, k).tolist() == expected


# --- the fused ranker agrees with the reference component functions -----------------------


def random_candidates(n, seed):
    rng = random.Random(seed)
    regions = ["Ishikari", "Tokachi", "Oshima", "Kamikawa"]
    words = ["酪農", "観光", "防災", "GIS", "kintone", "データ分析", "Python", "町役場", "除雪"]
    out = []
    for i in range(n):
        home = rng.random() < 0.85
        out.append(
            candidate(
                i + 1,
                {
                    c: (rng.randint(1, 4), rng.choice(["self", "badge", "project"]))
                    for c in rng.sample(VOCAB[:12], rng.randint(0, 5))
                },
                text=" ".join(rng.choices(words, k=rng.randint(0, 6))),
                lat=42.5 + rng.random() * 2 if home else None,
                lng=140.5 + rng.random() * 3 if home else None,
                travel_km=rng.choice([0, 30, 100, 300]),
                regions=frozenset(rng.sample(regions, rng.randint(0, 2))),
                hours_per_week=rng.randint(0, 30),
                earliest_start=TODAY + dt.timedelta(days=rng.randint(-20, 90)),
                pay=Pay(
                    rng.choice(["hourly", "fixed", "volunteer", "internship"]), rng.choice([0, 1000, 3000, 200_000])
                ),
            )
        )
    return out


def reference_score(n, c, text_score, w):
    """The score from matching.scoring's reference functions, pair by pair."""
    slots = [(code, lv, True) for code, lv in n.must_have.items()]
    slots += [(code, lv, False) for code, lv in n.nice_to_have.items()]
    credits = [float(s.skill_credit(c.skills[code].level if code in c.skills else 0, lv)) for code, lv, _ in slots]
    must = [cr for cr, sl in zip(credits, slots, strict=True) if sl[2]]
    nice = [cr for cr, sl in zip(credits, slots, strict=True) if not sl[2]]
    ver = sum(
        cr for cr, sl in zip(credits, slots, strict=True) if sl[0] in c.skills and c.skills[sl[0]].source != "self"
    )
    late = (c.earliest_start - max(n.start, TODAY)).days
    dist = math.nan if c.lat is None else float(s.haversine_km(c.lat, c.lng, n.lat, n.lng))
    comps = {
        "must_have": s.coverage(sum(must), len(must)),
        "nice_to_have": s.coverage(sum(nice), len(nice)),
        "verified": s.coverage(ver, len(slots)),
        "text": np.float32(text_score),
        "availability": s.availability(
            s.hours_fit(c.hours_per_week, n.hours_per_week), s.start_fit(late, w.start_grace_days)
        ),
        "geography": s.geography(
            s.distance_decay(dist, c.travel_km), np.bool_(n.subprefecture in c.regions), w.region_bonus
        ),
        "pay": s.pay_fit(s.PAY_CODE[n.pay.kind], n.pay.yen, s.PAY_CODE[c.pay.kind], c.pay.yen),
    }
    applies = dict.fromkeys(s.COMPONENTS, True)
    applies["geography"] = n.work_mode != "remote"
    missing = sum(1 for code in n.must_have if code not in c.skills)
    return float(s.combine(comps, applies, w)) * float(s.missing_penalty(missing, w))


def plain_feasible(n, c):
    """The feasibility rules in plain Python (matching.feasibility), for the random cases."""
    onsite = n.work_mode == "onsite" or (n.work_mode == "hybrid" and bool(n.onsite_days_per_month))
    if onsite and (c.lat is None or float(s.haversine_km(c.lat, c.lng, n.lat, n.lng)) > c.travel_km):
        return False
    if 0 < c.hours_per_week < 0.3 * n.hours_per_week:
        return False
    start = max(n.start, TODAY)
    return not (c.earliest_start and (c.earliest_start - start).days > n.start_slack_days)


@pytest.mark.parametrize("work_mode", ["onsite", "remote"])
def test_rank_scores_equal_reference_functions(work_mode):
    cands = random_candidates(300, seed=11)
    index = build_index(cands, VOCAB)
    n = need(
        must_have={VOCAB[0]: 2, VOCAB[1]: 3},
        nice_to_have={VOCAB[2]: 2, VOCAB[3]: 1},
        text="酪農 データ分析 GIS 町役場",
        work_mode=work_mode,
        lat=43.0,
        lng=142.0,
        subprefecture="Tokachi",
        hours_per_week=12,
        start=TODAY + dt.timedelta(days=5),
        pay=Pay("hourly", 2000),
    )
    w = Weights()
    result = rank(n, index, len(cands), today=TODAY, weights=w)
    assert {m.candidate_id for m in result} == {c.id for c in cands if plain_feasible(n, c)}
    assert len(result) > 30
    by_id = {c.id: c for c in cands}
    for m in result:
        expected = reference_score(n, by_id[m.candidate_id], m.components["text"], w)
        assert m.score == pytest.approx(expected, abs=2e-4), m.candidate_id


def test_explain_equals_rank_with_the_index_text_model():
    cands = random_candidates(80, seed=5)
    index = build_index(cands, VOCAB)
    n = need(
        must_have={VOCAB[0]: 2},
        nice_to_have={VOCAB[4]: 2},
        text="防災 GIS kintone",
        work_mode="hybrid",
        lat=43.0,
        lng=141.5,
    )
    for m in rank(n, index, 10, today=TODAY):
        c = next(c for c in cands if c.id == m.candidate_id)
        e = explain(n, c, today=TODAY, text_model=index.text_model)
        assert e.score == pytest.approx(m.score, abs=1e-6)
        assert e.reasons == m.reasons and e.components == m.components


def test_explain_without_index_ignores_hard_filters():
    hidden = candidate(1, {ML: 2}, text="防災マップ GIS", visible=False, open_to_offers=False)
    e = explain(need(text="GISで防災マップ"), hidden, today=TODAY)
    assert e.score > 0.5 and reason(e, "text_overlap").terms


# --- freshness: upsert / remove -----------------------------------------------------------


def test_upsert_replaces_a_row_and_adds_new_ones():
    index = build_index([candidate(1, {ML: 1}), candidate(2, {ML: 2})], VOCAB)
    n = need(must_have={ML: 4})
    assert ids(rank(n, index, 5, today=TODAY)) == [2, 1]
    index.upsert(candidate(1, {ML: (4, "badge")}))
    index.upsert(candidate(3, {ML: 3}))
    result = rank(n, index, 5, today=TODAY)
    assert ids(result) == [1, 3, 2] and len(index) == 3 and index.delta_size == 2
    assert reason(result[0], "verified_skill", ML)
    index.upsert(candidate(1, {ML: 1}, visible=False))
    assert ids(rank(n, index, 5, today=TODAY)) == [3, 2]


def test_remove_drops_from_base_and_delta():
    index = build_index([candidate(1, {ML: 1}), candidate(2, {ML: 2})], VOCAB)
    index.upsert(candidate(3, {ML: 3}))
    index.remove(2)
    index.remove(3)
    index.remove(99)
    assert ids(rank(need(), index, 5, today=TODAY)) == [1] and len(index) == 1


def test_duplicate_ids_in_build_keep_the_last():
    index = build_index([candidate(1, {ML: 4}), candidate(1, {ML: 1})], VOCAB)
    result = rank(need(must_have={ML: 4}), index, 5, today=TODAY)
    assert ids(result) == [1] and result[0].components["must_have"] == 0.25


def test_chunked_build_gives_the_same_ranking(monkeypatch):
    cands = random_candidates(200, seed=8)
    n = need(must_have={VOCAB[0]: 2}, nice_to_have={VOCAB[2]: 3}, text="観光 除雪 Python")
    whole = rank(n, build_index(cands, VOCAB), 50, today=TODAY)
    monkeypatch.setattr(matching.index, "CHUNK_ROWS", 7)
    chunked = rank(n, build_index(cands, VOCAB), 50, today=TODAY)
    assert [(m.candidate_id, m.score) for m in whole] == [(m.candidate_id, m.score) for m in chunked]


# --- reverse direction --------------------------------------------------------------------


def test_rank_projects_orders_needs_for_a_person():
    person = candidate(
        1,
        {ML: 3, GIS: 2},
        text="GISと機械学習で防災マップ",
        lat=SAPPORO[0],
        lng=SAPPORO[1],
        travel_km=50,
        work_modes=frozenset({"remote", "onsite"}),
        onsite_days_per_month=4,
    )
    needs = [
        need(id=10, must_have={ML: 3}, text="防災マップをGISで", work_mode="remote"),
        need(id=11, must_have={WEB: 3}, text="Webサイト改修", work_mode="remote"),
        need(id=12, must_have={ML: 3}, text="防災", work_mode="onsite", lat=OBIHIRO[0], lng=OBIHIRO[1]),
        need(id=13, must_have={ML: 1}, work_mode="hybrid", onsite_days_per_month=8, lat=SAPPORO[0], lng=SAPPORO[1]),
        need(id=14, must_have={ML: 1}, work_mode="remote", students_only=True),
    ]
    result = rank_projects(person, build_need_index(needs, VOCAB), 10, today=TODAY)
    assert result[0].need_id == 10
    # beyond travel, more on-site days than the person gives, students only: never ranked
    assert sorted(m.need_id for m in result) == [10, 11]
    student = dataclasses.replace(person, is_student=True, onsite_days_per_month=None)
    assert {m.need_id for m in rank_projects(student, build_need_index(needs, VOCAB), 10, today=TODAY)} == {
        10,
        11,
        13,
        14,
    }
    assert [m.need_id for m in result][-1] == 11
    assert rank_projects(person, build_need_index(needs, VOCAB), 10, today=TODAY, exclude={10})[0].need_id != 10


def test_rank_projects_matches_rank_with_shared_text_model():
    cands = random_candidates(60, seed=21)
    index = build_index(cands, VOCAB)
    needs = [
        need(
            id=100 + i,
            must_have={VOCAB[i]: 2},
            nice_to_have={VOCAB[i + 5]: 1},
            text=t,
            work_mode=mode,
            lat=43.0 + i / 10,
            lng=141.0 + i / 5,
            subprefecture="Tokachi",
            hours_per_week=8,
            pay=Pay("hourly", 1800),
        )
        for i, (t, mode) in enumerate(
            [("酪農 GIS", "onsite"), ("観光 kintone", "remote"), ("除雪 データ分析", "hybrid")]
        )
    ]
    needs_index = build_need_index(needs, VOCAB, text_model=index.text_model)
    c = cands[7]
    for m in rank_projects(c, needs_index, 3, today=TODAY):
        n = next(n for n in needs if n.id == m.need_id)
        forward = explain(n, c, today=TODAY, text_model=index.text_model)
        assert m.score == pytest.approx(forward.score, abs=1e-5)
        assert m.components == pytest.approx(forward.components, abs=1e-4)
        assert [r.code for r in m.reasons] == [r.code for r in forward.reasons]


def test_candidate_is_frozen():
    c: Candidate = candidate(1)
    with pytest.raises(AttributeError):
        c.visible = False  # type: ignore[misc]


# --- both languages ---------------------------------------------------------------------------


def test_an_english_profile_scores_on_a_japanese_project_and_the_reverse():
    english = candidate(1, {ML: 2}, text="Dairy farm data analysis and milk yield prediction for Tokachi farms")
    unrelated = candidate(2, {ML: 2}, text="Ski resort website and multilingual booking")
    japanese = need(must_have={ML: 2}, text="酪農家の乳量データを分析し、予測する")
    result = ranked([unrelated, english], japanese)
    assert ids(result)[0] == 1 and result[0].components["text"] > 0.2
    assert result[1].components["text"] < result[0].components["text"] / 2
    assert {"酪農", "分析"} <= set(reason(result[0], "text_overlap").terms)
    # the reverse: a Japanese profile on an English project
    person = candidate(3, {ML: 2}, text="十勝で酪農のデータ分析をしています")
    needs = [need(id=10, text="Dairy data analysis for farms"), need(id=11, text="Snow removal route planning")]
    [best, other] = rank_projects(person, build_need_index(needs, VOCAB), 10, today=TODAY)
    assert best.need_id == 10 and best.components["text"] > other.components["text"]
