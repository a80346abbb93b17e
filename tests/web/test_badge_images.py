"""Uploaded badge images are validated and neutralised (SC-14)."""

import io
import struct
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image

from talentbank.models import Achievement
from tests.web.test_credentials import ACHIEVEMENT, school, setup_issuer  # noqa: F401  (fixture)


def png_bytes(size=(64, 64), *, exif_gps: bool = False) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, "#0b5f8a")
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (43.0, 3.0, 0.0)}  # GPSInfo
        image.save(buffer, format="PNG", exif=exif)
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png() -> bytes:
    """A tiny file that claims 30000×30000 pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)
    raw = zlib.compress(b"\x00" * (30001 * 10))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def upload(client, school, name: str, data: bytes):  # noqa: F811
    return client.post(
        f"/orgs/{school.public_id}/achievements/new",
        data={**ACHIEVEMENT, "image": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_png_is_reencoded_without_metadata(client, db, login, school):  # noqa: F811
    setup_issuer(client, login, school)
    response = upload(client, school, "badge.png", png_bytes((2000, 1000), exif_gps=True))
    assert response.status_code == 302
    stored = db.scalar(sa.select(Achievement)).image_png
    image = Image.open(io.BytesIO(stored))
    assert image.size == (512, 256)
    assert b"eXIf" not in stored and b"Exif" not in stored and not image.getexif()
    served = client.get(f"/achievements/{db.scalar(sa.select(Achievement)).public_id}/image.png")
    assert served.data == stored and "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"


SVG_ATTACKS = [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="5"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">'
    b'<img src="x" onerror="alert(1)"/></div></foreignObject></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    b'<use xlink:href="https://evil.example/x.svg#a"/><image href="https://evil.example/track.png"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>click</text></a></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/x.css)</style>'
    b'<rect style="fill:url(https://evil.example/x)" fill="url(https://evil.example/y)"/></svg>',
]


@pytest.mark.parametrize("attack", SVG_ATTACKS)
def test_svg_keeps_only_drawing(client, db, login, school, attack):  # noqa: F811
    setup_issuer(client, login, school)
    assert upload(client, school, "badge.svg", attack).status_code == 302
    stored = db.scalar(sa.select(Achievement)).image_svg.lower()
    for bad in [
        "script",
        "onload",
        "onerror",
        "foreignobject",
        "evil.example",
        "javascript:",
        "<style",
        "<image",
        "<a ",
    ]:
        assert bad not in stored, bad


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bomb.png", bomb_png()),
        ("fake.png", b"<html><script>alert(1)</script></html>"),
        ("badge.png", b"GIF89a" + b"\x00" * 100),
        (
            "entity.svg",
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        ),
        ("laughs.svg", b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><svg>&lol2;</svg>'),
        ("broken.svg", b"<svg><circle"),
        ("notsvg.svg", b"<html><body>hi</body></html>"),
        ("badge.gif", png_bytes()),
        ("big.png", b"\x89PNG" + b"\x00" * (1024 * 1024 + 10)),
    ],
)
def test_bad_images_are_refused_and_nothing_saved(client, db, login, school, name, data):  # noqa: F811
    setup_issuer(client, login, school)
    response = upload(client, school, name, data)
    assert response.status_code == 422, name
    assert db.scalar(sa.select(sa.func.count()).select_from(Achievement)) == 0


def test_body_over_the_request_limit_is_413(client, db, login, school):  # noqa: F811
    setup_issuer(client, login, school)
    assert upload(client, school, "huge.png", b"\x00" * (3 * 1024 * 1024)).status_code == 413
