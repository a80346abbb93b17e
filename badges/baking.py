"""Bake credentials into badge images and extract them (OB 3.0 §5.3 "Badge Baking").

PNG: one ``iTXt`` chunk, keyword ``openbadgecredential``, uncompressed, inserted before
``IEND`` (an existing one is replaced); text = credential JSON or compact JWS.
SVG: ``<openbadges:credential>`` (xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0") as the
first child of ``<svg>``: JSON in CDATA, or a JWS in the ``verify`` attribute.

Extraction is defensive: size limits, PNG CRCs checked, and SVGs are read with expat
directly, refusing entity declarations, internal DTD subsets and external references
(no entity expansion, nothing fetched; the protections defusedxml would add).
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from badges.errors import BakingError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
# Open Badges 2.0 baking (OB 2.0 Baking Specification): PNG iTXt (or legacy tEXt holding the hosted URL)
# with keyword ``openbadges``; SVG ``<openbadges:assertion>`` in the namespace ``http://openbadges.org``.
OB2_PNG_KEYWORD = b"openbadges"
OB2_NAMESPACE = "http://openbadges.org"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MAX_SVG_DEPTH = 256
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
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _is_credential_chunk(kind: bytes, data: bytes, keyword: bytes = PNG_KEYWORD) -> bool:
    return kind == b"iTXt" and data.split(b"\0", 1)[0] == keyword


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
    """The baked credential text (JSON or JWS) of a PNG; BakingError if there is none.

    An OB 3.0 ``openbadgecredential`` chunk is read first; else the first OB 2.0 ``openbadges`` iTXt
    chunk (an assertion's JSON or JWS), else a legacy ``openbadges`` tEXt chunk (a hosted assertion URL).
    """
    chunks = _png_chunks(png)
    for keyword in (PNG_KEYWORD, OB2_PNG_KEYWORD):
        for kind, data in chunks:
            if _is_credential_chunk(kind, data, keyword):
                return _itxt_text(data).strip()
    for kind, data in chunks:
        if kind == b"tEXt" and data.split(b"\0", 1)[0] == OB2_PNG_KEYWORD:
            return data.split(b"\0", 1)[1][:MAX_CREDENTIAL_BYTES].decode("latin-1").strip()
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
        if end == -1 or "[" in upper[start:end] or upper.find("<!DOCTYPE", start + 1) != -1:
            raise BakingError("SVG with an internal DTD subset refused")


@dataclass
class _SvgScan:
    """What one expat pass over an SVG found: the root tag and the first credential element."""

    root: str = ""
    depth: int = 0
    inside_credential: bool = False
    found: bool = False
    verify_attribute: str = ""
    text: list[str] = field(default_factory=list)


# The first of these is the baked credential: OB 3.0's element, or OB 2.0's (whose ``verify`` holds a JWS or
# the hosted assertion's URL, and whose body, if any, the assertion's JSON).
_SVG_ELEMENTS = (f"{OB_NAMESPACE} credential", f"{OB2_NAMESPACE} assertion")


def _refuse(*_args: object) -> None:
    raise BakingError("SVG entity or external reference refused")


def _refuse_external(_context: str, _base: str | None, _system: str | None, _public: str | None) -> int:
    raise BakingError("SVG external reference refused")


def _scan_svg(svg: str) -> _SvgScan:
    """Parse with expat directly: DTD internal subsets, entity declarations and external
    references raise (the protections defusedxml adds); nothing is fetched or expanded."""
    _check_svg_safe(svg)
    scan = _SvgScan()
    parser = expat.ParserCreate(namespace_separator=" ")

    def on_doctype(_name: str, _system: str | None, _public: str | None, has_internal_subset: int) -> None:
        if has_internal_subset:
            _refuse()

    def on_start(tag: str, attributes: dict[str, str]) -> None:
        scan.depth += 1
        if scan.depth > MAX_SVG_DEPTH:
            raise BakingError("SVG nested too deeply")
        if not scan.root:
            scan.root = tag
        if tag in _SVG_ELEMENTS and not scan.found:
            scan.found, scan.inside_credential = True, True
            scan.verify_attribute = attributes.get("verify", "")

    def on_end(tag: str) -> None:
        scan.depth -= 1
        if tag in _SVG_ELEMENTS:
            scan.inside_credential = False

    def on_text(data: str) -> None:
        if scan.inside_credential:
            scan.text.append(data)

    parser.StartDoctypeDeclHandler = on_doctype
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse_external
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = on_text
    try:
        parser.Parse(svg, True)
    except expat.ExpatError as error:
        raise BakingError("SVG does not parse") from error
    if scan.root not in (f"{SVG_NAMESPACE} svg", "svg"):
        raise BakingError("root element is not <svg>")
    return scan


def extract_svg(svg: str | bytes) -> str:
    """The baked credential text (JWS from ``verify``, else the element text) of an SVG."""
    try:
        text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    except UnicodeDecodeError as error:
        raise BakingError("SVG is not UTF-8") from error
    scan = _scan_svg(text)
    if not scan.found:
        raise BakingError("no openbadges:credential element", code="not_baked")
    value = scan.verify_attribute.strip()
    content = "".join(scan.text).strip()
    if value.count(".") == 2 and not value.startswith(("https://", "http://")):
        return value
    if not content and value.startswith(("https://", "http://")):
        return value  # OB 2.0: a hosted assertion's URL
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
    _scan_svg(svg)
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
    _scan_svg(baked)
    return baked


def extract_credential(image: bytes) -> str:
    """Credential text from PNG or SVG bytes (sniffed by content, not by file name)."""
    if image.startswith(PNG_SIGNATURE):
        return extract_png(image)
    return extract_svg(image)


_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def read_credential_file(data: bytes) -> str:
    """Credential text (JSON or compact JWS) from a file a holder has: a baked PNG or SVG, a JSON document
    (``credential.json``) or a VC-JWT (``credential.jwt``). Sniffed by content, not by file name;
    BakingError (code ``not_a_credential_file``) for anything else, ``not_baked`` for an image without one.

    The JSON is returned as text, not parsed, so the caller reads pasted and uploaded JSON alike.
    """
    if data.startswith(PNG_SIGNATURE):
        return extract_png(data)
    if len(data) > MAX_IMAGE_BYTES:
        raise BakingError("file too large")
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError as error:
        raise BakingError("neither a PNG nor UTF-8 text", code="not_a_credential_file") from error
    if text.startswith("<"):
        return extract_svg(text)
    if len(text.encode("utf-8")) > MAX_CREDENTIAL_BYTES:
        raise BakingError("credential file too large", code="not_a_credential_file")
    if text.startswith("{") or _COMPACT_JWS.fullmatch(text):
        return text
    raise BakingError("not a badge image, JSON object or compact JWS", code="not_a_credential_file")
