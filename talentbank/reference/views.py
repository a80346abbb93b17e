from __future__ import annotations

from itertools import groupby

from flask import Blueprint, render_template, request
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


@bp.get("/skills/<code>")
def skill(code: str):
    return render_template("reference/skill.html", skill=services.get_skill(db.session, code))


@bp.get("/municipalities")
def municipalities():
    return render_template(
        "reference/municipalities.html", subprefectures=services.subprefectures_with_municipalities(db.session)
    )
