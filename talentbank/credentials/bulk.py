"""Bulk awards from CSV: parse and check every row first (the preview), then issue the good rows.

Columns: email, name, evidence URL, narrative (a header row is optional). UTF-8 (with or without
BOM) and Shift_JIS (cp932, what Excel writes in Japan) are accepted. Each row carries an
idempotency key derived from its content, so uploading the same row again issues nothing new.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from talentbank import text
from talentbank.credentials.inputs import AwardInput

MAX_ROWS = 5000
HEADER_WORDS = {"email", "e-mail", "mail", "メールアドレス", "メール"}


@dataclass(frozen=True)
class CsvRow:
    line: int
    award: AwardInput
    errors: tuple[str, ...] = field(default=())

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def idempotency_key(self, achievement_id: str) -> str:
        award = self.award
        text = "\x1f".join([achievement_id, award.email, award.name, award.evidence_url, award.narrative])
        return hashlib.sha256(text.encode()).hexdigest()


def _row_errors(email: str, name: str, evidence: str, narrative: str) -> list[str]:
    errors = [
        text.message(str(label), character)
        for label, value, multiline in (
            (_l("メールアドレス"), email, False),
            (_l("名前"), name, False),
            (_l("根拠のURL"), evidence, False),
            (_l("コメント"), narrative, True),
        )
        if (character := text.unreadable_character(value, multiline=multiline))
    ]
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        errors.append(str(_l("メールアドレスの形式が正しくありません。")))
    if not name:
        errors.append(str(_l("名前がありません。")))
    elif len(name) > 80:
        errors.append(str(_l("名前は80文字以内にしてください。")))
    if evidence:
        try:
            parts = urlsplit(evidence)
        except ValueError:  # e.g. an unbalanced "[" in the host
            parts = urlsplit("")
        if parts.scheme not in {"http", "https"} or "." not in parts.netloc or len(evidence) > 500:
            errors.append(str(_l("根拠のURLは http:// または https:// で始まるURLにしてください。")))
    if len(narrative) > 2000:
        errors.append(str(_l("コメントは2000文字以内にしてください。")))
    return errors


def parse_award_csv(text: str) -> list[CsvRow]:
    """Every data row with its problems; raises ValueError when the file itself is unusable."""
    reader = csv.reader(io.StringIO(text))
    records: list[tuple[int, list[str]]] = []
    for line, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if line == 1 and cells[0].strip().lower() in HEADER_WORDS:
            continue
        if len(records) >= MAX_ROWS:
            raise ValueError(str(_l("一度に発行できるのは%(n)d行までです。", n=MAX_ROWS)))
        records.append((line, cells))
    if not records:
        raise ValueError(str(_l("CSVにデータの行がありません。")))
    return check_rows(records)


def check_rows(records: list[tuple[int, list[str]]]) -> list[CsvRow]:
    """Each (line number, cells: email, name, evidence URL, narrative) with its problems: the checks of
    a CSV upload, also used by the API. A repeated e-mail address is a problem on its later lines."""
    rows: list[CsvRow] = []
    seen: dict[str, int] = {}
    for line, cells in records:
        email, name, evidence, narrative = ([c.strip() for c in cells] + ["", "", "", ""])[:4]
        email = email.lower()
        errors = _row_errors(email, name, evidence, narrative)
        if len(cells) > 4 and any(c.strip() for c in cells[4:]):
            errors.append(str(_l("列が多すぎます（メール・名前・根拠URL・コメントの4列です）。")))
        if email in seen and not errors:
            errors.append(str(_l("%(line)d行目と同じメールアドレスです。", line=seen[email])))
        seen.setdefault(email, line)
        rows.append(CsvRow(line, AwardInput(email=email, name=name, evidence_url=evidence, narrative=narrative),
                           tuple(errors)))  # fmt: skip
    return rows


def to_csv(rows: list[CsvRow]) -> str:
    """The valid rows as CSV again (carried from the preview to the confirmation)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        if row.is_valid:
            award = row.award
            writer.writerow([award.email, award.name, award.evidence_url, award.narrative])
    return buffer.getvalue()
