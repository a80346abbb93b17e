"""allocate(): deferred acceptance (stability checked by brute force) and max-score assignment."""

from __future__ import annotations

import itertools
import random

import pytest

from matching import allocate
from matching.allocate import project_ranks


def blocking_pairs(student_prefs, project_prefs, seats, assignments):
    """Every (student, project) pair that would both rather be together: brute force."""
    ranks = project_ranks(project_prefs)
    found = []
    for student, prefs in student_prefs.items():
        current = assignments.get(student)
        better = prefs[: prefs.index(current)] if current in prefs else list(prefs)
        for project in better:
            table = ranks.get(project, {})
            if student not in table or seats.get(project, 0) <= 0:
                continue
            holders = [s for s, p in assignments.items() if p == project]
            if len(holders) < seats[project] or any(table[student][0] < table[h][0] for h in holders):
                found.append((student, project))
    return found


def check_feasible(student_prefs, project_prefs, seats, result):
    ranks = project_ranks(project_prefs)
    for project in seats:
        assert sum(1 for p in result.assignments.values() if p == project) <= seats[project]
    for student, project in result.assignments.items():
        assert project in student_prefs[student] and student in ranks[project]
    assert set(result.unassigned) == set(student_prefs) - set(result.assignments)


def test_textbook_case_student_optimal():
    students = {"a": ["X", "Y"], "b": ["X", "Y"], "c": ["Y", "X"]}
    projects = {"X": ["c", "b", "a"], "Y": ["a", "b", "c"]}
    seats = {"X": 1, "Y": 1}
    result = allocate(students, projects, seats)
    # a→X, b displaces a at X, c→Y, a displaces c at Y, c displaces b at X, Y rejects b
    assert result.assignments == {"c": "X", "a": "Y"}
    assert result.unassigned == ("b",)
    assert blocking_pairs(students, projects, seats, result.assignments) == []


def test_capacity_two_seats():
    students = {s: ["P", "Q"] for s in "abcd"}
    projects = {"P": list("dcba"), "Q": list("abcd")}
    result = allocate(students, projects, {"P": 2, "Q": 1})
    assert result.assignments == {"d": "P", "c": "P", "a": "Q"}
    assert result.unassigned == ("b",)


def test_unacceptable_pairs_are_never_assigned():
    students = {"a": ["X"], "b": ["X", "Y"]}
    projects = {"X": ["b"], "Y": ["a"]}  # X does not accept a; a does not list Y
    result = allocate(students, projects, {"X": 1, "Y": 1})
    assert result.assignments == {"b": "X"}
    assert result.unassigned == ("a",)


def test_project_without_seats_or_unknown_project():
    students = {"a": ["Z", "X"], "b": ["X"]}
    projects = {"X": ["a", "b"], "Z": ["a"]}
    result = allocate(students, projects, {"X": 1})
    assert result.assignments == {"a": "X"} and result.unassigned == ("b",)


def test_ties_are_broken_by_listed_order_deterministically():
    students = {"a": ["X"], "b": ["X"], "c": ["X"]}
    projects = {"X": [("b", "a"), "c"]}
    result = allocate(students, projects, {"X": 1})
    assert result.assignments == {"b": "X"}
    tied_set = allocate(students, {"X": [frozenset({"c", "a"}), "b"]}, {"X": 1})
    assert tied_set.assignments == {"a": "X"}  # sets are ordered by repr
    assert blocking_pairs(students, projects, {"X": 1}, result.assignments) == []


def test_the_students_stated_order_decides_not_the_scores():
    """Scores say everyone fits X best; the students' own order says otherwise, and deferred acceptance follows
    the stated order: each gets the first choice a project with a seat will give them."""
    scores = {("a", "X"): 0.9, ("a", "Y"): 0.8, ("b", "X"): 0.85, ("b", "Y"): 0.6, ("c", "X"): 0.7, ("c", "Y"): 0.5}
    by_score = {s: sorted("XY", key=lambda p, s=s: -scores[(s, p)]) for s in "abc"}
    stated = {"a": ["Y", "X"], "b": ["X", "Y"], "c": ["Y", "X"]}
    projects = {"X": ["a", "b", "c"], "Y": ["a", "b", "c"]}
    seats = {"X": 1, "Y": 1}
    assert allocate(by_score, projects, seats).assignments == {"a": "X", "b": "Y"}
    result = allocate(stated, projects, seats)
    assert result.assignments == {"a": "Y", "b": "X"} and result.unassigned == ("c",)
    assert blocking_pairs(stated, projects, seats, result.assignments) == []
    # Measured against the score order instead, the same result has a blocking pair (a and X): the
    # students' own lists are what stability is about.
    assert blocking_pairs(by_score, projects, seats, result.assignments) == [("a", "X")]


def test_a_stated_order_against_the_projects_own_ranking_stays_stable():
    """Three students, two projects with two seats and one; the weaker students state their preference for
    the popular project first, the strongest one states the small project first."""
    stated = {"s1": ["Q", "P"], "s2": ["P", "Q"], "s3": ["P", "Q"], "s4": ["P"]}
    projects = {"P": ["s1", "s2", "s3", "s4"], "Q": ["s2", "s1", "s3"]}
    seats = {"P": 2, "Q": 1}
    result = allocate(stated, projects, seats)
    check_feasible(stated, projects, seats, result)
    # s1 proposes to Q (held), s2 and s3 take P; s4 is rejected by the full P.
    assert result.assignments == {"s1": "Q", "s2": "P", "s3": "P"} and result.unassigned == ("s4",)
    assert blocking_pairs(stated, projects, seats, result.assignments) == []
    # s2 now states Q first: Q prefers s2 to s1, so s1 falls back to P, which keeps s1 and s3 over s4.
    stated["s2"] = ["Q", "P"]
    moved = allocate(stated, projects, seats)
    assert moved.assignments == {"s2": "Q", "s1": "P", "s3": "P"} and moved.unassigned == ("s4",)
    assert blocking_pairs(stated, projects, seats, moved.assignments) == []


def test_empty_inputs():
    assert allocate({}, {}, {}).assignments == {}
    assert allocate({"a": []}, {}, {}).unassigned == ("a",)


def random_market(rng, n_students, n_projects, max_seats):
    projects = [f"P{j}" for j in range(n_projects)]
    students = [f"s{i}" for i in range(n_students)]
    student_prefs = {s: rng.sample(projects, rng.randint(0, n_projects)) for s in students}
    project_prefs = {p: rng.sample(students, rng.randint(0, n_students)) for p in projects}
    seats = {p: rng.randint(0, max_seats) for p in projects}
    return student_prefs, project_prefs, seats


@pytest.mark.parametrize("seed", range(60))
def test_random_markets_are_stable_and_feasible(seed):
    rng = random.Random(seed)
    student_prefs, project_prefs, seats = random_market(rng, rng.randint(1, 9), rng.randint(1, 5), 3)
    result = allocate(student_prefs, project_prefs, seats)
    check_feasible(student_prefs, project_prefs, seats, result)
    assert blocking_pairs(student_prefs, project_prefs, seats, result.assignments) == []


def brute_force_best_total(student_prefs, project_prefs, seats, scores):
    ranks = project_ranks(project_prefs)
    students = list(student_prefs)
    options = [[None] + [p for p in student_prefs[s] if s in ranks.get(p, {}) and (s, p) in scores] for s in students]
    best = 0.0
    for choice in itertools.product(*options):
        used = {p: choice.count(p) for p in seats}
        if all(used[p] <= seats[p] for p in seats):
            best = max(best, sum(scores[(s, p)] for s, p in zip(students, choice, strict=True) if p))
    return best


@pytest.mark.parametrize("seed", range(25))
def test_max_score_equals_brute_force(seed):
    rng = random.Random(100 + seed)
    student_prefs, project_prefs, seats = random_market(rng, rng.randint(1, 6), rng.randint(1, 3), 2)
    scores = {(s, p): round(rng.random(), 3) for s in student_prefs for p in project_prefs}
    result = allocate(student_prefs, project_prefs, seats, method="max_score", scores=scores)
    check_feasible(student_prefs, project_prefs, seats, result)
    total = sum(scores[(s, p)] for s, p in result.assignments.items())
    assert total == pytest.approx(brute_force_best_total(student_prefs, project_prefs, seats, scores))


def test_max_score_can_differ_from_stable():
    students = {"a": ["X", "Y"], "b": ["X"]}
    projects = {"X": ["a", "b"], "Y": ["a"]}
    seats = {"X": 1, "Y": 1}
    scores = {("a", "X"): 0.9, ("a", "Y"): 0.8, ("b", "X"): 0.85}
    assert allocate(students, projects, seats).assignments == {"a": "X"}
    best = allocate(students, projects, seats, method="max_score", scores=scores)
    assert best.assignments == {"a": "Y", "b": "X"}


def test_max_score_leaves_negative_pairs_unassigned_and_needs_scores():
    students = {"a": ["X"]}
    projects = {"X": ["a"]}
    result = allocate(students, projects, {"X": 1}, method="max_score", scores={("a", "X"): -1.0})
    assert result.assignments == {} and result.unassigned == ("a",)
    with pytest.raises(ValueError):
        allocate(students, projects, {"X": 1}, method="max_score")
    with pytest.raises(ValueError):
        allocate(students, projects, {"X": 1}, method="greedy")  # type: ignore[arg-type]
