"""The fetcher for other issuers' documents never reaches internal addresses (SC-32), keeps to its
deadline whatever the server does, and reads at most 100 kB."""

import inspect
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from talentbank.credentials import fetch
from talentbank.credentials.fetch import FetchError, fetch_json
from tests.https_site import serve_https


@pytest.fixture
def sink():
    """A local server that records any request reaching it."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_port, hits
    server.shutdown()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.jp/did.json",  # not https
        "https://127.0.0.1:{port}/did.json",
        "https://localhost:{port}/did.json",
        "https://[::1]:{port}/did.json",
        "https://2130706433:{port}/did.json",  # 127.0.0.1 as a decimal number
        "https://0x7f000001:{port}/did.json",  # and in hex
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.1/did.json",
        "https://192.168.1.1/did.json",
        "https://user:pass@example.jp/did.json",
        "file:///etc/passwd",
        "ftp://example.jp/x",
        "https://[example.jp/did.json",  # not even a URL (urlsplit raises)
    ],
)
def test_internal_and_odd_urls_never_reach_anything(sink, url):
    port, hits = sink
    with pytest.raises(FetchError):
        fetch_json(url.format(port=port))
    assert hits == []


def test_names_resolving_to_private_addresses_are_refused(monkeypatch, sink):
    port, hits = sink

    def fake_getaddrinfo(host, port_number, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_number))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(FetchError, match="non-public"):
        fetch_json(f"https://issuer.example.jp:{port}/did.json")
    assert hits == []


# ---- limits, against a local HTTPS server -------------------------------------------------------------

HOST = "issuer.test"
DRIP_SECONDS = 0.05


def _json_of_size(size: int) -> bytes:
    body = json.dumps({"id": "did:web:issuer.test", "padding": ""}).encode()
    return body[:-2] + b"x" * (size - len(body)) + body[-2:]


@pytest.fixture(scope="module")
def https_sink(tmp_path_factory):
    """An HTTPS server for issuer.test on 127.0.0.1, and the way to reach it: a `resolve` that lets the
    loopback address through (tests only) and a TLS context trusting its certificate."""
    stopping = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def _drip(self, data: bytes) -> None:
            for byte in data:
                if stopping.wait(DRIP_SECONDS):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()

        def do_GET(self):
            try:
                if self.path == "/ok":
                    self._answer(b'{"id": "did:web:issuer.test"}')
                elif self.path.startswith("/size/"):
                    self._answer(_json_of_size(int(self.path.split("/")[2])), declare="declared" in self.path)
                elif self.path == "/drip-body":
                    self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n")
                    self._drip(b"{" + b" " * 10_000 + b"}")
                elif self.path == "/drip-headers":
                    self._drip(b"HTTP/1.0 200 OK\r\n" + b"X-Slow: " + b"a" * 10_000 + b"\r\n\r\n{}")
                elif self.path == "/silent":
                    stopping.wait(10)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass  # the fetcher hung up, as it should

        def _answer(self, body: bytes, *, declare: bool = True) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if declare:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server, client_tls = serve_https(Handler, HOST, tmp_path_factory.mktemp("tls"))
    port = server.server_port

    def get(path: str, **limits):
        return fetch_json(f"https://{HOST}:{port}{path}", resolve=lambda host, port: "127.0.0.1", tls=client_tls,
                          **limits)  # fmt: skip

    yield get
    stopping.set()
    server.shutdown()
    server.server_close()


def test_the_production_limits_are_5_seconds_and_100_kb():
    parameters = inspect.signature(fetch_json).parameters
    assert fetch.TIMEOUT_SECONDS == 5 and parameters["timeout"].default == 5
    assert fetch.MAX_BYTES == 100 * 1024 and parameters["max_bytes"].default == 100 * 1024
    assert parameters["resolve"].default is fetch._public_address  # loopback refused unless a test says otherwise
    assert parameters["tls"].default is None


def test_the_app_fetches_with_the_production_defaults(app):
    from talentbank.credentials.issuers import IssuerContext

    assert "talentbank.fetch" not in app.extensions
    assert IssuerContext.__dataclass_fields__["fetch"].default is fetch_json


def test_a_document_is_fetched_through_the_test_seam(https_sink):
    assert https_sink("/ok") == {"id": "did:web:issuer.test"}


@pytest.mark.parametrize("declared", [True, False])
def test_at_most_100_kb_is_read(https_sink, declared):
    flag = "declared" if declared else "undeclared"
    assert len(json.dumps(https_sink(f"/size/{100 * 1024}/{flag}"))) >= 100 * 1024 - 10
    with pytest.raises(FetchError, match="larger than 100 kB"):
        https_sink(f"/size/{100 * 1024 + 1}/{flag}")


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers", "/silent"])
def test_a_slow_server_is_cut_off_at_the_deadline(https_sink, path):
    """Each byte comes well within any per-read timeout; only a deadline for the whole fetch stops it."""
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"within 0\.5 s"):
        https_sink(path, timeout=0.5)
    assert time.monotonic() - started < 1.5
