"""Default badge images: a PNG drawn with Pillow (for baking) and an SVG with the badge name."""

from __future__ import annotations

import hashlib
import io
import math
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw

PALETTE = ["#0b5f8a", "#2f8f5b", "#8a5a00", "#6b3fa0", "#b42318", "#0f766e", "#1d4ed8", "#9a3412"]
SIZE = 400


def badge_colour(seed: str) -> str:
    return PALETTE[hashlib.sha256(seed.encode()).digest()[0] % len(PALETTE)]


def _hexagon(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    angles = [math.pi / 6 + i * math.pi / 3 for i in range(6)]
    return [(cx + radius * math.cos(angle), cy + radius * math.sin(angle)) for angle in angles]


def default_png(seed: str) -> bytes:
    """A hexagonal badge with a check mark, coloured from `seed` (no text: no font needed)."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    colour = badge_colour(seed)
    draw.polygon(_hexagon(SIZE / 2, SIZE / 2, 190), fill=colour)
    draw.polygon(_hexagon(SIZE / 2, SIZE / 2, 160), fill="#ffffff")
    draw.polygon(_hexagon(SIZE / 2, SIZE / 2, 145), fill=colour)
    draw.line([(130, 205), (180, 255), (275, 150)], fill="#ffffff", width=28, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def default_svg(seed: str, name: str) -> str:
    """The same badge as SVG with the badge name under the mark (text escaped)."""
    colour = badge_colour(seed)
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in _hexagon(200, 170, 150))
    inner = " ".join(f"{x:.1f},{y:.1f}" for x, y in _hexagon(200, 170, 118))
    label = escape(name[:40])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400">'
        f'<polygon points="{points}" fill="{colour}"/>'
        f'<polygon points="{inner}" fill="#ffffff"/>'
        f'<polyline points="135,170 180,215 270,125" fill="none" stroke="{colour}" stroke-width="26" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
        f'<text x="200" y="370" font-size="24" text-anchor="middle" fill="#1c2430" '
        f'font-family="Noto Sans CJK JP, sans-serif">{label}</text>'
        "</svg>"
    )
