"""Reading CSV files that people upload: what spreadsheet programs in Japan save them as."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MAX_CSV_BYTES = 1024 * 1024


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or Shift_JIS (cp932, what Excel writes in Japan); ValueError otherwise."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(str(_l("CSVの文字コードを読み取れません（UTF-8かShift_JISで保存してください）。")))
