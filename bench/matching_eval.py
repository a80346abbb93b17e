"""Ranking quality on the labelled sets, as a table (the tests assert the same figures).

    .venv/bin/python bench/matching_eval.py

Two sets in tests/unit/matching/data/: ``eval_set.json`` (21 Hokkaido projects, 80 profiles, judged as
the posting town office would) and ``trap_set.json`` (one project per trap, the people written for it,
graded by the rubric in the file: the lure looks best by text and skills but cannot do the work).
Per project: nDCG@5 (gains 2^grade − 1), P@5 and its ceiling (min(5, judged relevant) / 5), the
infeasible people (by the set's rubric, not the engine) in the top 5, and whether each lure is among
the near misses with the rule the rubric names.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "matching"))

from eval_support import load_eval_set, ndcg_at, precision_at  # noqa: E402
from matching_support import skill_codes  # noqa: E402

from matching import build_index, rank_with_near_misses  # noqa: E402


def main() -> None:
    for name in ("trap_set.json", "eval_set.json"):
        s = load_eval_set(name)
        index = build_index(s.candidates, skill_codes())
        print(f"\n{name}: {len(s.needs)} projects, {len(s.candidates)} profiles\n")
        print("| project | trap | nDCG@5 | P@5 (ceiling) | infeasible in top 5 | lures apart with their rule |")
        print("|---:|---|---:|---:|---:|---|")
        ndcgs, at_ceiling, infeasible = [], 0, 0
        judged = any(s.infeasible.values())  # eval_set.json has no feasibility labels: "n/a"
        for need in s.needs:
            ranking = rank_with_near_misses(need, index, 5, 20, today=s.today)
            top = [m.candidate_id for m in ranking.matches]
            grades = s.labels[need.id]
            ndcg = ndcg_at(5, top, grades)
            p, ceiling = precision_at(5, top, grades)
            bad = len(set(top) & set(s.infeasible[need.id]))
            near = {m.candidate_id: m.blocker.code for m in ranking.near_misses if m.blocker}
            lures = [
                f"{c} {rule}: {'yes' if near.get(c) == rule or (rule == 'not_open' and c not in top) else 'NO'}"
                for c, rule in s.infeasible[need.id].items()
                if s.notes.get(c, "").startswith("lure")
            ]
            ndcgs.append(ndcg)
            at_ceiling += p == ceiling
            infeasible += bad
            print(
                f"| {need.id} | {s.traps[need.id] or '—'} | {ndcg:.3f} | {p:.1f} ({ceiling:.1f}) | {bad if judged else 'n/a'} | "
                f"{'; '.join(lures) or '—'} |"
            )
        print(
            f"| **mean** | | **{sum(ndcgs) / len(ndcgs):.3f}** | {at_ceiling}/{len(s.needs)} at ceiling | "
            f"**{infeasible if judged else 'n/a'}** | |"
        )


if __name__ == "__main__":
    main()
