"""What the open data files contain: datasets, their fields (Frictionless Table Schema) and licence notes,
and `get_dataset`, a dataset by its name.

Titles and descriptions are machine-readable metadata published in both languages at once (DCAT,
Data Package), so they are kept here as plain Japanese and English strings rather than msgids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from talentbank.errors import NotFound

Row = dict[str, Any]  # one row of a dataset: field name → value

MIN_CELL = 5  # supply cells counting fewer people than this are suppressed

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
PUBLISHER_JA = "北海道デジタル人材バンク"
PUBLISHER_EN = "Hokkaido Digital Talent Bank"
ATTRIBUTION_JA = "出典：北海道デジタル人材バンク オープンデータ（CC BY 4.0）"
ATTRIBUTION_EN = "Source: Hokkaido Digital Talent Bank open data (CC BY 4.0)"

DSS_SOURCE = {
    "title": "デジタルスキル標準（DSS）, 経済産業省・独立行政法人情報処理推進機構（IPA）",
    "path": "https://www.ipa.go.jp/jinzai/skill-standard/dss/index.html",
    "description": (
        "DSS-P ver.2.0 item names from a third-party extraction (jimyoshida/dx-devops-landscape, commit a5b9caf, "
        "documentation CC BY-SA 4.0) including its unofficial English names; DSS-P ver.1.x and DSS-L items are "
        "reconstructed from secondary sources. Tool tags and their mapping are the talent bank's own."
    ),
}
MUNICIPALITY_SOURCE = {
    "title": "code4fukui/localgovjp (CC0); geolonia/japanese-addresses (CC BY 4.0, credit: Geolonia)",
    "path": "https://github.com/code4fukui/localgovjp",
    "description": (
        "全国地方公共団体コード, names and office locations from localgovjp-utf8.csv (commit 232edc3; its sources: "
        "国土地理院 and 地方公共団体情報システム機構「全国自治体マップ検索」); "
        "郡 names from geolonia/japanese-addresses "
        "(based on 国土交通省「位置参照情報」). Subprefectures from the e-Stat 標準地域コード structure. "
        "Romanised names are machine transliterations (pykakasi), not official spellings."
    ),
}
OWN_SOURCE = {
    "title": "北海道デジタル人材バンク / Hokkaido Digital Talent Bank",
    "description": "Aggregated from the talent bank's own records at the time shown in generated_at.",
}


@dataclass(frozen=True)
class Field:
    """One column; `type` is a Frictionless Table Schema type."""

    name: str
    type: str
    title: str  # Japanese
    description: str  # English


@dataclass(frozen=True)
class Dataset:
    name: str
    title_ja: str
    title_en: str
    description_ja: str
    description_en: str
    fields: tuple[Field, ...]
    keywords: tuple[str, ...]
    sources: tuple[dict[str, str], ...]

    @property
    def field_names(self) -> list[str]:
        return [field.name for field in self.fields]


def _f(name: str, type_: str, title: str, description: str) -> Field:
    return Field(name, type_, title, description)


SKILL_FIELDS = (
    _f("skill_code", "string", "スキルコード", "DSS item code, e.g. dssp2-36 (see the skills dataset)."),
    _f("skill_name_ja", "string", "スキル名", "DSS item name in Japanese."),
    _f("skill_name_en", "string", "スキル名（英語）", "DSS item name in English (unofficial translation)."),
)
SUBPREFECTURE_FIELDS = (
    _f("subprefecture_ja", "string", "振興局", "Hokkaido subprefecture (振興局 / 総合振興局) in Japanese."),
    _f("subprefecture_en", "string", "振興局（英語）", "Hokkaido subprefecture in English."),
)
THEME_FIELDS = (
    _f("theme", "string", "テーマ（コード）", "Project theme code (agriculture, tourism, healthcare, education, "
       "disaster, transport, admin_dx, energy, retail, other)."),
    _f("theme_ja", "string", "テーマ", "Project theme in Japanese."),
    _f("theme_en", "string", "テーマ（英語）", "Project theme in English."),
)  # fmt: skip

SUPPRESSION_JA = (
    "集計の対象は、公開範囲が「公開」または「会員のみ」で、非表示にされておらず、アカウントが有効で、"
    "拠点が北海道内の市町村にある人のプロフィールだけです（「非公開」や非表示のプロフィールは数えません）。"
    f"人数が{MIN_CELL}人未満のセルは秘匿し、値を空欄（JSONではnull）にして suppressed を true にします。"
    f"認証済みの人数も、その人数または認証なしの人数が1〜{MIN_CELL - 1}人になるときは秘匿します。"
    "秘匿した値を差し引きで求められないよう、合計（行・列・総計）は公開しません。"
    "0人の組み合わせは行を出力しません。"
)
SUPPRESSION_EN = (
    "Only profiles whose visibility allows aggregation are counted: visibility public or members-only, not "
    "hidden, of an active account, with a home municipality in Hokkaido (private and hidden profiles are never "
    f"counted). Any cell counting fewer than {MIN_CELL} people is suppressed: its values are empty (null in "
    f"JSON) and suppressed is true. The verified count is also suppressed when it, or the number of people "
    f"without a verified claim, is between 1 and {MIN_CELL - 1}. No row, column or grand totals are published, "
    "so suppressed values cannot be recovered by subtraction. Combinations with no people have no row."
)

DATASETS: dict[str, Dataset] = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            name="projects",
            title_ja="募集中のプロジェクト",
            title_en="Open projects",
            description_ja="いま募集中の地域DXプロジェクト・副業・インターンシップ：テーマ、場所、働き方、報酬、必要なスキル。",
            description_en=(
                "Local DX projects, side jobs and internships currently open for applications: theme, place, "
                "work mode, pay and the DSS skills needed."
            ),
            fields=(
                _f("id", "string", "ID", "Public identifier of the project (UUID)."),
                _f("title", "string", "タイトル", "Project title."),
                _f("organisation", "string", "組織", "Name of the posting organisation."),
                *THEME_FIELDS,
                _f("municipality_code", "string", "市町村コード", "全国地方公共団体コード (6 digits) of the place."),
                _f("municipality_ja", "string", "市町村", "Municipality name in Japanese."),
                _f("municipality_en", "string", "市町村（英語）", "Municipality name, romanised."),
                *SUBPREFECTURE_FIELDS,
                _f("work_mode", "string", "働き方", "remote, onsite or hybrid."),
                _f("onsite_days_per_month", "integer", "月の現地日数", "On-site days per month, if any."),
                _f("hours_per_week", "integer", "週の時間", "Expected hours per week."),
                _f("pay_kind", "string", "報酬の種類", "hourly, fixed, volunteer or internship."),
                _f(
                    "pay_yen",
                    "integer",
                    "報酬（円）",
                    "Pay in yen: per hour, for the whole project, or the internship stipend (0 = unpaid).",
                ),
                _f("is_internship", "boolean", "インターンシップ", "Whether the project is an internship."),
                _f(
                    "is_students_only",
                    "boolean",
                    "学生限定",
                    "Whether only students may apply, be invited or be placed (internships only).",
                ),
                _f("seats", "integer", "募集人数", "Number of people sought."),
                _f("starts_on", "date", "開始日", "Start date."),
                _f("ends_on", "date", "終了日", "End date, if known."),
                _f("deadline", "date", "応募締切", "Application deadline, if any."),
                _f(
                    "opened_at",
                    "datetime",
                    "募集開始日時",
                    "When the project was last opened for applications (it may reopen after closing), in UTC "
                    "(ISO 8601, YYYY-MM-DDThh:mm:ssZ); empty if unknown.",
                ),
                _f(
                    "needs",
                    "string",
                    "必要なスキル",
                    "Skills needed, separated by ';', each 'skill_code:minimum level (1-4):must|nice'.",
                ),
                _f("url", "string", "URL", "Page of the project on the talent bank."),
            ),
            keywords=("プロジェクト", "地域DX", "副業", "インターンシップ", "projects"),
            sources=(OWN_SOURCE, DSS_SOURCE, MUNICIPALITY_SOURCE),
        ),
        Dataset(
            name="skills",
            title_ja="スキル項目（デジタルスキル標準）",
            title_en="Skill taxonomy (Digital Skill Standard)",
            description_ja="経済産業省・IPAのデジタルスキル標準（DSS-P、DSS-L）の項目と、関連づけたツール名。",
            description_en=(
                "Items of METI/IPA's Digital Skill Standard (DSS-P, DSS-L) with the tool tags mapped onto them."
            ),
            fields=(
                _f("code", "string", "コード", "Item code used across the talent bank."),
                _f("standard", "string", "標準", "DSS-P or DSS-L."),
                _f("version", "string", "版", "Version of the standard."),
                _f("category_no", "string", "カテゴリ番号", "Category number, if any."),
                _f("category_ja", "string", "カテゴリ", "Category in Japanese."),
                _f("category_en", "string", "カテゴリ（英語）", "Category in English."),
                _f("subcategory_ja", "string", "サブカテゴリ", "Subcategory in Japanese, if any."),
                _f("subcategory_en", "string", "サブカテゴリ（英語）", "Subcategory in English, if any."),
                _f("name_ja", "string", "項目名", "Item name in Japanese."),
                _f("name_en", "string", "項目名（英語）", "Item name in English (unofficial translation)."),
                _f(
                    "is_selectable",
                    "boolean",
                    "選択可能",
                    "Whether the item can be chosen for new profiles, needs and badges (current vocabulary).",
                ),
                _f(
                    "tool_tags", "string", "ツール", "Tool and technology names mapped onto the item, separated by '|'."
                ),
            ),
            keywords=("デジタルスキル標準", "DSS", "スキル", "skills"),
            sources=(DSS_SOURCE,),
        ),
        Dataset(
            name="municipalities",
            title_ja="北海道の市町村",
            title_en="Hokkaido municipalities",
            description_ja="北海道の179市町村：全国地方公共団体コード、名称、よみ、種別、振興局、役所の位置、ウェブサイト。",
            description_en=(
                "Hokkaido's 179 municipalities: local government code, names, reading, type, subprefecture, "
                "office location and website."
            ),
            fields=(
                _f("code", "string", "団体コード", "全国地方公共団体コード (6 digits with check digit)."),
                _f("code5", "string", "団体コード（5桁）", "The 5-digit code without the check digit."),
                _f("name_ja", "string", "名称", "Name in Japanese."),
                _f("district_ja", "string", "郡", "District (郡), for towns and villages."),
                _f("name_kana", "string", "よみ", "Reading in hiragana."),
                _f("name_romaji", "string", "ローマ字", "Romanised name (machine transliteration)."),
                _f("type", "string", "種別", "designated_city, city, town or village."),
                *SUBPREFECTURE_FIELDS,
                _f("office_lat", "number", "緯度", "Latitude of the municipal office (WGS 84)."),
                _f("office_lng", "number", "経度", "Longitude of the municipal office (WGS 84)."),
                _f("website", "string", "ウェブサイト", "Official website, if known."),
            ),
            keywords=("市町村", "北海道", "全国地方公共団体コード", "municipalities"),
            sources=(MUNICIPALITY_SOURCE,),
        ),
        Dataset(
            name="supply",
            title_ja="デジタル人材の供給（スキル×レベル×振興局）",
            title_en="Digital talent supply (skill × level × subprefecture)",
            description_ja="DSSスキル・レベル・振興局ごとの登録人数と、バッジまたはプロジェクトで認証済みの人数。"
            + SUPPRESSION_JA,
            description_en=(
                "People registered per DSS skill, level and subprefecture, and how many of them have a claim "
                "verified by a badge or a completed project. A person is counted once per skill, at their "
                "highest level for it. " + SUPPRESSION_EN
            ),
            fields=(
                *SKILL_FIELDS,
                _f("level", "integer", "レベル", "Skill level 1-4 (the person's highest level for the skill)."),
                *SUBPREFECTURE_FIELDS,
                _f("people", "integer", "人数", f"Number of people; empty when suppressed (fewer than {MIN_CELL})."),
                _f(
                    "verified_people",
                    "integer",
                    "認証済みの人数",
                    "Of those, people with a badge- or project-verified claim of the skill; empty when suppressed.",
                ),
                _f("suppressed", "boolean", "秘匿", f"True when people is fewer than {MIN_CELL} and withheld."),
                _f("verified_suppressed", "boolean", "認証済み人数の秘匿", "True when verified_people is withheld."),
            ),
            keywords=("人材", "供給", "統計", "supply"),
            sources=(OWN_SOURCE, DSS_SOURCE, MUNICIPALITY_SOURCE),
        ),
        Dataset(
            name="demand",
            title_ja="スキルの需要（スキル×振興局）",
            title_en="Skill demand (skill × subprefecture)",
            description_ja="募集中のプロジェクトが求めるスキルを、プロジェクトの所在地の振興局ごとに数えたもの。",
            description_en="Skills asked for by open projects, counted per subprefecture of the project's place.",
            fields=(
                *SKILL_FIELDS,
                *SUBPREFECTURE_FIELDS,
                _f("projects", "integer", "プロジェクト数", "Open projects needing the skill."),
                _f(
                    "must_projects",
                    "integer",
                    "必須とするプロジェクト数",
                    "Of those, projects where it is a must-have.",
                ),
            ),
            keywords=("需要", "プロジェクト", "統計", "demand"),
            sources=(OWN_SOURCE, DSS_SOURCE, MUNICIPALITY_SOURCE),
        ),
        Dataset(
            name="badges",
            title_ja="発行されたデジタルバッジ",
            title_en="Digital badges issued",
            description_ja="発行済み（取り消されていない）のデジタルバッジの数：スキル別（バッジの対応づけ）と発行組織別。",
            description_en=(
                "Credentials (digital badges) issued and not revoked, per aligned DSS skill (breakdown = skill) "
                "and per issuing organisation (breakdown = issuer). A credential aligned with several skills "
                "counts once for each."
            ),
            fields=(
                _f("breakdown", "string", "集計の単位", "skill or issuer."),
                _f("key", "string", "キー", "Skill code, or the issuer organisation's public identifier (UUID)."),
                _f("name_ja", "string", "名称", "Skill or organisation name in Japanese."),
                _f("name_en", "string", "名称（英語）", "Skill or organisation name in English, if known."),
                _f("credentials", "integer", "発行数", "Credentials issued and not revoked."),
            ),
            keywords=("デジタルバッジ", "Open Badges", "統計", "badges"),
            sources=(OWN_SOURCE, DSS_SOURCE),
        ),
        Dataset(
            name="completed",
            title_ja="完了したプロジェクト（テーマ別）",
            title_en="Completed projects per theme",
            description_ja="完了したプロジェクトの数をテーマごとに数えたもの。",
            description_en="Projects completed, counted per theme.",
            fields=(*THEME_FIELDS, _f("projects", "integer", "プロジェクト数", "Completed projects.")),
            keywords=("プロジェクト", "成果", "統計", "completed"),
            sources=(OWN_SOURCE,),
        ),
        Dataset(
            name="learning",
            title_ja="学びの場（受講できる講座）",
            title_en="Learning opportunities open for enrolment",
            description_ja=(
                "いま申し込める講座・プログラム（学びの場）：提供者、形式、場所、日程、学習時間、受講料、対象、定員、"
                "身につくスキルとレベル、修了時のバッジ、教材にする地域のプロジェクト。"
            ),
            description_en=(
                "Courses and programmes (学びの場) one can still enrol in: provider, format, place, dates, study "
                "hours, fee, eligibility, capacity, the DSS skills taught with the level reached, the badge its "
                "completion awards and the local project a PBL class works on."
            ),
            fields=(
                _f("id", "string", "ID", "Public identifier of the learning opportunity (UUID)."),
                _f("title", "string", "講座名", "Title."),
                _f("provider", "string", "提供者", "Name of the providing organisation."),
                _f("format", "string", "形式", "self_paced, live_online, onsite, blended or pbl."),
                _f("online", "boolean", "オンライン", "Whether it is self-paced or live online (open anywhere)."),
                _f("language", "string", "言語", "ja, en or both."),
                _f("municipality_code", "string", "市町村コード", "全国地方公共団体コード of the place; empty online."),
                _f("municipality_ja", "string", "市町村", "Municipality name in Japanese; empty online."),
                _f("municipality_en", "string", "市町村（英語）", "Municipality name, romanised; empty online."),
                *SUBPREFECTURE_FIELDS,
                _f("starts_on", "date", "開始日", "Start date; empty with ends_on empty: always open."),
                _f("ends_on", "date", "終了日", "End date, if any."),
                _f("deadline", "date", "申込締切", "Last day to enrol, if any."),
                _f("study_hours", "integer", "学習時間", "Hours of study in all."),
                _f("cost_yen", "integer", "受講料（円）", "Fee in yen (0 = free)."),
                _f("eligibility", "string", "対象", "anyone, students or working_adults."),
                _f("capacity", "integer", "定員", "Seats; empty = no limit."),
                _f(
                    "skills",
                    "string",
                    "身につくスキル",
                    "Skills taught, separated by ';', each 'skill_code:level reached (1-4)'.",
                ),
                _f("badge", "string", "修了バッジ", "Name of the digital badge its completion awards, if any."),
                _f(
                    "project_id",
                    "string",
                    "教材のプロジェクト",
                    "Public identifier of the local project it works on (PBL), if any.",
                ),
                _f("course_url", "string", "講座のURL", "The provider's own page of the course, if any."),
                _f("url", "string", "URL", "Page of the opportunity on the talent bank."),
            ),
            keywords=("学びの場", "講座", "リスキリング", "learning"),
            sources=(OWN_SOURCE, DSS_SOURCE, MUNICIPALITY_SOURCE),
        ),
        Dataset(
            name="learning_gaps",
            title_ja="スキルの需要と学びの場（スキル×振興局）",
            title_en="Skill demand and learning on offer (skill × subprefecture)",
            description_ja=(
                "募集中のプロジェクトが求めるスキルごと・プロジェクトの所在地の振興局ごとに、求める人数、その振興局で"
                "開かれる講座とオンライン講座の数と定員、そのスキルを持つ人の数。学びの場が近くにないスキルがわかります。"
                f"人数は供給データと同じ数え方で、足し合わせる供給データのセル（スキル×レベル×振興局）に{MIN_CELL}人未満の"
                "秘匿セルがあるときは、差し引きで求められないよう秘匿し、"
                "空欄（JSONではnull）にして suppressed を true にします。"
            ),
            description_en=(
                "For each skill that open projects ask for, per subprefecture of the project's place: the projects "
                "and seats that want it, the learning opportunities one can still enrol in that teach it there or "
                "online, their limited seats, and the people there who claim the skill. Shows the skills with no "
                "learning near. People are counted as in the supply dataset; the count is suppressed (empty, null "
                "in JSON, suppressed true) when any supply cell it adds up (skill × level × subprefecture) is "
                f"suppressed there (fewer than {MIN_CELL} people), so that subtraction cannot reveal that cell."
            ),
            fields=(
                *SKILL_FIELDS,
                *SUBPREFECTURE_FIELDS,
                _f("projects", "integer", "プロジェクト数", "Open projects there needing the skill."),
                _f("seats_wanted", "integer", "求める人数", "Seats of those projects."),
                _f(
                    "courses_nearby",
                    "integer",
                    "近くの講座数",
                    "Learning opportunities teaching it held in the subprefecture.",
                ),
                _f("courses_online", "integer", "オンライン講座数", "Online ones teaching it (open from anywhere)."),
                _f(
                    "learning_seats",
                    "integer",
                    "講座の定員",
                    "Limited seats of those courses (see learning_unlimited).",
                ),
                _f(
                    "learning_unlimited",
                    "boolean",
                    "定員なしの講座あり",
                    "Whether one of those courses has no seat limit.",
                ),
                _f(
                    "no_learning_near",
                    "boolean",
                    "近くに学びの場なし",
                    "True when no course there or online teaches it.",
                ),
                _f(
                    "people",
                    "integer",
                    "スキルを持つ人数",
                    "People there who claim the skill; empty when suppressed.",
                ),
                _f("suppressed", "boolean", "秘匿", "True when people is withheld."),
            ),
            keywords=("学びの場", "需要", "統計", "learning gaps"),
            sources=(OWN_SOURCE, DSS_SOURCE, MUNICIPALITY_SOURCE),
        ),
    )
}


def get_dataset(name: str) -> Dataset:
    dataset = DATASETS.get(name)
    if dataset is None:
        raise NotFound()
    return dataset
