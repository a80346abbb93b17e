"""Fetching issuer documents (did:web DID documents, status lists) from other sites, safely.

HTTPS only; the host must resolve to public addresses only (no loopback, private, link-local or
reserved ranges), and the connection goes to the address that was checked (no DNS rebinding);
at most 5 s in total (connect, TLS handshake, headers and body: a server that drips bytes is cut off
at the deadline, not per read); at most 100 kB; redirects are not followed.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 5
MAX_BYTES = 100 * 1024


class FetchError(Exception):
    """The document could not be fetched safely; the message says why (no secrets in it). `status` is the
    HTTP status of an answer that was not 200 (an OB 2.0 hosted assertion answers 410 when revoked)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


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


class _Deadline:
    """The moment a fetch must be over; every blocking step gets only the time that is left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self._ends - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        return left


class _DeadlineReader(io.RawIOBase):
    """The response stream of a socket: each read may wait only until the deadline (http.client reads the
    status line, headers and body through it)."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        # The socket's own stream keeps it open until the response is read (http.client closes the
        # connection early for responses that end with the connection).
        self._stream = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:  # type: ignore[override]
        self._sock.settimeout(self._deadline.remaining())
        return self._stream.readinto(buffer)

    def close(self) -> None:
        self._stream.close()
        super().close()


class _DeadlineSocket:
    """A connected TLS socket whose response stream keeps to the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._deadline.remaining())
        self._sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a pre-checked IP address, verifying the certificate for the host name."""

    def __init__(self, host: str, address: str, port: int, deadline: _Deadline, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=deadline.seconds, context=context)
        self._address = address
        self._deadline = deadline

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self._deadline.remaining())
        try:
            # One timeout bounds the whole handshake (CPython counts it down across the handshake's reads).
            sock.settimeout(self._deadline.remaining())
            tls = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
        except BaseException:
            sock.close()
            raise
        self.sock = _DeadlineSocket(tls, self._deadline)


def fetch_json(
    url: str,
    *,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
    resolve: Callable[[str, int], str] = _public_address,
    tls: ssl.SSLContext | None = None,
) -> dict[str, Any]:
    """GET `url` and parse it as a JSON object, under the limits above.

    `timeout` (seconds) is the deadline for the whole fetch, `max_bytes` the largest body read. `resolve`
    maps (host, port) to the address to connect to and refuses non-public ones; `tls` is the client's TLS
    context (the system's trust store by default). The app always uses the defaults; tests replace
    `resolve` and `tls` to reach a local server.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or 443
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
    deadline = _Deadline(timeout)  # name resolution counts too (getaddrinfo itself cannot be cut short)
    address = resolve(host, port)
    connection = _PinnedHTTPSConnection(host, address, port, deadline, tls or ssl.create_default_context())
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("GET", path, headers={"Accept": "application/json, application/ld+json"})
        response = connection.getresponse()
        if response.status != 200:
            raise FetchError(f"HTTP {response.status}", status=response.status)
        declared = response.getheader("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"document larger than {max_bytes // 1024} kB")
        body = response.read(max_bytes + 1)
    except TimeoutError as error:
        raise FetchError(f"no complete answer within {timeout:g} s") from error
    except (OSError, http.client.HTTPException) as error:
        raise FetchError(f"fetch failed: {type(error).__name__}") from error
    finally:
        connection.close()
    if len(body) > max_bytes:
        raise FetchError(f"document larger than {max_bytes // 1024} kB")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise FetchError("not JSON") from error
    if not isinstance(document, dict):
        raise FetchError("not a JSON object")
    return document
