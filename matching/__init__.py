"""Ranking engine for talent and projects. No Flask, no database, no clock reads.

Feasibility first (:mod:`matching.feasibility`): a pair the person cannot do is never ranked among
the feasible ones; ``rank_with_near_misses`` also returns, apart, those one rule stops.
Forward: ``build_index(candidates, vocabulary)`` then ``rank(need, index, k, today=...)``;
keep the index fresh with ``index.upsert(candidate)`` / ``index.remove(id)``.
Reverse: ``build_need_index(needs, vocabulary)`` then ``rank_projects(candidate, ix, k, today=...)``.
One pair: ``explain(need, candidate, today=..., text_model=index.text_model)``.
Cohorts: ``allocate(student_prefs, project_prefs, seats, method="stable" | "max_score")``.
"""

from matching.allocate import Allocation, allocate
from matching.index import CandidateIndex, build_index
from matching.model import (
    Candidate,
    Match,
    Need,
    Pay,
    Reason,
    SkillClaim,
    Weights,
)
from matching.needs import NeedIndex, build_need_index, rank_projects
from matching.rank import Ranking, explain, rank, rank_with_near_misses
from matching.text import TextModel, terms

__all__ = [
    "Allocation",
    "Candidate",
    "CandidateIndex",
    "Match",
    "Need",
    "NeedIndex",
    "Pay",
    "Ranking",
    "Reason",
    "SkillClaim",
    "TextModel",
    "Weights",
    "allocate",
    "build_index",
    "build_need_index",
    "explain",
    "rank",
    "rank_projects",
    "rank_with_near_misses",
    "terms",
]
