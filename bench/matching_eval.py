"""Ranking quality on the labelled sets, as a table (the tests assert the same figures).

    .venv/bin/python bench/matching_eval.py

Two sets in tests/unit/matching/data/: ``eval_set.json`` (21 Hokkaido projects, 80 profiles, judged as
the posting town office would) and ``trap_set.json`` (one project per trap, the people written for it,
graded by the rubric in the file: the lure looks best by text and skills but cannot do the work).
Per project: nDCG@5 (gains 2^grade − 1), P@5 and its ceiling (min(5, judged relevant) / 5) and, beside
it, the reachable ceiling (only the relevant people no feasibility rule stops), the infeasible people in
the top 5 (by the set's rubric in trap_set.json; in eval_set.json, which has no feasibility labels, by
the rules read plainly from the facts, ``eval_support.rule_stops``, not the engine), and whether each
lure is among the near misses with the rule the rubric names. Last, the union of both sets (#17's
target: nDCG@5 ≥ 0.95, every project at its P@5 ceiling, no one infeasible).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "matching"))

from eval_support import load_eval_set, ndcg_at, precision_at, reachable_ceiling, rule_stops  # noqa: E402
from matching_support import skill_codes  # noqa: E402

from matching import build_index, rank_with_near_misses  # noqa: E402


def main() -> None:
    union: list[tuple[float, bool, int]] = []
    for name in ("trap_set.json", "eval_set.json"):
        s = load_eval_set(name)
        index = build_index(s.candidates, skill_codes())
        print(f"\n{name}: {len(s.needs)} projects, {len(s.candidates)} profiles\n")
        print(
            "| project | trap | nDCG@5 | P@5 (ceiling; reachable) | infeasible in top 5 | lures apart with their rule |"
        )
        print("|---:|---|---:|---:|---:|---|")
        ndcgs, at_ceiling, at_reachable, infeasible = [], 0, 0, 0
        by_id = {c.id: c for c in s.candidates}
        for need in s.needs:
            ranking = rank_with_near_misses(need, index, 5, 20, today=s.today)
            top = [m.candidate_id for m in ranking.matches]
            grades = s.labels[need.id]
            ndcg = ndcg_at(5, top, grades)
            p, ceiling = precision_at(5, top, grades)
            stopped = {c.id for c in s.candidates if rule_stops(need, c)} | set(s.infeasible[need.id])
            reachable = reachable_ceiling(5, grades, stopped)
            bad = sum(1 for c in top if c in s.infeasible[need.id] or rule_stops(need, by_id[c]))
            near = {m.candidate_id: m.blocker.code for m in ranking.near_misses if m.blocker}
            lures = [
                f"{c} {rule}: {'yes' if near.get(c) == rule or (rule == 'not_open' and c not in top) else 'NO'}"
                for c, rule in s.infeasible[need.id].items()
                if s.notes.get(c, "").startswith("lure")
            ]
            ndcgs.append(ndcg)
            at_ceiling += p == ceiling
            at_reachable += p >= reachable
            infeasible += bad
            union.append((ndcg, p == ceiling, bad))
            print(
                f"| {need.id} | {s.traps[need.id] or '—'} | {ndcg:.3f} | {p:.1f} ({ceiling:.1f}; {reachable:.1f}) | {bad} | "
                f"{'; '.join(lures) or '—'} |"
            )
        print(
            f"| **mean** | | **{sum(ndcgs) / len(ndcgs):.3f}** | {at_ceiling}/{len(s.needs)} at ceiling; "
            f"{at_reachable} at reachable | **{infeasible}** | |"
        )
    print(
        f"\nunion: {len(union)} projects, nDCG@5 {sum(u[0] for u in union) / len(union):.3f}, "
        f"{sum(u[1] for u in union)}/{len(union)} at their P@5 ceiling, {sum(u[2] for u in union)} infeasible in a top 5"
    )


if __name__ == "__main__":
    main()
