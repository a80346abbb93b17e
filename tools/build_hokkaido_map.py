"""Build talentbank/data/hokkaido_subprefectures.json: SVG outlines of Hokkaido's 14 subprefectures.

Run by hand (not at run time, not in the test suite) when the boundaries or the drawing change:

    pip download --no-deps -d /tmp/reversejp reversejp==0.1.1
    python3 -m venv /tmp/mapvenv && /tmp/mapvenv/bin/pip install shapely
    /tmp/mapvenv/bin/python tools/build_hokkaido_map.py /tmp/reversejp/reversejp-0.1.1-*.whl

The source is the Japan Meteorological Agency's 予報区等GISデータ (「市町村等（土砂災害警戒情報）」, one
polygon per municipality, a few split in parts), as embedded in the MIT-licensed PyPI package
`reversejp` 0.1.1: its native module carries the JMA GeoJSON files in a ZIP archive, which this script
reads straight from the wheel. Municipalities are merged per 振興局 using talentbank/data/municipalities.csv
(the JMA code's first five digits are the 標準地域コード), simplified, projected and written as SVG path data.
Licence and credit: talentbank/data/HOKKAIDO_MAP.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import struct
import zipfile
import zlib
from pathlib import Path

from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import polylabel, unary_union

ROOT = Path(__file__).resolve().parent.parent
MUNICIPALITIES = ROOT / "talentbank" / "data" / "municipalities.csv"
OUTPUT = ROOT / "talentbank" / "data" / "hokkaido_subprefectures.json"
SOURCE_FILE = "landslides_0.json"  # the one of the embedded files that holds Hokkaido

WIDTH = 560  # px of the drawing; the height follows from the projection
MARGIN = 8
CENTRAL_LATITUDE = 43.5  # equirectangular projection true at this latitude (fine for Hokkaido's ~4°)
SIMPLIFY_DEGREES = 0.003  # ~300 m: a third of a pixel at this size
SMALLEST_ISLAND_DEGREES2 = 0.0015  # drop islets smaller than ~10 km² (they would be a dot)


def embedded_geojson(wheel: Path, name: str) -> dict:
    """The JSON file `name` from the ZIP archive inside reversejp's native module."""
    with zipfile.ZipFile(wheel) as archive:
        module = next(n for n in archive.namelist() if n.endswith(".so"))
        binary = archive.read(module)
    start = 0
    while (start := binary.find(b"PK\x03\x04", start)) >= 0:
        header = struct.unpack("<IHHHHHIIIHH", binary[start : start + 30])
        method, size, name_length, extra_length = header[3], header[7], header[9], header[10]
        file_name = binary[start + 30 : start + 30 + name_length].decode("utf-8", "replace")
        if file_name == name:
            body = binary[start + 30 + name_length + extra_length :][:size]
            return json.load(io.BytesIO(zlib.decompress(body, -15) if method == 8 else body))
        start += 4
    raise SystemExit(f"{name} not found in {wheel}")


def subprefecture_of() -> dict[str, str]:
    with MUNICIPALITIES.open(encoding="utf-8") as f:
        return {row["code5"]: row["subprefecture_en"].lower() for row in csv.DictReader(f)}


def merge(source: dict, regions: dict[str, str]) -> dict[str, MultiPolygon]:
    parts: dict[str, list] = {}
    seen: set[str] = set()
    for feature in source["features"]:
        code5 = feature["properties"]["code"][:5]
        if code5 not in regions:
            continue  # other prefectures
        seen.add(code5)
        parts.setdefault(regions[code5], []).append(shape(feature["geometry"]).buffer(0))
    missing = set(regions) - seen
    if missing:
        raise SystemExit(f"municipalities without a polygon: {sorted(missing)}")
    # A hair of buffer closes the slivers between neighbours' rounded coordinates.
    merged = {slug: unary_union(p).buffer(0.0005).buffer(-0.0005) for slug, p in parts.items()}
    return {slug: as_multipolygon(geometry) for slug, geometry in merged.items()}


def polygons(geometry) -> list[Polygon]:
    return list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]


def as_multipolygon(geometry) -> MultiPolygon:
    # Holes are dropped too: a lake is still the subprefecture's for a choropleth.
    return MultiPolygon([Polygon(p.exterior) for p in polygons(geometry) if p.area >= SMALLEST_ISLAND_DEGREES2])


def path_data(geometry) -> str:
    """SVG path data: one closed subpath per polygon, relative moves, one decimal."""
    commands = []
    for polygon in polygons(geometry):
        points = [(round(x, 1), round(y, 1)) for x, y in polygon.exterior.coords[:-1]]
        deduplicated = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        if len(deduplicated) < 3:
            continue
        x0, y0 = deduplicated[0]
        steps = [f"M{x0:g} {y0:g}"]
        previous = (x0, y0)
        for x, y in deduplicated[1:]:
            steps.append(f"{round(x - previous[0], 1):g} {round(y - previous[1], 1):g}")
            previous = (x, y)
        commands.append(steps[0] + "l" + " ".join(steps[1:]) + "z")
    return "".join(commands).replace(" -", "-")


def build(wheel: Path) -> dict:
    regions = subprefecture_of()
    merged = merge(embedded_geojson(wheel, SOURCE_FILE), regions)
    simplified = {slug: g.simplify(SIMPLIFY_DEGREES, preserve_topology=True) for slug, g in merged.items()}
    everything = unary_union(list(simplified.values()))
    west, south, east, north = everything.bounds
    x_scale = math.cos(math.radians(CENTRAL_LATITUDE))
    scale = (WIDTH - 2 * MARGIN) / ((east - west) * x_scale)
    height = round((north - south) * scale + 2 * MARGIN)

    def project(geometry):
        moved = affinity.translate(geometry, -west, -north)
        return affinity.affine_transform(moved, [x_scale * scale, 0, 0, -scale, MARGIN, MARGIN])

    subprefectures = []
    for slug in sorted(simplified):
        drawn = project(simplified[slug])
        largest = max(polygons(drawn), key=lambda p: p.area)
        label = polylabel(largest, tolerance=0.5)
        subprefectures.append({"slug": slug, "d": path_data(drawn), "label": [round(label.x), round(label.y)]})
    return {
        "source": "気象庁 予報区等GISデータ「市町村等（土砂災害警戒情報）」via reversejp 0.1.1; see HOKKAIDO_MAP.md",
        "width": WIDTH,
        "height": height,
        "subprefectures": subprefectures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="reversejp-0.1.1 wheel (pip download --no-deps reversejp==0.1.1)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    drawing = build(args.wheel)
    text = json.dumps(drawing, ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"{args.output}: {len(drawing['subprefectures'])} subprefectures, {len(text) / 1024:.0f} kB")


if __name__ == "__main__":
    main()
