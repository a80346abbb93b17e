from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale

from talentbank import db
from talentbank.dashboard import services
from talentbank.opendata.definitions import MIN_CELL
from talentbank.web import current_actor

bp = Blueprint("dashboard", __name__)

BAR_WIDTH = 420  # px of the longest bar in the bar charts
MAP_WIDTH, MAP_HEIGHT = 520, 440
# The box of Hokkaido's municipal offices (with a margin), in degrees: west, east, south, north.
MAP_BOX = (139.2, 146.2, 41.2, 45.7)
SHORTAGE = ("#fde0c5", "#f59e4c", "#c2410c")  # gap > 0, light to strong
SURPLUS = ("#d6e6f5", "#7fb0dc", "#1f5f99")  # gap < 0
BALANCED, WITHHELD = "#eef0f2", "#b8bec6"


def _name(item) -> str:
    return item.name_en if str(get_locale()) == "en" else item.name_ja


def _short_name(region) -> str:
    """石狩振興局 → 石狩 for the map's small labels (English names are short already)."""
    if str(get_locale()) == "en":
        return region.name_en
    return region.name_ja.removesuffix("総合振興局").removesuffix("振興局")


def _signed(gap: int | None) -> str | None:
    return None if gap is None else f"{gap:+d}" if gap else "0"


def _bars(rows) -> dict:
    """Geometry of a two-bar-per-row chart (people, open projects), scaled to the largest shown value."""
    largest = max([f.people or 0 for _, f in rows] + [f.projects for _, f in rows] + [1])
    return {
        "height": 36 * len(rows) + 30,
        "rows": [
            {
                "label": _name(item),
                "y": 36 * index + 4,
                "people": f.people,
                "people_width": round(BAR_WIDTH * (f.people or 0) / largest),
                "projects": f.projects,
                "projects_width": round(BAR_WIDTH * f.projects / largest),
            }
            for index, (item, f) in enumerate(rows)
        ],
    }


def _gap_colour(gap: int | None, largest: int) -> str:
    if gap is None:
        return WITHHELD
    if gap == 0:
        return BALANCED
    scale = SHORTAGE if gap > 0 else SURPLUS
    step = min(2, 3 * abs(gap) // (largest + 1))
    return scale[step]


def _map(dashboard: services.Dashboard) -> list[dict]:
    figures = {region.slug: f for region, f in dashboard.by_region}
    largest = max([abs(f.gap) for f in figures.values() if f.gap is not None] + [0])
    west, east, south, north = MAP_BOX
    marks = []
    for region in dashboard.regions:
        f = figures.get(region.slug)
        colour = _gap_colour(f.gap, largest) if f else BALANCED
        marks.append(
            {
                "slug": region.slug,
                "label": _short_name(region),
                "x": round((region.lng - west) / (east - west) * MAP_WIDTH),
                "y": round((north - region.lat) / (north - south) * MAP_HEIGHT),
                "gap": _signed(f.gap) if f else None,
                "is_shown": f is not None,
                "colour": colour,
                "text_colour": "#ffffff" if colour in (SHORTAGE[2], SURPLUS[2]) else "#1c2430",
            }
        )
    return marks


@bp.get("/supply-demand")
def index():
    dashboard = services.summarise_supply_demand(
        db.session,
        current_actor(),
        category=request.args.get("category", type=str),
        subprefecture=request.args.get("subprefecture", type=str),
        period=request.args.get("period", type=str),
    )
    return render_template(
        "dashboard/index.html",
        dashboard=dashboard,
        name=_name,
        periods=list(services.PERIODS),
        region_chart=_bars(dashboard.by_region),
        category_chart=_bars(dashboard.by_category),
        map_marks=_map(dashboard),
        map_size=(MAP_WIDTH, MAP_HEIGHT),
        legend={"shortage": SHORTAGE[2], "surplus": SURPLUS[2], "balanced": BALANCED, "withheld": WITHHELD},
        bar_width=BAR_WIDTH,
        min_cell=MIN_CELL,
    )
