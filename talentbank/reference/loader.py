"""Load the reference data shipped in `talentbank/data/` into the database, idempotently.

Re-running changes nothing when the files are unchanged; a changed file updates the rows it changes.
Sources and licences: data/MUNICIPALITIES.md, data/SKILLS.md and the NOTICE file.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from talentbank.models import Municipality, Skill, Subprefecture, ToolTag, ToolTagSkill

# The prefecture's own order of its 14 subprefectures (空知 first, 根室 last).
SUBPREFECTURE_ORDER = [
    "Sorachi", "Ishikari", "Shiribeshi", "Iburi", "Hidaka", "Oshima", "Hiyama",
    "Kamikawa", "Rumoi", "Soya", "Okhotsk", "Tokachi", "Kushiro", "Nemuro",
]  # fmt: skip


def read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("talentbank.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _upsert(session: Session, model: type, key: Any, values: dict[str, Any], counts: Counter[str]) -> Any:
    row = session.get(model, key)
    if row is None:
        row = model(**values)
        session.add(row)
        counts["created"] += 1
        return row
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    for name, value in changed.items():
        setattr(row, name, value)
    counts["updated" if changed else "unchanged"] += 1
    return row


def load_places(session: Session, counts: Counter[str]) -> None:
    rows = read_csv("municipalities.csv")
    existing = {s.slug: s for s in session.scalars(sa.select(Subprefecture))}
    for position, name_en in enumerate(SUBPREFECTURE_ORDER, start=1):
        sample = next(r for r in rows if r["subprefecture_en"] == name_en)
        values = {
            "slug": name_en.lower(),
            "name_ja": sample["subprefecture_ja"],
            "name_en": name_en,
            "seat_ja": sample["subprefecture_seat_ja"],
            "position": position,
        }
        subprefecture = existing.get(values["slug"])
        if subprefecture is None:
            subprefecture = Subprefecture(**values)
            session.add(subprefecture)
            existing[subprefecture.slug] = subprefecture
            counts["created"] += 1
        else:
            _upsert(session, Subprefecture, subprefecture.id, values, counts)
    session.flush()
    for row in rows:
        _upsert(
            session,
            Municipality,
            row["code"],
            {
                "code": row["code"],
                "code5": row["code5"],
                "name_ja": row["name_ja"],
                "district_ja": row["district_ja"] or None,
                "name_kana": row["name_kana"],
                "name_romaji": row["name_romaji"],
                "type": row["type"],
                "subprefecture_id": existing[row["subprefecture_en"].lower()].id,
                "office_lat": float(row["office_lat"]),
                "office_lng": float(row["office_lng"]),
                "website": row["website"] or None,
            },
            counts,
        )


def _skill_values(position: int, row: dict[str, str]) -> dict[str, Any]:
    return {
        "code": row["id"],
        "standard": row["standard"],
        "version": row["version"],
        "category_no": row["category_no"] or None,
        "category_ja": row["category_ja"],
        "category_en": row["category_en"],
        "subcategory_no": row["subcategory_no"] or None,
        "subcategory_ja": row["subcategory_ja"] or None,
        "subcategory_en": row["subcategory_en"] or None,
        "name_ja": row["item_ja"],
        "name_en": row["item_en"],
        "role_types": row["primary_role_types"] or None,
        "source_status": row["source_status"] or None,
        # DSS-P v2.0 and DSS-L are the vocabulary; v1.x items stay for reading older badges.
        "is_selectable": not row["id"].startswith("dssp1-"),
        "position": position,
    }


def load_skills(session: Session, counts: Counter[str]) -> None:
    for position, row in enumerate(read_csv("dss.csv"), start=1):
        _upsert(session, Skill, row["id"], _skill_values(position, row), counts)
    session.flush()
    tags = {t.slug: t for t in session.scalars(sa.select(ToolTag))}
    links = {(row[0], row[1]) for row in session.execute(sa.select(ToolTagSkill.tag_id, ToolTagSkill.skill_code))}
    for row in read_csv("tool_tags.csv"):
        values = {"slug": row["slug"], "name": row["name"], "aliases": row["aliases"]}
        tag = tags.get(row["slug"])
        if tag is None:
            tag = ToolTag(**values)
            session.add(tag)
            session.flush()
            counts["created"] += 1
        else:
            _upsert(session, ToolTag, tag.id, values, counts)
        _sync_links(session, tag, row["skill_codes"].split(";"), links, counts)


def _sync_links(
    session: Session, tag: ToolTag, codes: Iterable[str], links: set[tuple[int, str]], counts: Counter[str]
) -> None:
    wanted = {(tag.id, code) for code in codes}
    have = {link for link in links if link[0] == tag.id}
    for tag_id, code in wanted - have:
        session.add(ToolTagSkill(tag_id=tag_id, skill_code=code))
        counts["created"] += 1
    for tag_id, code in have - wanted:
        session.execute(sa.delete(ToolTagSkill).where(ToolTagSkill.tag_id == tag_id, ToolTagSkill.skill_code == code))
        counts["updated"] += 1


def load_reference_data(session: Session) -> Counter[str]:
    """Load municipalities, subprefectures, skills and tool tags; returns created/updated/unchanged counts."""
    counts: Counter[str] = Counter()
    load_places(session, counts)
    load_skills(session, counts)
    session.flush()
    return counts
