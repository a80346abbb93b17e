from __future__ import annotations

from itertools import groupby

from flask import Blueprint, jsonify, render_template, request
from flask_babel import get_locale

from talentbank import db
from talentbank.reference import services

bp = Blueprint("reference", __name__)


@bp.get("/skills")
def skills():
    query = request.args.get("q", "")[:100]
    english = str(get_locale()) == "en"
    found = services.search_skills(db.session, query)
    groups = [
        {"title": title, "skills": list(items)}
        for title, items in groupby(
            found,
            key=lambda s: " / ".join(
                part
                for part in ((s.category_en, s.subcategory_en) if english else (s.category_ja, s.subcategory_ja))
                if part
            ),
        )
    ]
    return render_template("reference/skills.html", groups=groups, query=query)


@bp.get("/skills/search.json")
def skills_json():
    """Suggestions for the skill picker: Japanese and English names and tool tags, at most 20."""
    query = request.args.get("q", "")[:100]
    english = str(get_locale()) == "en"
    found = services.search_skills(db.session, query)[:20] if query.strip() else []
    return jsonify(
        [
            {
                "code": skill.code,
                "name": skill.name_en if english else skill.name_ja,
                "other_name": skill.name_ja if english else skill.name_en,
                "category": skill.category_en if english else skill.category_ja,
                "tags": [tag.name for tag in skill.tags],
            }
            for skill in found
        ]
    )


@bp.get("/skills/<code>")
def skill(code: str):
    return render_template("reference/skill.html", skill=services.get_skill(db.session, code))


@bp.get("/municipalities")
def municipalities():
    return render_template(
        "reference/municipalities.html", subprefectures=services.subprefectures_with_municipalities(db.session)
    )
