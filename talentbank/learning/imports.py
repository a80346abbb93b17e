"""Importing a provider's catalogue of learning opportunities: every row is checked first (the preview),
then the good rows are created or updated in one transaction.

A row's `code` is the provider's own identifier of the course. It makes an import idempotent: a row
whose code the organisation already uses updates that opportunity, or changes nothing when it says
what the opportunity already says; running the same file twice adds nothing. The CSV (UTF-8 with or
without BOM, or Shift_JIS) needs a header row naming its columns (`CSV_COLUMNS`, or their Japanese names
in `JAPANESE_HEADERS`); the API sends the same rows as JSON.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from talentbank import audit
from talentbank.errors import Conflict, Invalid
from talentbank.learning import opportunities
from talentbank.learning.inputs import OpportunityInput, TaughtSkillInput
from talentbank.models import LearningOpportunity, Organisation, User
from talentbank.security import require

MAX_ROWS = 500
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CSV_COLUMNS = (
    "code", "title", "description", "format", "language", "municipality_code", "starts_on", "ends_on",
    "study_hours", "cost_yen", "eligibility", "capacity", "deadline", "course_url", "skills", "achievement_id",
    "project_id",
)  # fmt: skip
REQUIRED_COLUMNS = ("code", "title", "description", "format", "study_hours", "skills")
JAPANESE_HEADERS = {
    "コード": "code", "講座名": "title", "内容": "description", "形式": "format", "言語": "language",
    "市町村コード": "municipality_code", "開始日": "starts_on", "終了日": "ends_on", "学習時間": "study_hours",
    "受講料": "cost_yen", "対象": "eligibility", "定員": "capacity", "申込締切": "deadline",
    "講座のurl": "course_url", "スキル": "skills", "修了バッジ": "achievement_id", "プロジェクト": "project_id",
}  # fmt: skip
SKILL_SEPARATORS = re.compile(r"[\s,;、]+")


class ImportAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class ImportRow:
    """One row as read: its input, or the problems that kept it from being read."""

    line: int
    code: str
    details: OpportunityInput | None
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedRow:
    """What importing a row will do; `opportunity` is the one it updates or leaves unchanged."""

    line: int
    code: str
    title: str
    action: ImportAction
    errors: dict[str, str] = field(default_factory=dict)
    details: OpportunityInput | None = None
    opportunity: LearningOpportunity | None = None


@dataclass(frozen=True)
class ImportResult:
    rows: list[PlannedRow]
    opportunities: dict[int, LearningOpportunity]  # by line: the opportunity each good row now is

    def count(self, action: ImportAction) -> int:
        return sum(row.action is action for row in self.rows)


# ---- reading the CSV ------------------------------------------------------------------------------------


def _header(cells: list[str]) -> list[str]:
    names = [cell.strip().lstrip("\ufeff").lower() for cell in cells]
    return [JAPANESE_HEADERS.get(name, name) for name in names]


def _date(value: str, name: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        errors[name] = str(_l("日付は 2027-04-01 の形で書いてください。"))
        return None


def _int(value: str, name: str, errors: dict[str, str], *, default: int | None = None) -> int | None:
    value = value.replace(",", "").replace("円", "").strip()
    if not value:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", value):
        errors[name] = str(_l("数字で書いてください。"))
        return None
    return int(value)


def _skills(value: str, errors: dict[str, str]) -> tuple[TaughtSkillInput, ...]:
    taught = []
    for token in SKILL_SEPARATORS.split(value.strip()):
        if not token:
            continue
        code, _, level = token.partition(":")
        if not level.isdigit() or not code:
            errors["skills"] = str(_l("スキルは「スキルコード:レベル」の形で、空白で区切って書いてください。"))
            return ()
        taught.append(TaughtSkillInput(code.lower(), int(level)))
    return tuple(taught)


def read_row(line: int, cells: dict[str, str]) -> ImportRow:
    """One row of named cells (missing names count as empty) as an input, or its problems."""
    value = {name: (cells.get(name) or "").strip() for name in CSV_COLUMNS}
    errors: dict[str, str] = {}
    code = value["code"]
    if not CODE.fullmatch(code):
        errors["code"] = str(_l("コードは英数字と . _ - で64文字以内にしてください（講座ごとに別のコード）。"))
    details = OpportunityInput(
        title=value["title"],
        description=value["description"],
        format=value["format"].lower(),
        language=value["language"].lower() or "ja",
        municipality_code=value["municipality_code"] or None,
        starts_on=_date(value["starts_on"], "starts_on", errors),
        ends_on=_date(value["ends_on"], "ends_on", errors),
        study_hours=_int(value["study_hours"], "study_hours", errors),
        cost_yen=_int(value["cost_yen"], "cost_yen", errors, default=0),
        eligibility=value["eligibility"].lower() or "anyone",
        capacity=_int(value["capacity"], "capacity", errors),
        deadline=_date(value["deadline"], "deadline", errors),
        course_url=value["course_url"],
        skills=_skills(value["skills"], errors),
        achievement_id=value["achievement_id"] or None,
        project_id=value["project_id"] or None,
    )
    return ImportRow(line, code, None if errors else details, errors)


def parse_csv(text: str) -> list[ImportRow]:
    """Every data row, read; raises ValueError when the file itself is unusable (no header, no rows, too
    many rows, unknown or missing columns)."""
    reader = csv.reader(io.StringIO(text))
    header = next((cells for cells in reader if any(c.strip() for c in cells)), None)
    if header is None:
        raise ValueError(str(_l("CSVにデータの行がありません。")))
    names = _header(header)
    unknown = [name for name in names if name and name not in CSV_COLUMNS]
    if unknown:
        raise ValueError(str(_l("知らない列があります：%(names)s（1行目は列の名前です）。", names=", ".join(unknown))))
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ValueError(str(_l("必要な列がありません：%(names)s。", names=", ".join(missing))))
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValueError(str(_l("一度に取り込めるのは%(n)d行までです。", n=MAX_ROWS)))
        rows.append(read_row(reader.line_num, dict(zip(names, cells, strict=False))))
    if not rows:
        raise ValueError(str(_l("CSVにデータの行がありません。")))
    return rows


def example_csv(today: date) -> str:
    """A file to start from: the header and two example rows (an always-open online course, and an
    on-site one a few months ahead), which import as they are."""
    starts = today + timedelta(days=120)
    examples = (
        ("DX-101", "はじめてのデータ分析", "表計算ソフトで町の統計を読み解きます。", "self_paced", "ja", "", "", "",
         "12", "0", "anyone", "", "", "https://example.org/dx-101", "dssp2-35:2", "", ""),
        ("DX-201", "ドローン測量の実習", "町有林でドローンを飛ばし、測量データを作ります。", "onsite", "ja", "012084",
         str(starts), str(starts + timedelta(days=1)), "16", "5000", "working_adults", "20",
         str(starts - timedelta(days=10)), "", "dssp2-43:2 dssp2-35:1", "", ""),
    )  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(examples)
    return buffer.getvalue()


# ---- planning and applying ------------------------------------------------------------------------------


def _normalised(details: OpportunityInput) -> OpportunityInput:
    """The input as it would be stored, so that an unchanged row compares equal to the opportunity."""
    return replace(details, title=details.title.strip()[:140], description=details.description.strip(),
                   course_url=details.course_url.strip(), municipality_code=details.municipality_code or None,
                   cost_yen=details.cost_yen or 0)  # fmt: skip


def plan_import(
    session: Session, actor: User, organisation: Organisation, rows: list[ImportRow], today: date
) -> list[PlannedRow]:
    """What importing `rows` into the organisation's catalogue would do, row by row; nothing is written."""
    require(actor, "publish_learning", organisation)
    codes = [row.code for row in rows if row.code]
    existing = {
        o.source_code: o
        for o in session.scalars(
            sa.select(LearningOpportunity)
            .where(LearningOpportunity.organisation_id == organisation.id, LearningOpportunity.source_code.in_(codes))
            .options(*opportunities.OPPORTUNITY_LOAD)
        )
    }
    seen: dict[str, int] = {}
    planned = []
    for row in rows:
        current = existing.get(row.code)
        title = row.details.title if row.details else ""
        errors = dict(row.errors)
        if row.code in seen:
            errors["code"] = str(_l("%(line)d行目と同じコードです。", line=seen[row.code]))
        seen.setdefault(row.code, row.line)
        if errors or row.details is None:
            planned.append(PlannedRow(row.line, row.code, title, ImportAction.ERROR, errors, None, current))
            continue
        details = _normalised(row.details)
        if current is not None and opportunities.current_input(current) == details:
            planned.append(PlannedRow(row.line, row.code, title, ImportAction.UNCHANGED, {}, details, current))
            continue
        try:
            opportunities.check_opportunity(session, organisation, details, today, is_new=current is None,
                                            current=current.project if current else None)  # fmt: skip
        except Invalid as error:
            planned.append(PlannedRow(row.line, row.code, title, ImportAction.ERROR, error.fields, None, current))
            continue
        action = ImportAction.CREATE if current is None else ImportAction.UPDATE
        planned.append(PlannedRow(row.line, row.code, title, action, {}, details, current))
    return planned


def apply_import(
    session: Session, actor: User, organisation: Organisation, planned: list[PlannedRow], today: date
) -> ImportResult:
    """Create and update what `plan_import` planned (rows with problems are left out); one audit event for
    the import. Raises Conflict when another import of the same codes committed in the meantime."""
    require(actor, "publish_learning", organisation)
    saved: dict[int, LearningOpportunity] = {}
    try:
        for row in planned:
            if row.action in (ImportAction.CREATE, ImportAction.UPDATE):
                assert row.details is not None
                opportunity = opportunities.save_opportunity(
                    session, actor, organisation, row.details, row.opportunity, today=today
                )
                opportunity.source_code = row.code
                session.flush()
                saved[row.line] = opportunity
            elif row.action is ImportAction.UNCHANGED and row.opportunity is not None:
                saved[row.line] = row.opportunity
    except sa.exc.IntegrityError:
        session.rollback()
        raise Conflict(str(_l("同じコードの講座が同時に取り込まれました。もう一度取り込んでください。"))) from None
    result = ImportResult(planned, saved)
    audit.record(session, actor, "learning.import", object_type="organisation", object_id=organisation.public_id,
                 **{action.value: result.count(action) for action in ImportAction})  # fmt: skip
    return result
