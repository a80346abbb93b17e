"""Badge images uploaded by issuers: validated and made harmless before they are stored.

PNG: decoded by Pillow under a pixel limit (decompression bombs are refused), then re-encoded as a
fresh PNG of at most 512×512, which drops EXIF and every other ancillary chunk.
SVG: parsed with expat refusing DTDs and entities, then rebuilt from an allow-list of drawing
elements and attributes: no script, no foreignObject, no event handlers, no external references.
"""

from __future__ import annotations

import io
import warnings
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from flask_babel import lazy_gettext as _l
from PIL import Image

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_PIXELS = 4096 * 4096
OUTPUT_SIZE = 512
SVG_NS = "http://www.w3.org/2000/svg"
SVG_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "title", "desc",
    "defs", "linearGradient", "radialGradient", "stop", "clipPath", "use",
}  # fmt: skip
SVG_ATTRIBUTES = {
    "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
    "stroke-opacity", "opacity", "transform", "font-size", "font-family", "font-weight", "text-anchor", "id",
    "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "clip-path", "clipPathUnits",
    "preserveAspectRatio", "href",
}  # fmt: skip


class UploadError(ValueError):
    """The upload is refused; the message is for the person."""


def clean_png(data: bytes) -> bytes:
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(str(_l("画像は1MBまでにしてください。")))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format != "PNG":
                raise UploadError(str(_l("PNGかSVGの画像を選んでください。")))
            if image.width * image.height > MAX_PIXELS:
                raise UploadError(str(_l("画像の大きさ（ピクセル数）が大きすぎます。")))
            image.load()
    except (OSError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UploadError(str(_l("画像を読み取れませんでした。"))) from error
    image = image.convert("RGBA")
    image.thumbnail((OUTPUT_SIZE, OUTPUT_SIZE))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)  # a new file: no EXIF, no text chunks
    return buffer.getvalue()


def _safe_value(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if name == "href":
        return lowered.startswith("#")  # only references inside the same image
    return "url(" not in lowered or lowered.startswith("url(#")


def clean_svg(data: bytes) -> str:
    """The SVG rebuilt from the allow-list; raises UploadError for anything that is not a plain drawing."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(str(_l("画像は1MBまでにしてください。")))
    parts: list[str] = []
    depth_stack: list[bool] = []
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_args):
        raise UploadError(str(_l("DTDや実体参照を含むSVGは使えません。")))

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse

    def start(tag: str, attributes: dict[str, str]) -> None:
        namespace, _, local = tag.rpartition(" ")
        keep = (namespace in ("", SVG_NS)) and local in SVG_ELEMENTS and all(depth_stack or [True])
        depth_stack.append(keep)
        if not keep:
            return
        kept = []
        for name, value in attributes.items():
            attr_ns, _, attr_local = name.rpartition(" ")
            if attr_ns not in ("", "http://www.w3.org/1999/xlink") or attr_local not in SVG_ATTRIBUTES:
                continue
            if _safe_value(attr_local, value):
                kept.append(f" {attr_local}={quoteattr(value)}")
        extra = f' xmlns="{SVG_NS}"' if local == "svg" and not parts else ""
        parts.append(f"<{local}{extra}{''.join(kept)}>")

    def end(tag: str) -> None:
        if depth_stack.pop():
            parts.append(f"</{tag.rpartition(' ')[2]}>")

    def text(value: str) -> None:
        if depth_stack and all(depth_stack):
            parts.append(escape(value))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise UploadError(str(_l("SVGとして読み取れませんでした。"))) from error
    if not parts or not parts[0].startswith("<svg"):
        raise UploadError(str(_l("SVGとして読み取れませんでした。")))
    return "".join(parts)
