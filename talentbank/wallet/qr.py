"""The offer as a QR code: inline SVG drawn by segno (no image files, no network)."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(text: str) -> Markup:
    """An SVG <svg> element for `text` (error correction M, 4 px modules, no XML declaration)."""
    code = segno.make(text, error="m", micro=False)
    svg = code.svg_inline(scale=4, border=2, dark="#000", light="#fff")
    return Markup(svg)  # noqa: S704 - segno's own SVG of our offer URI: no user markup inside
