"""Ranking quality on the labelled Hokkaido evaluation set (data/eval_set.json), and the target of #17 on
the union of it and the trap set (data/trap_set.json): nDCG@5 ≥ 0.95 mean, P@5 at its ceiling for every
project, no person a feasibility rule stops in any top 5. ``bench/matching_eval.py`` prints the tables."""

from __future__ import annotations

import pytest
from eval_support import load_eval_set, ndcg_at, precision_at, rule_stops
from matching_support import skill_codes

from matching import build_index, build_need_index, rank, rank_projects

# Measured 0.909 (was 0.895 before the domain words and weights of #17): a floor against regressions.
NDCG_FLOOR = 0.90
UNION_NDCG_TARGET = 0.95


@pytest.fixture(scope="module")
def eval_set():
    s = load_eval_set()
    return s.today, s.candidates, s.needs, s.labels


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


def test_no_person_a_rule_stops_in_any_top_5(eval_set):
    """The rules of #17 read plainly from the facts (eval_support.rule_stops), not through the engine."""
    today, candidates, needs, _ = eval_set
    index = build_index(candidates, skill_codes())
    by_id = {c.id: c for c in candidates}
    stopped = {
        (n.id, m.candidate_id, rule)
        for n in needs
        for m in rank(n, index, 5, today=today)
        if (rule := rule_stops(n, by_id[m.candidate_id]))
    }
    assert not stopped


@pytest.mark.xfail(
    strict=True,
    reason="#17's union target is not reached yet: eval_set.json gives nDCG@5 0.909 with 5/21 projects at their "
    "P@5 ceiling (trap_set.json: 0.959, 12/12); see bench/matching_eval.py for the projects below it",
)
def test_union_target_ndcg_095_every_project_at_its_p5_ceiling_and_no_one_infeasible():
    ndcgs, below_ceiling, infeasible = [], [], []
    for name in ("eval_set.json", "trap_set.json"):
        s = load_eval_set(name)
        index = build_index(s.candidates, skill_codes())
        by_id = {c.id: c for c in s.candidates}
        for n in s.needs:
            top = [m.candidate_id for m in rank(n, index, 5, today=s.today)]
            ndcgs.append(ndcg_at(5, top, s.labels[n.id]))
            p, ceiling = precision_at(5, top, s.labels[n.id])
            if p < ceiling:
                below_ceiling.append(n.id)
            infeasible += [(n.id, c) for c in top if c in s.infeasible[n.id] or rule_stops(n, by_id[c])]
    assert not infeasible
    assert sum(ndcgs) / len(ndcgs) >= UNION_NDCG_TARGET and not below_ceiling, (sum(ndcgs) / len(ndcgs), below_ceiling)


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
