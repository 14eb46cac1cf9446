"""A local RFC 3161 time-stamping authority for tests: ``openssl ts -reply`` behind HTTP.

``make_tsa(dir)`` creates a root CA and a TSA certificate (extendedKeyUsage critical
timeStamping) with ``openssl``; ``serve_tsa(pki)`` answers POSTed time-stamp requests on
127.0.0.1 by piping each into ``openssl ts -reply``. Nothing is mocked.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

CNF = """[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = {dir}/serial
crypto_device = builtin
signer_cert = {dir}/tsa.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass(frozen=True)
class Pki:
    dir: Path
    chain: Path  # TSA certificate + root (what SOCZAKAZ_AUDIT_TSA_CERTS points to)
    config: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_tsa(folder: Path, name: str = "Test TSA") -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    _openssl(
        "req",
        "-x509",
        *ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "3650",
        "-subj",
        f"/CN={name} Root CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )
    _openssl(
        "req", *ec, "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", f"/CN={name}", cwd=folder
    )
    (folder / "tsa.ext").write_text(
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=critical,timeStamping\n",
        encoding="utf-8",
    )
    _openssl(
        "x509",
        "-req",
        "-in",
        "tsa.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "tsa.pem",
        "-days",
        "3650",
        "-extfile",
        "tsa.ext",
        cwd=folder,
    )
    (folder / "serial").write_text("01\n", encoding="utf-8")
    config = folder / "tsa.cnf"
    config.write_text(CNF.format(dir=folder), encoding="utf-8")
    chain = folder / "tsa-chain.pem"
    chain.write_bytes((folder / "tsa.pem").read_bytes() + (folder / "ca.pem").read_bytes())
    return Pki(folder, chain, config)


def reply(pki: Pki, query: bytes) -> bytes:
    """``openssl ts -reply`` for one DER request."""
    with tempfile.TemporaryDirectory() as tmp:
        q, r = Path(tmp) / "q.tsq", Path(tmp) / "r.tsr"
        q.write_bytes(query)
        _openssl(
            "ts",
            "-reply",
            "-config",
            str(pki.config),
            "-queryfile",
            str(q),
            "-out",
            str(r),
            cwd=pki.dir,
        )
        return r.read_bytes()


@contextmanager
def serve_tsa(pki: Pki) -> Iterator[str]:
    """The TSA on 127.0.0.1; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = self.rfile.read(int(self.headers["Content-Length"]))
            body = reply(pki, query)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    srv = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}/tsa"
    finally:
        srv.shutdown()
        srv.server_close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens (the TSA is down)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"
