from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talentbank.db import Base


class Subprefecture(Base):
    """One of Hokkaido's 14 振興局 / 総合振興局."""

    __tablename__ = "subprefectures"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(20), unique=True)  # "ishikari"
    name_ja: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(40))
    seat_ja: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int]

    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="subprefecture", order_by="Municipality.code"
    )


class Municipality(Base):
    """A Hokkaido city, town or village, keyed by its 全国地方公共団体コード (6 digits with check digit)."""

    __tablename__ = "municipalities"

    code: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    code5: Mapped[str] = mapped_column(sa.String(5), unique=True)
    name_ja: Mapped[str] = mapped_column(sa.String(20))
    district_ja: Mapped[str | None] = mapped_column(sa.String(20))
    name_kana: Mapped[str] = mapped_column(sa.String(40))
    name_romaji: Mapped[str] = mapped_column(sa.String(60))
    type: Mapped[str] = mapped_column(sa.String(20))
    subprefecture_id: Mapped[int] = mapped_column(sa.ForeignKey("subprefectures.id"), index=True)
    office_lat: Mapped[float]
    office_lng: Mapped[float]
    website: Mapped[str | None] = mapped_column(sa.String(200))

    subprefecture: Mapped[Subprefecture] = relationship(back_populates="municipalities")

    @property
    def name_en(self) -> str:
        """Romanised name; a machine transliteration, see data/MUNICIPALITIES.md."""
        return self.name_romaji
