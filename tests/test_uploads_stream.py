"""Uploads are streamed and cut off (issue 14), against the real uvicorn server.

A chunked upload (no Content-Length) is answered 413 as soon as it passes the
limit, while the client is still sending; the server's RSS stays flat and no
evidence row, file or temporary file is left. A state-changing request with no
credential is answered 401 before a byte of its body is sent.
"""

from __future__ import annotations

import datetime as dt
import select
import socket
import time
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlalchemy.engine import Engine

from models import Evidence
from models.db import session_scope
from tests.live_server import rss_kib, serve, stop
from tests.web_fixtures import World
from web.auth_tokens import add_access_token
from web.server import free_port

pytest_plugins = ["tests.web_fixtures"]

LIMIT = 5 * 1024 * 1024
CHUNK = 256 * 1024
TOKEN = "stream-test-token-0123456789"
BOUNDARY = "szkboundary"


def _head(port: int, path: str, auth: bool, token: str = TOKEN) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        "Transfer-Encoding: chunked",
    ]
    if auth:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _answer(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        part = sock.recv(65536)
        if not part:
            break
        data += part
    return data


def _stream(port: int, path: str, total: int) -> tuple[bytes, int]:
    """Send a chunked multipart body of ``total`` bytes; stop at the first answer.

    Returns (status line and headers, body bytes sent before the answer came)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sent = 0
    try:
        sock.sendall(_head(port, path, auth=True))
        preamble = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="fields"\r\n\r\n{{}}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        sock.sendall(_chunk(preamble))
        block = b"%PDF" + b"\0" * (CHUNK - 4)
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                return _answer(sock), sent
            try:
                sock.sendall(_chunk(block))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(block)
        else:
            sock.sendall(_chunk(f"\r\n--{BOUNDARY}--\r\n".encode()) + b"0\r\n\r\n")
        return _answer(sock), sent
    finally:
        sock.close()


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_chunked_upload_past_limit_is_cut_off_with_flat_rss(
    db_url: str, engine: Engine, world: World, tmp_path: Path
) -> None:
    with session_scope(engine) as s:
        add_access_token(
            s,
            world.person_ids["org_contact"],
            TOKEN,
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        )
        evidence_before = s.execute(sql_select(func.count()).select_from(Evidence)).scalar_one()
    port = free_port()
    proc = serve(db_url, tmp_path, port, {"SOCZAKAZ_UPLOAD_LIMIT_BYTES": str(LIMIT)})
    path = f"/api/steps/{world.own.org_step}/complete"
    try:
        # Without a credential: 401 before any of the body is sent.
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(_head(port, path, auth=False))
        started = time.monotonic()
        head = _answer(sock)
        sock.close()
        assert head.startswith(b"HTTP/1.1 401"), head
        assert time.monotonic() - started < 2
        # A wrong token likewise: refused on the headers alone.
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(_head(port, path, auth=True, token="szk_wrong_token_000000"))
        head = _answer(sock)
        sock.close()
        assert head.startswith(b"HTTP/1.1 401"), head

        small, _ = _stream(port, path, 2 * CHUNK)  # warm up the upload path (under the limit)
        assert not small.startswith((b"HTTP/1.1 413", b"HTTP/1.1 401")), small
        stored = _files(tmp_path / "evidence")
        before = rss_kib(proc.pid)
        for _ in range(3):
            head, sent = _stream(port, path, 200 * 1024 * 1024)
            assert head.startswith(b"HTTP/1.1 413"), head
            # Answered while the client was still sending: at most the limit plus the
            # socket buffers, far from the 200 MB offered.
            assert sent < LIMIT + 16 * 1024 * 1024, sent
        after = rss_kib(proc.pid)
    finally:
        log = stop(proc)
    assert after - before < 30 * 1024, (before, after, log[-2000:])  # KiB: flat
    with session_scope(engine) as s:
        count = s.execute(sql_select(func.count()).select_from(Evidence)).scalar_one()
    assert count == evidence_before
    assert _files(tmp_path / "evidence") == stored, small
    assert _files(tmp_path / "tmp") == []  # no spooled upload left behind
    print(f"RSS before {before} KiB, after three 200 MB attempts {after} KiB; sent {sent} B")
