"""The published file formats: CSV (UTF-8 with BOM, so Excel opens Japanese correctly) and JSON (a
Frictionless tabular data resource with inline data)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from badges.model import format_datetime
from talentbank.opendata.definitions import ATTRIBUTION_EN, ATTRIBUTION_JA, Dataset, Row
from talentbank.opendata.schemas import resource_fields, table_schema

FORMATS = ("csv", "json")
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}


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
    for row in rows:
        writer.writerow([_csv_value(row[name]) for name in dataset.field_names])
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
