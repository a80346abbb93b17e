"""Fetching issuer documents (did:web DID documents, status lists) from other sites, safely.

HTTPS only; the host must resolve to public addresses only (no loopback, private, link-local or
reserved ranges), and the connection goes to the address that was checked (no DNS rebinding);
5 s timeout; at most 100 kB; redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 5
MAX_BYTES = 100 * 1024


class FetchError(Exception):
    """The document could not be fetched safely; the message says why (no secrets in it)."""


def _public_address(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchError(f"cannot resolve {host}") from error
    addresses = {info[4][0] for info in infos}
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            raise FetchError(f"{host} resolves to a non-public address")
    return sorted(addresses)[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a pre-checked IP address, verifying the certificate for the host name."""

    def __init__(self, host: str, address: str, port: int) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_json(url: str) -> dict[str, Any]:
    """GET `url` and parse it as a JSON object, under the limits above."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise FetchError("not a URL") from None
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise FetchError("only plain https URLs are fetched")
    host = parts.hostname
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise FetchError("IP-address URLs are not fetched")
    port = parts.port or 443
    connection = _PinnedHTTPSConnection(host, _public_address(host, port), port)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("GET", path, headers={"Accept": "application/json, application/ld+json"})
        response = connection.getresponse()
        if response.status != 200:
            raise FetchError(f"HTTP {response.status}")
        body = response.read(MAX_BYTES + 1)
    except (OSError, http.client.HTTPException) as error:
        raise FetchError(f"fetch failed: {type(error).__name__}") from error
    finally:
        connection.close()
    if len(body) > MAX_BYTES:
        raise FetchError("document larger than 100 kB")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FetchError("not JSON") from error
    if not isinstance(document, dict):
        raise FetchError("not a JSON object")
    return document
