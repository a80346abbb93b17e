"""Bake credentials into badge images and extract them (OB 3.0 §5.3 "Badge Baking").

PNG: one ``iTXt`` chunk, keyword ``openbadgecredential``, uncompressed, inserted before
``IEND`` (an existing one is replaced); text = credential JSON or compact JWS.
SVG: ``<openbadges:credential>`` (xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0") as the
first child of ``<svg>``: JSON in CDATA, or a JWS in the ``verify`` attribute.

Extraction is defensive: size limits, PNG CRCs checked, and SVGs with entity declarations
or an internal DTD subset are refused before the stdlib parser sees them (no entity
expansion, nothing fetched).
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any
from xml.etree import ElementTree

from badges.errors import BakingError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_CREDENTIAL_BYTES = 1024 * 1024

Credential = dict[str, Any] | str


def _credential_text(credential: Credential) -> str:
    if isinstance(credential, dict):
        return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    token = credential.strip()
    if token.count(".") != 2 or any(c.isspace() for c in token):
        raise BakingError("a string credential must be a compact JWS")
    return token


def _png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, CRCs checked; BakingError on anything malformed."""
    if len(png) > MAX_IMAGE_BYTES:
        raise BakingError("image too large")
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG")
    chunks: list[tuple[bytes, bytes]] = []
    offset = len(PNG_SIGNATURE)
    while offset < len(png):
        if offset + 12 > len(png):
            raise BakingError("truncated PNG chunk")
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(png):
            raise BakingError("truncated PNG chunk")
        data = png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[end - 4 : end])
        if zlib.crc32(kind + data) != crc:
            raise BakingError("PNG chunk CRC mismatch")
        chunks.append((kind, data))
        offset = end
        if kind == b"IEND":
            break
    if not chunks or chunks[-1][0] != b"IEND":
        raise BakingError("PNG has no IEND chunk")
    return chunks


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data))
    )


def _is_credential_chunk(kind: bytes, data: bytes) -> bool:
    return kind == b"iTXt" and data.split(b"\0", 1)[0] == PNG_KEYWORD


def bake_png(png: bytes, credential: Credential) -> bytes:
    """PNG bytes carrying ``credential`` (dict → JSON, str → JWS) in an iTXt chunk."""
    text = _credential_text(credential).encode("utf-8")
    if len(text) > MAX_CREDENTIAL_BYTES:
        raise BakingError("credential too large to bake")
    kept = [(k, d) for k, d in _png_chunks(png) if not _is_credential_chunk(k, d)]
    # iTXt: keyword \0 compression-flag(0) method(0) language \0 translated-keyword \0 text
    itxt = PNG_KEYWORD + b"\0\0\0" + b"\0" + b"\0" + text
    body = b"".join(_chunk(k, d) for k, d in kept[:-1])
    return PNG_SIGNATURE + body + _chunk(b"iTXt", itxt) + _chunk(*kept[-1])


def _itxt_text(data: bytes) -> str:
    try:
        _keyword, rest = data.split(b"\0", 1)
        flag, method, rest = rest[0], rest[1], rest[2:]
        _language, _translated, text = rest.split(b"\0", 2)
    except (ValueError, IndexError) as error:
        raise BakingError("malformed iTXt chunk") from error
    if flag == 1:
        if method != 0:
            raise BakingError("unknown iTXt compression")
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, MAX_CREDENTIAL_BYTES + 1)
        except zlib.error as error:
            raise BakingError("bad compressed iTXt") from error
    if len(text) > MAX_CREDENTIAL_BYTES:
        raise BakingError("baked credential too large")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BakingError("baked credential is not UTF-8") from error


def extract_png(png: bytes) -> str:
    """The baked credential text (JSON or JWS) of a PNG; BakingError if there is none."""
    for kind, data in _png_chunks(png):
        if _is_credential_chunk(kind, data):
            return _itxt_text(data).strip()
    raise BakingError("no openbadgecredential iTXt chunk", code="not_baked")


def _check_svg_safe(svg: str) -> None:
    if len(svg.encode("utf-8")) > MAX_IMAGE_BYTES:
        raise BakingError("image too large")
    upper = svg.upper()
    if "<!ENTITY" in upper:
        raise BakingError("SVG with entity declarations refused")
    start = upper.find("<!DOCTYPE")
    if start != -1:
        end = upper.find(">", start)
        if (
            end == -1
            or "[" in upper[start:end]
            or upper.find("<!DOCTYPE", start + 1) != -1
        ):
            raise BakingError("SVG with an internal DTD subset refused")


def _parse_svg(svg: str) -> ElementTree.Element:
    _check_svg_safe(svg)
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise BakingError("SVG does not parse") from error
    if root.tag not in ("{http://www.w3.org/2000/svg}svg", "svg"):
        raise BakingError("root element is not <svg>")
    return root


def extract_svg(svg: str | bytes) -> str:
    """The baked credential text (JWS from ``verify``, else the element text) of an SVG."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    root = _parse_svg(text)
    element = root.find(f"{{{OB_NAMESPACE}}}credential")
    if element is None:
        element = next(root.iter(f"{{{OB_NAMESPACE}}}credential"), None)
    if element is None:
        raise BakingError("no openbadges:credential element", code="not_baked")
    value = (element.get("verify") or "").strip()
    if value.count(".") == 2:
        return value
    content = (element.text or "").strip()
    if not content:
        raise BakingError("empty openbadges:credential element", code="not_baked")
    return content


def _root_start_tag_end(svg: str) -> int:
    """Index just past the ``>`` of the root ``<svg ...>`` start tag (quotes respected)."""
    position = svg.find("<svg")
    if position == -1:
        raise BakingError("no <svg> element")
    quote = ""
    for index in range(position, len(svg)):
        char = svg[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == ">":
            return index + 1
    raise BakingError("unterminated <svg> tag")


def _without_credential(svg: str) -> str:
    while (start := svg.find("<openbadges:credential")) != -1:
        closing = svg.find("</openbadges:credential>", start)
        self_closing = svg.find("/>", start)
        tag_end = svg.find(">", start)
        if self_closing != -1 and self_closing + 1 == tag_end:
            svg = svg[:start] + svg[tag_end + 1 :]
        elif closing != -1:
            svg = svg[:start] + svg[closing + len("</openbadges:credential>") :]
        else:
            raise BakingError("malformed openbadges:credential element")
    return svg


def bake_svg(svg: str, credential: Credential) -> str:
    """SVG text carrying ``credential``: JWS in ``verify``, JSON in CDATA (§5.3.2)."""
    _parse_svg(svg)
    text = _credential_text(credential)
    svg = _without_credential(svg)
    end = _root_start_tag_end(svg)
    start_tag = svg[:end]
    if "xmlns:openbadges=" not in start_tag[start_tag.find("<svg") :]:
        start_tag = start_tag[:-1].rstrip("/ ") + f' xmlns:openbadges="{OB_NAMESPACE}">'
    if isinstance(credential, dict):
        cdata = text.replace("]]>", "]]]]><![CDATA[>")
        element = f"<openbadges:credential><![CDATA[{cdata}]]></openbadges:credential>"
    else:
        element = f'<openbadges:credential verify="{text}"/>'
    baked = start_tag + element + svg[end:]
    _parse_svg(baked)
    return baked


def extract_credential(image: bytes) -> str:
    """Credential text from PNG or SVG bytes (sniffed by content, not by file name)."""
    if image.startswith(PNG_SIGNATURE):
        return extract_png(image)
    return extract_svg(image)
