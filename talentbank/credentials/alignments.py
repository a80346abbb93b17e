"""What imports read from another issuer's badge, alike for OB 3.0 and OB 2.0: which DSS skills its
alignments name, and the names shown for it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.models import Skill

MAX_ALIGNMENTS = 50


def _alignment_list(alignments: Any) -> list[dict[str, Any]]:
    if isinstance(alignments, dict):  # JSON-LD: a single value may stand without its list
        alignments = [alignments]
    if not isinstance(alignments, list):
        return []
    return [a for a in alignments[:MAX_ALIGNMENTS] if isinstance(a, dict)]


def _code_of(alignment: dict[str, Any], known: set[str]) -> str | None:
    """The DSS item an alignment names: its targetCode, or a targetUrl ending in /skills/<code>."""
    code = alignment.get("targetCode")
    url = alignment.get("targetUrl")
    if code not in known and isinstance(url, str) and "/skills/" in url:
        code = url.rstrip("/").rsplit("/", 1)[-1]
    return code if code in known else None


def dss_skills(session: Session, alignments: Any, levels: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """DSS skills the alignments name, each once at its highest level (`levels` maps a targetUrl to a
    level; 1 where none is given)."""
    known = set(session.scalars(sa.select(Skill.code)))
    found: dict[str, int] = {}
    for alignment in _alignment_list(alignments):
        code = _code_of(alignment, known)
        if code is not None:
            url = alignment.get("targetUrl")
            level = (levels or {}).get(url, 1) if isinstance(url, str) else 1
            found[code] = max(level, found.get(code, 0))
    return [{"code": code, "level": level} for code, level in found.items()]


def other_alignments(session: Session, alignments: Any, *, limit: int = 20) -> list[dict[str, str]]:
    """The alignments that name no DSS item, as {"name", "url"}: shown with the badge, never counted as a
    verified skill."""
    known = set(session.scalars(sa.select(Skill.code)))
    others = []
    for alignment in _alignment_list(alignments):
        name = alignment.get("targetName") or alignment.get("targetCode") or alignment.get("targetUrl")
        url = alignment.get("targetUrl")
        if _code_of(alignment, known) is None and isinstance(name, str) and name.strip():
            others.append({"name": name.strip()[:200], "url": url[:500] if isinstance(url, str) else ""})
    return others[:limit]


def text_of(value: Any, key: str = "name") -> str:
    """A name to show (an object's `key`, else its id), at most 200 characters; "—" when there is none."""
    if isinstance(value, dict):
        value = value.get(key) or value.get("id")
    return str(value)[:200] if value else "—"
