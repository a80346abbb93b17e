"""Baking into PNG and SVG, extraction, and the 1EdTech baked fixtures."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from badges_support import FIXTURES, NOW, resolver, signed_di, signed_jwt
from PIL import Image

from badges import (
    BakingError,
    bake_png,
    bake_svg,
    extract_credential,
    extract_png,
    extract_svg,
    read_credential_file,
    verify,
)

SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" '
    'height="64" viewBox="0 0 64 64"><circle cx="32" cy="32" r="30" fill="#0a6"/></svg>\n'
)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (32, 32), (0, 160, 100, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_png_round_trip_json_and_jwt_and_replacement() -> None:
    credential = signed_di()
    baked = bake_png(_png(), credential)
    assert json.loads(extract_png(baked)) == credential
    assert Image.open(io.BytesIO(baked)).size == (32, 32)  # still a valid PNG
    token = signed_jwt()
    rebaked = bake_png(baked, token)
    assert extract_png(rebaked) == token
    assert rebaked.count(b"openbadgecredential") == 1
    assert rebaked.index(b"iTXt") < rebaked.index(b"IEND")
    assert verify(extract_credential(rebaked), now=NOW, resolve_document=resolver()).verified


def test_svg_round_trip_json_and_jwt_and_replacement() -> None:
    credential = signed_di()
    baked = bake_svg(SVG, credential)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert "<![CDATA[" in baked
    assert json.loads(extract_svg(baked)) == credential
    token = signed_jwt()
    rebaked = bake_svg(baked, token)
    assert rebaked.count("<openbadges:credential") == 1
    assert f'verify="{token}"' in rebaked
    assert extract_svg(rebaked) == token
    assert verify(extract_credential(rebaked.encode()), now=NOW, resolve_document=resolver()).verified


def test_cdata_terminator_in_json_survives() -> None:
    baked = bake_svg(SVG, {"name": "tricky ]]> value"})
    assert json.loads(extract_svg(baked)) == {"name": "tricky ]]> value"}


def test_1edtech_baked_fixtures_extract() -> None:
    png_token = extract_png((FIXTURES / "simple-jwt.png").read_bytes())
    svg_token = extract_svg((FIXTURES / "simple-jwt.svg").read_bytes())
    assert png_token.count(".") == 2 and svg_token.count(".") == 2
    svg_json = json.loads(extract_svg((FIXTURES / "simple-json.svg").read_bytes()))
    assert "OpenBadgeCredential" in svg_json["type"]
    # Their JWT header embeds a jwk and the payload uses aud/iat (README pitfall): read, not trusted.
    assert not verify(png_token, now=NOW).verified


def test_svg_with_entities_or_internal_subset_refused() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
    )
    external = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    )
    for hostile in (laughs, external):
        with pytest.raises(BakingError):
            extract_svg(hostile)
        with pytest.raises(BakingError):
            bake_svg(hostile, {"a": 1})


def test_not_baked_and_malformed_images() -> None:
    with pytest.raises(BakingError) as error:
        extract_png(_png())
    assert error.value.code == "not_baked"
    with pytest.raises(BakingError):
        extract_svg(SVG)
    with pytest.raises(BakingError):
        extract_png(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 2**31) + b"IHDR")
    broken_crc = bytearray(bake_png(_png(), {"a": 1}))
    broken_crc[-20] ^= 0xFF
    with pytest.raises(BakingError):
        extract_png(bytes(broken_crc))
    with pytest.raises(BakingError):
        extract_svg("<html/>")
    with pytest.raises(BakingError):
        bake_png(_png(), "not a jws")


def test_compressed_itxt_is_read_with_a_limit() -> None:
    png = _png()
    text = zlib.compress(b'{"a": 1}')
    data = b"openbadgecredential\0\1\0\0\0" + text
    chunk = struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    baked = png[:-12] + chunk + png[-12:]
    assert json.loads(extract_png(baked)) == {"a": 1}
    bomb = zlib.compress(b" " * (8 * 1024 * 1024))
    data = b"openbadgecredential\0\1\0\0\0" + bomb
    chunk = struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    with pytest.raises(BakingError):
        extract_png(png[:-12] + chunk + png[-12:])


def test_expat_layer_refuses_entities_even_without_the_text_precheck(monkeypatch) -> None:
    import badges.baking as baking

    monkeypatch.setattr(baking, "_check_svg_safe", lambda svg: None)
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
    )
    with pytest.raises(BakingError):
        baking.extract_svg(laughs)
    public_dtd = (FIXTURES / "simple-json.svg").read_text()  # DOCTYPE without internal subset: fine
    assert "OpenBadgeCredential" in baking.extract_svg(public_dtd)


def test_credential_files_are_read_by_content_whatever_their_name() -> None:
    credential = signed_di()
    token = signed_jwt()
    as_json = json.dumps(credential, ensure_ascii=False, indent=2)
    assert json.loads(read_credential_file(as_json.encode())) == credential
    assert json.loads(read_credential_file(b"\xef\xbb\xbf\n" + as_json.encode() + b"\n")) == credential  # BOM
    assert read_credential_file(token.encode() + b"\r\n") == token
    assert read_credential_file(bake_png(_png(), token)) == token
    assert json.loads(read_credential_file(bake_svg(SVG, credential).encode())) == credential
    assert verify(read_credential_file(token.encode()), now=NOW, resolve_document=resolver()).verified


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "not_a_credential_file"),
        (b"\x00\x01\x02\xff garbage", "not_a_credential_file"),
        ("ただのメモです".encode(), "not_a_credential_file"),
        (b"[1, 2, 3]", "not_a_credential_file"),
        (b"a.b", "not_a_credential_file"),
        (b"aaa.bbb.ccc ddd", "not_a_credential_file"),
        (b"{" + b" " * (1024 * 1024) + b"}", "not_a_credential_file"),
        (_png(), "not_baked"),
        (SVG.encode(), "not_baked"),
    ],
)
def test_files_that_hold_no_credential_are_refused(data: bytes, code: str) -> None:
    with pytest.raises(BakingError) as error:
        read_credential_file(data)
    assert error.value.code == code
