"""The trap set (data/trap_set.json): people who look best by text and skills but cannot do the work,
cross-language texts, level and verification traps. Targets: nDCG@5 ≥ 0.95, P@5 at its ceiling, no
infeasible person in any top 5, every top-5 entry says why and every near miss what stops it (#17)."""

from __future__ import annotations

import pytest
from eval_support import load_eval_set, ndcg_at, precision_at
from matching_support import skill_codes

from matching import build_index, build_need_index, rank_projects, rank_with_near_misses

NDCG_TARGET = 0.95
# Orders the rubric sets within a trap: (above, below) pairs of profile ids.
ORDERS = {
    "verified_vs_self": [(2081, 2082), (2083, 2082), (2082, 2084)],
    "english_profile_on_japanese_project": [(2091, 2093)],
    "japanese_profile_on_english_project": [(2101, 2102)],
}
# The person each cross-language trap is about, and the direction their reason names.
ACROSS = {
    "english_profile_on_japanese_project": (2091, "ja_en"),
    "japanese_profile_on_english_project": (2101, "en_ja"),
}


@pytest.fixture(scope="module")
def traps():
    s = load_eval_set("trap_set.json")
    index = build_index(s.candidates, skill_codes())
    rankings = {n.id: rank_with_near_misses(n, index, 5, 20, today=s.today) for n in s.needs}
    return s, rankings


def top5(rankings, need_id):
    return [m.candidate_id for m in rankings[need_id].matches]


def test_ndcg_and_precision_at_5_reach_their_targets(traps):
    s, rankings = traps
    scores = {n.id: ndcg_at(5, top5(rankings, n.id), s.labels[n.id]) for n in s.needs}
    assert sum(scores.values()) / len(scores) >= NDCG_TARGET, scores
    for n in s.needs:
        p, ceiling = precision_at(5, top5(rankings, n.id), s.labels[n.id])
        assert p == ceiling, (s.traps[n.id], top5(rankings, n.id))


def test_no_infeasible_person_in_any_top_5(traps):
    s, rankings = traps
    stopped = {n.id: set(top5(rankings, n.id)) & set(s.infeasible[n.id]) for n in s.needs}
    assert sum(map(len, stopped.values())) == 0, stopped


def test_every_top_5_entry_says_why_and_every_near_miss_what_stops_it(traps):
    s, rankings = traps
    for n in s.needs:
        assert all(m.reasons and m.blocker is None for m in rankings[n.id].matches)
        assert all(m.blocker is not None and m.blocker.code for m in rankings[n.id].near_misses)


@pytest.mark.parametrize(
    "trap",
    ["beyond_travel_onsite", "beyond_travel_hybrid", "remote_only_on_hybrid", "short_hours", "late_start",
     "students_only", "not_open", "outside_hokkaido_onsite"],
)  # fmt: skip
def test_the_lure_is_kept_out_and_shown_apart_with_its_rule(traps, trap):
    """The person written to look best for the project cannot do it: not in the top 5; apart, as a
    near miss stopped by the rule the rubric names (never shown at all if not open to offers)."""
    s, rankings = traps
    need_id = next(i for i, t in s.traps.items() if t == trap)
    lures = {c: rule for c, rule in s.infeasible[need_id].items() if s.notes.get(c, "").startswith("lure")}
    assert lures
    near = {m.candidate_id: m.blocker.code for m in rankings[need_id].near_misses}
    for candidate_id, rule in lures.items():
        assert candidate_id not in top5(rankings, need_id)
        assert near.get(candidate_id) == (None if rule == "not_open" else rule)
    best = max(s.labels[need_id].values())
    assert {c for c, g in s.labels[need_id].items() if g == best} & set(top5(rankings, need_id))


@pytest.mark.parametrize("trap", sorted(ORDERS))
def test_the_rubric_order_holds(traps, trap):
    """Verified above self-declared with the same words, at-level above a level trap that repeats the
    project's words; a profile in the other language about the same work above one about other work."""
    s, rankings = traps
    need_id = next(i for i, t in s.traps.items() if t == trap)
    order = top5(rankings, need_id) + [m.candidate_id for m in rankings[need_id].near_misses]
    for above, below in ORDERS[trap]:
        assert above in order and (below not in order or order.index(above) < order.index(below))


@pytest.mark.parametrize("trap", sorted(ACROSS))
def test_a_match_from_the_other_language_says_so(traps, trap):
    s, rankings = traps
    need_id = next(i for i, t in s.traps.items() if t == trap)
    candidate_id, direction = ACROSS[trap]
    match = next(m for m in rankings[need_id].matches if m.candidate_id == candidate_id)
    across = [r for r in match.reasons if r.code == "across_languages"]
    assert [r.subject for r in across] == [direction] and across[0].terms
    same_language = next(m for m in rankings[need_id].matches if s.labels[need_id].get(m.candidate_id) and
                         m.candidate_id not in {c for c, _ in ACROSS.values()} and
                         not any(r.code == "across_languages" for r in m.reasons) and
                         any(r.code == "text_overlap" for r in m.reasons))  # fmt: skip
    assert same_language  # a same-language match says no such thing


def test_people_outside_hokkaido_have_a_place(traps):
    """Aomori is within 150 km of Hakodate: feasible on site; Tokyo is not within 100 km; abroad and
    Tokyo both fit remote work."""
    s, rankings = traps
    onsite = next(i for i, t in s.traps.items() if t == "outside_hokkaido_onsite")
    remote = next(i for i, t in s.traps.items() if t == "outside_hokkaido_remote")
    assert 2111 in top5(rankings, onsite)
    distance = next(
        r for m in rankings[onsite].matches if m.candidate_id == 2111 for r in m.reasons if r.code == "within_travel"
    )
    assert 90 < distance.numbers["km"] < 150
    assert {2121, 2122} <= set(top5(rankings, remote))


def test_projects_for_a_person_follow_the_same_rules(traps):
    """The reverse direction: a lure never sees the project it cannot do among its recommendations
    (not being open to offers stops hosts' lists only: the person may still look for projects)."""
    s, _ = traps
    needs_index = build_need_index(s.needs, skill_codes())
    by_id = {c.id: c for c in s.candidates}
    for need_id, stopped in s.infeasible.items():
        for candidate_id in (c for c, rule in stopped.items() if rule != "not_open"):
            recommended = rank_projects(by_id[candidate_id], needs_index, 5, today=s.today)
            assert need_id not in {m.need_id for m in recommended}
    english = rank_projects(by_id[2091], needs_index, 3, today=s.today)
    assert english[0].need_id == 209 and any(r.code == "across_languages" for r in english[0].reasons)
