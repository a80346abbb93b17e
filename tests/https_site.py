"""Loopback HTTPS servers for tests that reach other sites through the app's real fetcher: a self-signed
certificate for a host name, a threaded server for it on 127.0.0.1, and a handler serving JSON documents
by path. Used by the fetch limits (tests/web/test_fetch.py), the OB 2.0 example site (tests/ob2_site.py)
and the jose key forms (tests/interop/test_jwk_kids.py)."""

from __future__ import annotations

import datetime
import json
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def certificate(host: str) -> tuple[bytes, bytes]:
    """A self-signed certificate for `host` (PEM) and its key (PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def serve_https(handler, host: str, folder) -> tuple[ThreadingHTTPServer, ssl.SSLContext]:
    """A threaded HTTPS server on 127.0.0.1 for `host` (a self-signed certificate written to `folder`),
    serving in the background, and a client TLS context that trusts it."""
    cert, key = certificate(host)
    (folder / "cert.pem").write_bytes(cert)
    (folder / "key.pem").write_bytes(key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, ssl.create_default_context(cadata=cert.decode())


def json_handler(
    answer: Callable[[str], tuple[int, Any] | None], *, content_type: str = "application/json"
) -> type[BaseHTTPRequestHandler]:
    """A handler answering each GET with `answer(path)`: (status, JSON document), or None for a bare 404."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            found = answer(self.path)
            if found is None:
                self.send_response(404)
                self.end_headers()
                return
            status, document = found
            body = json.dumps(document, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler
