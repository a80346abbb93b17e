"""What the profile services accept: the frozen inputs the forms and the API hand over, and the input
rules both share (a home base outside Hokkaido, the other prefectures, links)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

OUTSIDE_HOKKAIDO = "outside"
# The 46 other prefectures, for people whose home base is outside Hokkaido.
PREFECTURES = [
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
    "海外",
]


@dataclass(frozen=True)
class ProfileInput:
    display_name: str
    furigana: str
    headline: str
    bio: str
    home: str  # a municipality code, or OUTSIDE_HOKKAIDO
    home_prefecture: str
    regions: list[str]
    motives: list[str]
    side_job_ok: bool
    hours_per_week: int | None
    earliest_start: date | None
    work_mode: str
    max_travel_km: int | None
    pay_kind: str
    pay_yen: int | None
    open_to_offers: bool
    visibility: str
    is_hidden: bool
    is_student: bool = False
    school_name: str = ""
    onsite_days_per_month: int | None = None
    shows_learning: bool = False


@dataclass(frozen=True)
class SkillInput:
    skill_code: str
    level: int
    years: float | None


@dataclass(frozen=True)
class OutcomeInput:
    title: str
    description: str
    role: str
    started_on: date | None
    ended_on: date | None
    organisation_name: str
    organisation: str  # public id of a linked organisation, or ""
    links: str
    skill_codes: list[str]
    skill_level: int


def link_list(raw: str) -> list[str]:
    return [line.strip() for line in (raw or "").splitlines() if line.strip()]


def check_links(links: list[str]) -> str | None:
    """Why the links are refused, or None. Only http(s) URLs with a host name, at most five."""
    if len(links) > 5:
        return str(_l("リンクは5件までです。"))
    for link in links:
        try:
            parts = urlsplit(link)
        except ValueError:  # e.g. "http://[x": an unclosed IPv6 host
            parts = None
        if (
            parts is None
            or parts.scheme not in {"http", "https"}
            or "." not in parts.netloc
            or len(link) > 500
            or any(ch.isspace() for ch in link)
        ):
            return str(_l("リンクは http:// または https:// で始まるURLにしてください。"))
    return None
