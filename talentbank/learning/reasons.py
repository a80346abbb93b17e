"""The reasons of a learning step (codes and numbers from `matching.gaps`) as sentences."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import get_locale
from flask_babel import gettext as _

import matching
from matching.gaps import Gap
from talentbank.learning.paths import Suggestion
from talentbank.learning.qualifying import QualifyingPerson


def _english() -> bool:
    return str(get_locale()) == "en"


def _n(reason: matching.Reason, key: str) -> int:
    return round(reason.numbers.get(key, 0))


def sentence(reason: matching.Reason, suggestion: Suggestion, skill_name: str) -> str | None:
    """One reason as a sentence; None for a code this version does not know."""
    level = _n(reason, "level")
    match reason.code:
        case "learning_unlocks":
            first = suggestion.unlocks[0] if suggestion.unlocks else None
            place = "" if first is None else first.municipality.name_en if _english() else first.municipality.name_ja
            count = _n(reason, "projects")
            if count == 1:
                return _("この講座で%(skill)s（レベル%(level)d）を習得すると、%(place)sの募集条件を満たします。",
                         skill=skill_name, level=level, place=place)  # fmt: skip
            return _("この講座で%(skill)s（レベル%(level)d）を習得すると、%(place)sなど%(n)d件の募集条件を満たします。",
                     skill=skill_name, level=level, place=place, n=count)  # fmt: skip
        case "learning_closes_one_gap":
            count = _n(reason, "projects")
            if count == 1:
                return _("%(skill)s（レベル%(level)d）で、1件の募集の足りないスキルを一つ補えます。",
                         skill=skill_name, level=level)  # fmt: skip
            return _("%(skill)s（レベル%(level)d）で、%(n)d件の募集の足りないスキルを一つずつ補えます。",
                     skill=skill_name, level=level, n=count)  # fmt: skip
        case "learning_online":
            return _("オンラインで受講できます。")
        case "learning_distance":
            return _("会場は自宅から約%(km)dkmです。", km=_n(reason, "km"))
        case "learning_free":
            return _("無料です。")
        case "learning_cost":
            return _("受講料は%(yen)s円です。", yen=f"{_n(reason, 'yen'):,}")
        case "learning_always_open":
            return _("いつでも始められます。")
        case "learning_starts":
            days = _n(reason, "days")
            return _("%(days)d日後に始まります。", days=days) if days > 0 else _("受講を受け付けています。")
    return None


def sentences(suggestion: Suggestion, skill_name: str) -> list[str]:
    return [s for r in suggestion.step.reasons if (s := sentence(r, suggestion, skill_name))]


def gap_phrase(gap: Gap, names: Mapping[str, str]) -> str:
    """A must-have a person misses: the skill and level asked, and the level they hold if any."""
    skill = names.get(gap.skill, gap.skill)
    if gap.have:
        return _("%(skill)s（レベル%(level)d、いまはレベル%(have)d）", skill=skill, level=gap.required, have=gap.have)
    return _("%(skill)s（レベル%(level)d）", skill=skill, level=gap.required)


def qualifying_sentence(person: QualifyingPerson, names: Mapping[str, str]) -> str:
    """Why a person is listed for the host: the opportunity that teaches what they miss."""
    opportunity = person.opportunity
    return _("「%(course)s」（%(provider)s）で%(skills)sを身につけると、この募集の必須スキルを満たします。",
             course=opportunity.title, provider=opportunity.organisation.name,
             skills=_("、").join(gap_phrase(g, names) for g in person.after.gaps))  # fmt: skip
