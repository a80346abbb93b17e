"""The one rule for text that enters talentbank, wherever it comes from (a form, a JSON body, a query
string, a CSV row, an imported credential).

Text refuses NUL, the other C0 and C1 control characters and DEL, lone surrogates and the Unicode
non-characters (U+FDD0..U+FDEF and the last two code points of every plane). Tab, newline and carriage
return are allowed only where the field is multi-line. PostgreSQL cannot store NUL at all, and none of
the others is something a person meant to write: refusing them at the boundary keeps them out of pages,
CSV files and signed credentials alike.

The check is pure (no Flask, no database); `message` gives the sentence in the request's language.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_NEVER = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS
_MULTI_LINE = re.compile(f"[{_NEVER}]")
_SINGLE_LINE = re.compile(f"[{_NEVER}\t\n\r]")


def unreadable_character(value: Any, *, multiline: bool = False) -> str | None:
    """The first character `value` may not hold, or None. Lists and dicts (a parsed JSON document)
    are searched through, keys as well as values; other values (numbers, None, files) hold no text."""
    pattern = _MULTI_LINE if multiline else _SINGLE_LINE
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found = pattern.search(item)
            if found:
                return found.group()
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return None


def code_point(character: str) -> str:
    """How a message names a character: U+0000."""
    return f"U+{ord(character):04X}"


def message(field: str, character: str) -> str:
    """The sentence for a field that holds `character`, in the request's language."""
    if character in "\t\n\r":
        return _("「%(field)s」は1行で入力してください（タブや改行は使えません）。", field=field)
    return _("「%(field)s」に使えない文字（%(code)s）が含まれています。", field=field, code=code_point(character))
