from __future__ import annotations

import json
from functools import cache
from importlib import resources

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from talentbank import db
from talentbank.dashboard import services
from talentbank.opendata.definitions import MIN_CELL
from talentbank.web import current_actor

bp = Blueprint("dashboard", __name__)

SHORTAGE = ("#fde0c5", "#f59e4c", "#c2410c")  # gap > 0, light to strong
SURPLUS = ("#d6e6f5", "#7fb0dc", "#1f5f99")  # gap < 0
BALANCED, WITHHELD, OUTSIDE = "#eef0f2", "#b8bec6", "#ffffff"
LEGEND_HEIGHT = 64  # px below the map for the legend


@cache
def hokkaido_map() -> dict:
    """The subprefecture outlines (talentbank/data/hokkaido_subprefectures.json, see HOKKAIDO_MAP.md)."""
    text = resources.files("talentbank.data").joinpath("hokkaido_subprefectures.json").read_text(encoding="utf-8")
    return json.loads(text)


def _name(item) -> str:
    return item.name_en if str(get_locale()) == "en" else item.name_ja


def _short_name(region) -> str:
    """石狩振興局 → 石狩 for the map's small labels (English names are short already)."""
    if str(get_locale()) == "en":
        return region.name_en
    return region.name_ja.removesuffix("総合振興局").removesuffix("振興局")


def _signed(gap: int | None) -> str | None:
    return None if gap is None else f"{gap:+d}" if gap else "0"


def _chart(rows) -> dict:
    """What the page's JSON block hands Chart.js for one bar chart: labels and one series per figure."""
    return {
        "labels": [_name(item) for item, _f in rows],
        "series": [
            {"key": "people", "label": _("人数（供給）"), "values": [f.people for _i, f in rows]},
            {"key": "verified_people", "label": _("うち認証済み"), "values": [f.verified_people for _i, f in rows]},
            {"key": "seats", "label": _("募集人数（需要）"), "values": [f.seats for _i, f in rows]},
        ],
    }


def _unmet_chart(unmet) -> dict:
    """Seats asking for skills no learning nearby teaches, per subprefecture (most first)."""
    seats: dict = {}
    for need in unmet:
        seats[need.region] = seats.get(need.region, 0) + need.seats
    regions = sorted(seats, key=lambda r: -seats[r])
    return {
        "labels": [_name(r) for r in regions],
        "series": [{"key": "seats", "label": _("募集人数（需要）"), "values": [seats[r] for r in regions]}],
    }


def _gap_colour(gap: int | None, largest: int) -> str:
    if gap is None:
        return WITHHELD
    if gap == 0:
        return BALANCED
    scale = SHORTAGE if gap > 0 else SURPLUS
    step = min(2, 3 * abs(gap) // (largest + 1))
    return scale[step]


def _map(dashboard: services.Dashboard) -> dict:
    """The gap map: one filled outline per subprefecture, its label and its accessible name."""
    drawing = hokkaido_map()
    outlines = {s["slug"]: s for s in drawing["subprefectures"]}
    figures = {region.slug: f for region, f in dashboard.by_region}
    largest = max([abs(f.gap) for f in figures.values() if f.gap is not None] + [0])
    regions = []
    for region in dashboard.regions:
        f = figures.get(region.slug)
        colour = _gap_colour(f.gap, largest) if f else OUTSIDE
        gap = _signed(f.gap) if f else None
        if f is None:
            description = _("%(name)s：絞り込みの対象外", name=_name(region))
        elif gap is None:
            description = _("%(name)s：ギャップは秘匿（募集人数 %(seats)s）", name=_name(region), seats=f.seats)
        else:
            description = _("%(name)s：ギャップ %(gap)s（募集人数 %(seats)s、人数 %(people)s）",
                            name=_name(region), gap=gap, seats=f.seats, people=f.people)  # fmt: skip
        outline = outlines[region.slug]
        regions.append(
            {
                "slug": region.slug,
                "d": outline["d"],
                "x": outline["label"][0],
                "y": outline["label"][1],
                "label": _short_name(region),
                "gap": gap,
                "is_shown": f is not None,
                "colour": colour,
                "text_colour": "#ffffff" if colour in (SHORTAGE[2], SURPLUS[2]) else "#1c2430",
                "description": description,
            }
        )
    width, height = drawing["width"], drawing["height"]
    scale = [
        (SHORTAGE[2], _("人材不足（大）")),
        (SHORTAGE[0], _("人材不足")),
        (BALANCED, _("均衡")),
        (SURPLUS[0], _("人材が多い")),
        (SURPLUS[2], _("人材が多い（大）")),
    ]
    other = [(WITHHELD, _("秘匿")), (OUTSIDE, _("絞り込みの対象外"))]
    step = width // len(scale)
    legend = [{"colour": c, "label": label, "x": i * step, "y": height + 8} for i, (c, label) in enumerate(scale)]
    legend += [{"colour": c, "label": label, "x": i * step, "y": height + 36} for i, (c, label) in enumerate(other)]
    return {"width": width, "height": height + LEGEND_HEIGHT, "regions": regions, "legend": legend}


@bp.get("/supply-demand")
def index():
    dashboard = services.summarise_supply_demand(
        db.session,
        current_actor(),
        category=request.args.get("category", type=str),
        subprefecture=request.args.get("subprefecture", type=str),
        period=request.args.get("period", type=str),
    )
    charts = {
        "subprefecture": _chart(dashboard.by_region),
        "category": _chart(dashboard.by_category),
        "unmet": _unmet_chart(dashboard.unmet),
        "withheld": _("秘匿"),
    }
    return render_template(
        "dashboard/index.html",
        dashboard=dashboard,
        name=_name,
        periods=list(services.PERIODS),
        charts=charts,
        gap_map=_map(dashboard),
        min_cell=MIN_CELL,
    )
