"""Ranking quality on the labelled Hokkaido evaluation set (data/eval_set.json): nDCG@5 ≥ 0.85."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from matching_support import DATA, municipalities, skill_codes

from matching import Candidate, Need, Pay, SkillClaim, build_index, build_need_index, rank, rank_projects

NDCG_FLOOR = 0.85


def load_eval_set() -> tuple[dt.date, list[Candidate], list[Need], dict[int, dict[int, int]]]:
    doc = json.loads((DATA / "eval_set.json").read_text(encoding="utf-8"))
    today = dt.date.fromisoformat(doc["today"])
    places = municipalities()
    candidates = [_candidate(p, today, places) for p in doc["profiles"]]
    needs = [_need(p, today, places) for p in doc["projects"]]
    labels = {p["id"]: {int(k): v for k, v in p["relevance"].items()} for p in doc["projects"]}
    return today, candidates, needs, labels


def _candidate(p: dict, today: dt.date, places: dict) -> Candidate:
    home = places[p["home"]] if p["home"] else (None, None, None)
    return Candidate(
        id=p["id"],
        skills={c: SkillClaim(s["level"], s["source"]) for c, s in p["skills"].items()},
        text=p["text"],
        lat=home[0],
        lng=home[1],
        travel_km=p["travel_km"],
        regions=frozenset(p["regions"]),
        hours_per_week=p["hours_per_week"],
        earliest_start=today + dt.timedelta(days=p["start_in_days"]),
        work_modes=frozenset(p["work_modes"]),
        pay=Pay(p["pay"]["kind"], p["pay"]["yen"]),
        open_to_offers=p.get("open_to_offers", True),
        visible=p.get("visible", True),
    )


def _need(p: dict, today: dt.date, places: dict) -> Need:
    lat, lng, subprefecture = places[p["municipality"]]
    return Need(
        id=p["id"],
        must_have=p["must_have"],
        nice_to_have=p["nice_to_have"],
        text=f"{p['title']}\n{p['text']}",
        work_mode=p["work_mode"],
        lat=lat,
        lng=lng,
        subprefecture=subprefecture,
        hours_per_week=p["hours_per_week"],
        start=today + dt.timedelta(days=p["start_in_days"]),
        pay=Pay(p["pay"]["kind"], p["pay"]["yen"]),
    )


def ndcg_at(k: int, ranked_ids: list[int], grades: dict[int, int]) -> float:
    """nDCG@k with gains 2^rel − 1; unjudged ids count as 0."""
    dcg = sum((2 ** grades.get(c, 0) - 1) / math.log2(i + 2) for i, c in enumerate(ranked_ids[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


@pytest.fixture(scope="module")
def eval_set():
    return load_eval_set()


def test_eval_set_is_big_enough_and_well_formed(eval_set):
    _, candidates, needs, labels = eval_set
    vocabulary = set(skill_codes())
    assert len(needs) >= 20 and len(candidates) >= 80
    assert len({c.id for c in candidates}) == len(candidates)
    ids = {c.id for c in candidates}
    for need in needs:
        assert set(need.must_have) | set(need.nice_to_have) <= vocabulary
        assert set(labels[need.id]) <= ids and 3 in labels[need.id].values()
    for c in candidates:
        assert set(c.skills) <= vocabulary


def test_ndcg_at_5(eval_set):
    today, candidates, needs, labels = eval_set
    index = build_index(candidates, skill_codes())
    scores = {n.id: ndcg_at(5, [m.candidate_id for m in rank(n, index, 5, today=today)], labels[n.id]) for n in needs}
    mean = sum(scores.values()) / len(scores)
    print(f"nDCG@5 = {mean:.3f} over {len(scores)} projects; lowest: {sorted(scores.items(), key=lambda s: s[1])[:3]}")
    assert mean >= NDCG_FLOOR


def test_hidden_and_closed_profiles_never_ranked(eval_set):
    today, candidates, needs, _ = eval_set
    index = build_index(candidates, skill_codes())
    hidden = {c.id for c in candidates if not (c.visible and c.open_to_offers)}
    assert hidden
    for n in needs:
        assert not hidden & {m.candidate_id for m in rank(n, index, 20, today=today)}


def test_projects_for_a_person_put_their_best_project_first(eval_set):
    today, candidates, needs, labels = eval_set
    needs_index = build_need_index(needs, skill_codes())
    by_id = {c.id: c for c in candidates}
    # people judged 3 for exactly one project should see that project in their top 3
    best = {}
    for need_id, grades in labels.items():
        for cid, g in grades.items():
            if g == 3:
                best.setdefault(cid, []).append(need_id)
    hits = [
        bool(set(projects) & {m.need_id for m in rank_projects(by_id[cid], needs_index, 3, today=today)})
        for cid, projects in best.items()
    ]
    assert sum(hits) / len(hits) >= 0.8


def test_ndcg_helper():
    assert ndcg_at(3, [1, 2, 3], {1: 3, 2: 2, 3: 1}) == pytest.approx(1.0)
    assert ndcg_at(3, [9, 8, 7], {1: 3}) == 0.0
    assert 0 < ndcg_at(3, [2, 1], {1: 3, 2: 1}) < 1
