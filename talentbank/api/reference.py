"""Reference data over the API: the DSS skill taxonomy and Hokkaido's municipalities."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from pydantic import Field

from talentbank import db
from talentbank.api.core import bp, operation, params
from talentbank.api.schemas import Out, PageQuery, Query, page_of, paginate
from talentbank.errors import Invalid
from talentbank.reference import services


class SkillOut(Out):
    code: str = Field(description="DSS item code, e.g. dssp2-36")
    standard: str = Field(description="DSS-P (practitioners) or DSS-L (literacy)")
    name_ja: str
    name_en: str
    category_ja: str
    category_en: str
    subcategory_ja: str | None
    subcategory_en: str | None
    tags: list[str] = Field(description="tool tags (kintone, Python, …) mapped to this item")
    url: str = Field(description="the skill's page, also the alignment target of badges")


SkillPage = page_of(SkillOut, "SkillPage")


class SkillQuery(PageQuery):
    q: str = Field("", max_length=100, description="words in the name, category or a tool tag (ja or en)")
    per_page: int = Field(50, ge=1, le=200)


def skill_out(skill) -> SkillOut:
    return SkillOut(
        code=skill.code,
        standard=skill.standard,
        name_ja=skill.name_ja,
        name_en=skill.name_en,
        category_ja=skill.category_ja,
        category_en=skill.category_en,
        subcategory_ja=skill.subcategory_ja,
        subcategory_en=skill.subcategory_en,
        tags=[tag.name for tag in skill.tags],
        url=url_for("reference.skill", code=skill.code, _external=True),
    )


@bp.get("/skills")
@operation(tag="reference", public=True, query=SkillQuery, ok=SkillPage)
def list_skills():
    """List or search the DSS skill taxonomy"""
    query = params()
    return paginate([skill_out(skill) for skill in services.search_skills(db.session, query.q)], query)


@bp.get("/skills/<code>")
@operation(tag="reference", public=True, ok=SkillOut)
def get_skill(code: str):
    """One skill of the taxonomy"""
    return skill_out(services.get_skill(db.session, code[:16]))


class MunicipalityOut(Out):
    code: str = Field(description="全国地方公共団体コード (6 digits, with check digit)")
    name_ja: str
    name_kana: str
    name_romaji: str
    type: str
    subprefecture: str = Field(description="振興局 slug, e.g. kamikawa")
    subprefecture_ja: str
    subprefecture_en: str
    office_lat: float
    office_lng: float


class MunicipalityList(Out):
    items: list[MunicipalityOut]


class MunicipalityQuery(Query):
    subprefecture: str | None = Field(None, max_length=20, description="only this 振興局 (slug)")


@bp.get("/municipalities")
@operation(tag="reference", public=True, query=MunicipalityQuery, ok=MunicipalityList)
def list_municipalities():
    """Hokkaido's 179 municipalities, grouped by subprefecture order (an unknown subprefecture is a 422,
    as in the project search)"""
    wanted = params().subprefecture
    subprefectures = services.subprefectures_with_municipalities(db.session)
    if wanted is not None and wanted not in {sub.slug for sub in subprefectures}:
        raise Invalid.on("subprefecture", _("振興局を一覧から選んでください。"))
    items = [
        MunicipalityOut(
            code=m.code,
            name_ja=m.name_ja,
            name_kana=m.name_kana,
            name_romaji=m.name_romaji,
            type=m.type,
            subprefecture=sub.slug,
            subprefecture_ja=sub.name_ja,
            subprefecture_en=sub.name_en,
            office_lat=m.office_lat,
            office_lng=m.office_lng,
        )
        for sub in subprefectures
        if wanted in {None, sub.slug}
        for m in sub.municipalities
    ]
    return MunicipalityList(items=items)
