"""The published file formats: CSV (UTF-8 with BOM, so Excel opens Japanese correctly) and JSON (a
Frictionless tabular data resource with inline data).

Town offices open the CSV files in spreadsheet programs, which run a cell starting with `=`, `+`,
`-`, `@`, tab or carriage return as a formula (OWASP "CSV injection"). In the CSV files only, a text
cell that starts so gets a leading apostrophe, which spreadsheets read as "this is text"; numbers
(a negative one starts with `-`) are written as they are, and the JSON files keep the exact text.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from badges.datetimes import format_datetime
from talentbank.opendata.definitions import ATTRIBUTION_EN, ATTRIBUTION_JA, Dataset, Row
from talentbank.opendata.schemas import resource_fields, table_schema

FORMATS = ("csv", "json")
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_NOTE_JA = (
    "CSVファイルでは、表計算ソフトが数式として実行しないよう、= + - @ タブ 復帰 で始まる文字列のセルの"
    "先頭にアポストロフィ（'）を付けています。JSONファイルは元の文字列のままです。"
)
FORMULA_NOTE_EN = (
    "In the CSV files, a text cell that starts with =, +, -, @, a tab or a carriage return has an apostrophe (') "
    "put before it, so that spreadsheet programs do not run it as a formula; the JSON files hold the exact text."
)


def spreadsheet_safe(text: str) -> str:
    """`text` as a spreadsheet reads it as text: with a leading apostrophe if it would start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def iso_seconds(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):  # before date: a datetime is a date
        return format_datetime(value)  # Table Schema's default datetime format is XSD's, in UTC
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value)
    return value.isoformat() if isinstance(value, date) else value


def render_csv(dataset: Dataset, rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(dataset.field_names)
    is_text = [field.type == "string" for field in dataset.fields]
    for row in rows:
        cells = [_csv_value(row[name]) for name in dataset.field_names]
        writer.writerow([spreadsheet_safe(cell) if text else cell for cell, text in zip(cells, is_text, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


def render_json(dataset: Dataset, rows: list[Row], *, base_url: str, generated_at: datetime) -> bytes:
    document = {
        **resource_fields(dataset),
        "profile": "tabular-data-resource",
        "generated_at": iso_seconds(generated_at),
        "attribution": {"ja": ATTRIBUTION_JA, "en": ATTRIBUTION_EN},
        "schema": table_schema(dataset.name),
        "data": [{name: _json_value(row[name]) for name in dataset.field_names} for row in rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
