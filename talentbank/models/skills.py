from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talentbank.db import Base


class Skill(Base):
    """An item of the DSS skill taxonomy (DSS-P v2.0, DSS-P v1.x or DSS-L): the controlled vocabulary."""

    __tablename__ = "skills"

    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # "dssp2-36"
    standard: Mapped[str] = mapped_column(sa.String(10))  # "DSS-P" / "DSS-L"
    version: Mapped[str] = mapped_column(sa.String(60))
    category_no: Mapped[str | None] = mapped_column(sa.String(4))
    category_ja: Mapped[str] = mapped_column(sa.String(60))
    category_en: Mapped[str] = mapped_column(sa.String(80))
    subcategory_no: Mapped[str | None] = mapped_column(sa.String(8))
    subcategory_ja: Mapped[str | None] = mapped_column(sa.String(60))
    subcategory_en: Mapped[str | None] = mapped_column(sa.String(120))
    name_ja: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    role_types: Mapped[str | None] = mapped_column(sa.String(40))
    source_status: Mapped[str | None] = mapped_column(sa.String(200))
    # Only current vocabulary items can be chosen for new profiles, needs and badges.
    is_selectable: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int]

    tags: Mapped[list[ToolTag]] = relationship(secondary="tool_tag_skills", back_populates="skills", viewonly=True)


class ToolTag(Base):
    """A common tool or technology name (Python, kintone, GIS...) that people type, mapped onto DSS items."""

    __tablename__ = "tool_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    aliases: Mapped[str] = mapped_column(sa.String(300), default="")  # "|"-separated spellings, JA and EN

    skills: Mapped[list[Skill]] = relationship(secondary="tool_tag_skills", back_populates="tags", viewonly=True)


class ToolTagSkill(Base):
    __tablename__ = "tool_tag_skills"

    tag_id: Mapped[int] = mapped_column(sa.ForeignKey("tool_tags.id", ondelete="CASCADE"), primary_key=True)
    skill_code: Mapped[str] = mapped_column(sa.ForeignKey("skills.code", ondelete="CASCADE"), primary_key=True)
