"""Cohort allocation for internship programmes: students to project seats.

``method="stable"``: deferred acceptance (Gale–Shapley), student-proposing, with capacities.
The result has no blocking pair (a student and a project that both prefer each other to what
they got, counting a free seat as better than nothing) and is the best stable matching for
every student. A pair is acceptable only if each side lists the other.

``method="max_score"``: the assignment with the largest total score over acceptable pairs
(``scipy.optimize.linear_sum_assignment`` on students × expanded seats, plus one "stay
unassigned" column per student at score 0). Maximises total score, not stability.

Ties: a project preference entry may be a list, tuple or set of students ranked equally
(so student ids must not themselves be tuples); ties are broken by the order inside the
group (by ``repr`` for sets), so results are deterministic and weakly stable with respect to
the stated (tied) preferences.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar, cast

import numpy as np
from scipy.optimize import linear_sum_assignment

S = TypeVar("S", bound=Hashable)
P = TypeVar("P", bound=Hashable)
Method = Literal["stable", "max_score"]


@dataclass(frozen=True)
class Allocation(Generic[S, P]):
    """Who got which project; students left without a seat, in input order."""

    assignments: Mapping[S, P]
    unassigned: tuple[S, ...]


def project_ranks(
    project_prefs: Mapping[P, Sequence[S | Collection[S]]],
) -> dict[P, dict[S, tuple[int, int]]]:
    """(tie group, position) of each student per project; a lower tuple is preferred."""
    ranks: dict[P, dict[S, tuple[int, int]]] = {}
    for project, entries in project_prefs.items():
        table: dict[S, tuple[int, int]] = {}
        position = 0
        for group, entry in enumerate(entries):
            members = _members(entry)
            for student in members:
                table.setdefault(student, (group, position))
                position += 1
        ranks[project] = table
    return ranks


def _members(entry: S | Collection[S]) -> list[S]:
    """The students of one preference entry: a tie group (list, tuple, set) or one student."""
    if isinstance(entry, (list, tuple)):
        return cast(list[S], list(entry))
    if isinstance(entry, (set, frozenset)):
        return cast(list[S], sorted(entry, key=repr))
    return [cast(S, entry)]


def allocate(
    student_prefs: Mapping[S, Sequence[P]],
    project_prefs: Mapping[P, Sequence[S | Collection[S]]],
    seats: Mapping[P, int],
    *,
    method: Method = "stable",
    scores: Mapping[tuple[S, P], float] | None = None,
) -> Allocation[S, P]:
    """Allocate students to project seats (see the module docstring for both methods).

    ``student_prefs``: each student's acceptable projects, best first. ``project_prefs``:
    each project's acceptable students, best first (an entry may be a tie group).
    ``seats``: capacity per project (missing = 0). ``scores``: required for ``max_score``,
    the value of each acceptable (student, project) pair; pairs without a score are skipped.
    """
    ranks = project_ranks(project_prefs)
    if method == "stable":
        assignments = _deferred_acceptance(student_prefs, ranks, seats)
    elif method == "max_score":
        if scores is None:
            raise ValueError("method='max_score' needs scores")
        assignments = _max_score(student_prefs, ranks, seats, scores)
    else:
        raise ValueError(f"unknown method {method!r}")
    unassigned = tuple(s for s in student_prefs if s not in assignments)
    return Allocation(assignments=assignments, unassigned=unassigned)


def _deferred_acceptance(
    student_prefs: Mapping[S, Sequence[P]],
    ranks: Mapping[P, Mapping[S, tuple[int, int]]],
    seats: Mapping[P, int],
) -> dict[S, P]:
    next_choice = dict.fromkeys(student_prefs, 0)
    held: dict[P, list[S]] = {p: [] for p in ranks}
    free = deque(student_prefs)
    while free:
        student = free.popleft()
        prefs = student_prefs[student]
        while next_choice[student] < len(prefs):
            project = prefs[next_choice[student]]
            next_choice[student] += 1
            rejected = _propose(student, project, held, ranks, seats)
            if rejected != student:
                if rejected is not None:
                    free.append(rejected)
                break
    return {s: p for p, students in held.items() for s in students}


def _propose(
    student: S,
    project: P,
    held: dict[P, list[S]],
    ranks: Mapping[P, Mapping[S, tuple[int, int]]],
    seats: Mapping[P, int],
) -> S | None:
    """Project considers a proposal; returns the student it rejects (None if nobody)."""
    table = ranks.get(project, {})
    capacity = seats.get(project, 0)
    if student not in table or capacity <= 0:
        return student
    holding = held.setdefault(project, [])
    holding.append(student)
    if len(holding) <= capacity:
        return None
    worst = max(holding, key=lambda s: table[s])
    holding.remove(worst)
    return worst


def _max_score(
    student_prefs: Mapping[S, Sequence[P]],
    ranks: Mapping[P, Mapping[S, tuple[int, int]]],
    seats: Mapping[P, int],
    scores: Mapping[tuple[S, P], float],
) -> dict[S, P]:
    students = list(student_prefs)
    seat_owner = [p for p in ranks for _ in range(max(seats.get(p, 0), 0))]
    n_s, n_seats = len(students), len(seat_owner)
    forbidden = -1e12
    value = np.full((n_s, n_seats + n_s), forbidden)
    for i, student in enumerate(students):
        value[i, n_seats + i] = 0.0
        for j, project in enumerate(seat_owner):
            acceptable = project in student_prefs[student] and student in ranks[project]
            if acceptable and (student, project) in scores:
                value[i, j] = float(scores[(student, project)])
    rows, cols = linear_sum_assignment(value, maximize=True)
    return {
        students[i]: seat_owner[j]
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
        if j < n_seats and value[i, j] > forbidden
    }
