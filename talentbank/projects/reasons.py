"""Match reasons (codes and numbers from `matching`) as sentences: "why this match" and "what is missing"."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import matching

SOURCE_NAMES = {0: "self", 1: "badge", 2: "project"}
# The offer kinds `matching` names in pay reasons (matching.model.PAY_KINDS).
PAY_KIND_NAMES = {
    "hourly": _l("時給"),
    "fixed": _l("固定額"),
    "volunteer": _l("ボランティア"),
    "internship": _l("インターンシップの手当"),
}
# Said again by within_travel / beyond_travel, which carry the same km: shown once.
FOLDED = {"distance_km"}


def _skill(reason: matching.Reason, names: Mapping[str, str]) -> str:
    return names.get(reason.subject or "", reason.subject or "")


def _n(reason: matching.Reason, key: str) -> int:
    return round(reason.numbers.get(key, 0))


def sentence(reason: matching.Reason, names: Mapping[str, str]) -> tuple[bool, str] | None:
    """(is_positive, sentence) for one reason; every code `matching` emits has one (None only for a
    text overlap without terms, or a code this version does not know)."""
    code, skill = reason.code, _skill(reason, names)
    verified = _("（検証済み）") if reason.numbers.get("verified") else ""
    match code:
        case "must_have_met":
            return True, _(
                "必須スキル「%(skill)s」：レベル%(level)d（求めるレベル%(required)d）%(verified)s",
                skill=skill,
                level=_n(reason, "level"),
                required=_n(reason, "required"),
                verified=verified,
            )
        case "nice_to_have_met":
            return True, _(
                "歓迎スキル「%(skill)s」：レベル%(level)d%(verified)s",
                skill=skill,
                level=_n(reason, "level"),
                verified=verified,
            )
        case "must_have_partial":
            return False, _(
                "必須スキル「%(skill)s」がレベル%(level)d（求めるレベル%(required)d）",
                skill=skill,
                level=_n(reason, "level"),
                required=_n(reason, "required"),
            )
        case "nice_to_have_partial":
            return False, _(
                "歓迎スキル「%(skill)s」がレベル%(level)d（求めるレベル%(required)d）",
                skill=skill,
                level=_n(reason, "level"),
                required=_n(reason, "required"),
            )
        case "must_have_missing":
            return False, _("必須スキル「%(skill)s」の登録がありません", skill=skill)
        case "nice_to_have_missing":
            return False, _("歓迎スキル「%(skill)s」の登録がありません", skill=skill)
        case "verified_skill":
            if _n(reason, "source") == 1:
                return True, _("「%(skill)s」はバッジで検証済み", skill=skill)
            return True, _("「%(skill)s」はプロジェクトで検証済み", skill=skill)
        case "text_overlap":
            if not reason.terms:
                return None
            return True, _("プロフィールと課題の共通の言葉：%(terms)s", terms="、".join(reason.terms))
        case "across_languages":
            terms = "、".join(reason.terms)
            if reason.subject == "en_ja":
                return True, _("日本語のプロフィールが英語の課題に訳語で合っています：%(terms)s", terms=terms)
            return True, _("英語のプロフィールが日本語の課題に訳語で合っています：%(terms)s", terms=terms)
        case "remote":
            return True, _("リモートで参加できます")
        case "within_travel":
            return True, _(
                "拠点から約%(km)dkm（移動できる範囲%(limit)dkm以内）", km=_n(reason, "km"), limit=_n(reason, "limit_km")
            )
        case "beyond_travel":
            return False, _(
                "拠点から約%(km)dkm（移動できる範囲%(limit)dkmを超えています）",
                km=_n(reason, "km"),
                limit=_n(reason, "limit_km"),
            )
        case "distance_unknown":
            return False, _("拠点の位置が分からないため、距離が分かりません")
        case "region_of_interest":
            return True, _("関わりたい地域に入っています")
        case "hours_ok":
            return True, _(
                "週%(available)d時間使えます（必要%(required)d時間）",
                available=_n(reason, "available"),
                required=_n(reason, "required"),
            )
        case "hours_short":
            return False, _(
                "使える時間が週%(available)d時間（必要%(required)d時間）",
                available=_n(reason, "available"),
                required=_n(reason, "required"),
            )
        case "start_ok":
            return True, _("開始日に間に合います")
        case "start_late":
            return False, _("参加できるのが開始日の%(days)d日後です", days=_n(reason, "days_late"))
        case "pay_ok":
            return True, _("報酬が希望に合っています")
        case "pay_below_expectation":
            expected = f"{_n(reason, 'expected'):,}"  # not inside the _() call: the extractor skips f-strings there
            return False, _("報酬が希望（%(expected)s円）を下回ります", expected=expected)
        case "pay_not_comparable":
            expected = f"{_n(reason, 'expected'):,}"
            return False, _(
                "報酬の形（%(offer)s）が希望の形と違うため、希望（%(expected)s円）と比べられません",
                offer=PAY_KIND_NAMES.get(reason.subject or "", reason.subject or ""),
                expected=expected,
            )
        case "distance_km":
            return True, _("拠点から約%(km)dkm", km=_n(reason, "km"))
        case _:
            return None


def explain(match: matching.Match, names: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """("why this match" sentences, "what is missing" sentences)."""
    why: list[str] = []
    missing: list[str] = []
    for reason in match.reasons:
        if reason.code in FOLDED:
            continue
        result = sentence(reason, names)
        if result is not None:
            (why if result[0] else missing).append(result[1])
    return why, missing


def blocker_sentence(reason: matching.Reason) -> str:
    """The one thing that stops a near miss (a code of matching.feasibility), as a sentence."""
    match reason.code:
        case "beyond_travel":
            return _over_limit(
                reason, "km", "limit_km",
                _l("移動距離が上限を超えます（約%(km)dkm、上限%(limit)dkm）"), _l("移動距離が上限を超えます"),
            )  # fmt: skip
        case "no_onsite":
            return _("現地での仕事を受けていません（リモートのみ）")
        case "place_unknown":
            return _("拠点の位置が分からず、現地に通えるか確かめられません")
        case "onsite_days":
            return _over_limit(
                reason, "days", "limit_days",
                _l("現地の日数が上限を超えます（月%(days)d日、上限%(limit)d日）"), _l("現地の日数が上限を超えます"),
            )  # fmt: skip
        case "short_hours":
            return _(
                "使える時間が必要な時間の3割に届きません（週%(hours)d時間、必要%(needed)d時間）",
                hours=_n(reason, "hours"),
                needed=_n(reason, "needed"),
            )
        case "late_start":
            return _("開始日に間に合いません（%(days)d日遅れ、許容%(slack)d日）", days=_n(reason, "days_late"),
                     slack=_n(reason, "slack_days"))  # fmt: skip
        case "students_only":
            return _("学生限定のプロジェクトです")
        case "not_open":
            return _("オファーを受け付けていません")
    return reason.code


def _over_limit(reason: matching.Reason, number: str, limit: str, with_figures: object, without: object) -> str:
    """A limit the pair goes beyond: `with_figures` (placeholders `%(<number>)d` and `%(limit)d`) when the
    reason carries the figure, else `without`. Both are translated as `_` would, then filled."""
    if number not in reason.numbers:
        return str(without)
    return str(with_figures) % {number: _n(reason, number), "limit": _n(reason, limit)}
