"""A loopback HTTPS site for example.org that publishes the Open Badges 2.0 specification's own examples
(tests/fixtures/openbadges2/), so the OB 2.0 import is tested through the app's real fetcher (its limits,
HTTPS, no redirects) with only the name resolution and the trust store pointed at the test server.

`ob2_site` (a fixture: import it into a test module) yields an `Ob2Site` whose documents a test may change;
it is wired into the app as `app.extensions["talentbank.fetch"]` for the test's duration.
"""

from __future__ import annotations

import hashlib
import io
import json
import ssl
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from openbadges_bakery import png_bakery, svg_bakery
from PIL import Image

from talentbank.credentials.fetch import fetch_json
from tests.https_site import json_handler, serve_https

FIXTURES = Path(__file__).parent / "fixtures" / "openbadges2"
HOST = "example.org"
ORIGIN = f"https://{HOST}"
HOSTED_URL = f"{ORIGIN}/beths-robotics-badge.json"
BADGE_URL = f"{ORIGIN}/robotics-badge.json"
ISSUER_URL = f"{ORIGIN}/organization.json"
KEY_URL = f"{ORIGIN}/publicKey.json"
REVOCATION_URL = f"{ORIGIN}/revocationList.json"
SALT = "deadsea"  # the salt of the spec's examples
DSS_SKILL = "dssp2-36"
DSS_ALIGNMENT = {
    "targetName": "機械学習・深層学習",
    "targetUrl": f"https://talent.example.jp/skills/{DSS_SKILL}",
    "targetCode": DSS_SKILL,
}
FUTURE = "2099-12-31T23:59:59Z"


def example(name: str) -> dict[str, Any]:
    """One of the specification's example documents, as a fresh dict."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def hashed_identity(email: str, salt: str = SALT) -> str:
    """The OB 2.0 IdentityHash of an e-mail address: sha256$ and the hex digest of address + salt."""
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


def assertion(email: str, *, name: str = "hosted-assertion", **changes: Any) -> dict[str, Any]:
    """The spec's example assertion, hashed for `email` (with the spec's salt), with `changes`."""
    document = example(name)
    document["recipient"] = {**document["recipient"], "identity": hashed_identity(email)}
    return {**document, **changes}


def signed_assertion(email: str, key: Any, *, algorithm: str = "RS256", **changes: Any) -> str:
    """The spec's signed assertion for `email` as a compact JWS (RS256 unless told), signed with `key`."""
    claims = assertion(email, name="signed-assertion-claims", **changes)
    payload = json.dumps(claims, ensure_ascii=False).encode()
    return jwt.api_jws.encode(payload, key, algorithm=algorithm, headers={"typ": None})


def published_key(key: rsa.RSAPrivateKey) -> dict[str, Any]:
    """The spec's example CryptographicKey, publishing the public half of `key`."""
    document = example("cryptographic-key")
    document["publicKeyPem"] = (
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    ).decode()
    return document


def example_documents(email: str, key: rsa.RSAPrivateKey) -> dict[str, dict[str, Any]]:
    """What example.org publishes, by URL: a current hosted badge for `email`, the spec's BadgeClass and
    issuer Profile, `key` as the issuer's CryptographicKey and the (example) revocation list."""
    return {
        HOSTED_URL: assertion(email, expires=FUTURE),
        BADGE_URL: example("badge-class"),
        ISSUER_URL: example("issuer"),
        KEY_URL: published_key(key),
        REVOCATION_URL: example("revocation-list"),
    }


def png_bytes() -> bytes:
    """A small plain PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (20, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def baked_png(text: str) -> bytes:
    """A PNG baked with `text` by 1EdTech's openbadges-bakery (not by us)."""
    return png_bakery.bake(io.BytesIO(png_bytes()), text, io.BytesIO()).getvalue()


def baked_svg(text: str) -> bytes:
    """An SVG baked with `text` by 1EdTech's openbadges-bakery (not by us)."""
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="3"/></svg>'
    return svg_bakery.bake(io.BytesIO(svg), text, io.BytesIO()).getvalue()


class Ob2Site:
    """What example.org publishes (path → status and JSON), and the issuer's RSA key."""

    assertion = staticmethod(assertion)

    def __init__(self, port: int, tls: ssl.SSLContext) -> None:
        self.port, self._tls = port, tls
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.documents: dict[str, tuple[int, dict[str, Any]]] = {}
        self.requests: list[str] = []

    def publish(self, url: str, document: dict[str, Any], status: int = 200) -> None:
        self.documents[url.removeprefix(ORIGIN)] = (status, document)

    def reset(self, email: str) -> None:
        """The example documents (`example_documents`) for `email`, the BadgeClass with a DSS alignment
        besides the spec's two."""
        self.documents.clear()
        self.requests.clear()
        for url, document in example_documents(email, self.key).items():
            self.publish(url, document)
        badge = self.documents[BADGE_URL.removeprefix(ORIGIN)][1]
        badge["alignment"] = [*badge["alignment"], DSS_ALIGNMENT]

    def signed(self, email: str, *, key: rsa.RSAPrivateKey | None = None, **changes: Any) -> str:
        """The spec's signed assertion for `email` as a compact JWS (RS256), signed with the issuer's key."""
        return signed_assertion(email, key or self.key, **changes)

    def fetch(self, url: str) -> dict[str, Any]:
        """The app's fetcher with its production limits, reaching this server for example.org."""
        local = url.replace(f"{ORIGIN}/", f"{ORIGIN}:{self.port}/", 1) if url.startswith(f"{ORIGIN}/") else url
        return fetch_json(local, resolve=lambda host, port: "127.0.0.1", tls=self._tls)


@pytest.fixture(scope="session")
def ob2_server(tmp_path_factory):
    site: list[Ob2Site] = []

    def answer(path: str) -> tuple[int, dict[str, Any]]:
        site[0].requests.append(path)
        return site[0].documents.get(path, (404, {"error": "not found"}))

    handler = json_handler(answer, content_type="application/ld+json")
    server, client_tls = serve_https(handler, HOST, tmp_path_factory.mktemp("ob2-tls"))
    site.append(Ob2Site(server.server_port, client_tls))
    yield site[0]
    server.shutdown()
    server.server_close()


@pytest.fixture
def ob2_site(app, ob2_server):
    """The example.org site, reset for no one in particular, as the app's fetcher for this test."""
    ob2_server.reset("nobody@example.jp")
    app.extensions["talentbank.fetch"] = ob2_server.fetch
    try:
        yield ob2_server
    finally:
        app.extensions.pop("talentbank.fetch", None)
        ob2_server.documents.clear()
