"""Reading the DSS levels a credential certifies, from the OB 3.0 results (or the retired talentbank
context's ``skillLevel``); `badges.build` writes them."""

from __future__ import annotations

from typing import Any


def skill_levels(credential: dict[str, Any]) -> dict[str, int]:
    """The DSS level (1-4) certified per aligned ``targetUrl``, read from a credential's document.

    Reads the OB 3.0 form (a Result's ``achievedLevel`` in a RubricCriterionLevel of its
    ResultDescription, else that description's ``requiredLevel``) and the ``skillLevel`` term of
    the retired talentbank context that credentials issued before carry.
    """
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    levels: dict[str, int] = {}
    for alignment in _dicts(achievement.get("alignment")):
        level = alignment.get("skillLevel")
        if isinstance(alignment.get("targetUrl"), str) and isinstance(level, int) and 1 <= level <= 4:
            levels[alignment["targetUrl"]] = level
    achieved = {r.get("resultDescription"): r.get("achievedLevel") for r in _dicts(subject.get("result"))}
    for description in _dicts(achievement.get("resultDescription")):
        if description.get("resultType") != "RubricCriterionLevel":
            continue
        chosen = achieved.get(description.get("id")) or description.get("requiredLevel")
        level = next((_level_number(item) for item in _dicts(description.get("rubricCriterionLevel"))
                      if item.get("id") == chosen), None)  # fmt: skip
        for alignment in _dicts(description.get("alignment")):
            if level is not None and isinstance(alignment.get("targetUrl"), str):
                levels[alignment["targetUrl"]] = level
    return levels


def _dicts(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items[:50] if isinstance(item, dict)]


def _level_number(level: dict[str, Any]) -> int | None:
    text = level.get("level")
    return int(text) if isinstance(text, str) and text in {"1", "2", "3", "4"} else None
