"""The fetcher for other issuers' documents never reaches internal addresses (SC-32)."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from talentbank.credentials.fetch import FetchError, fetch_json


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
    thread = threading.Thread(target=server.serve_forever, daemon=True)
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
