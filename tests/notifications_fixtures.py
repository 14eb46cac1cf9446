"""Real receivers on loopback: an aiosmtpd SMTP server and an HTTP webhook sink."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class SmtpHandler:
    """Stores accepted mail; ``script`` holds replies to give before accepting."""

    script: list[str] = field(default_factory=list)
    always: str | None = None
    received: list[EmailMessage] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.always:
                self.refused += 1
                return self.always
            if self.script:
                self.refused += 1
                return self.script.pop(0)
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            self.received.append(msg)
        return "250 OK"


@dataclass
class SmtpSink:
    handler: SmtpHandler
    port: int

    def url(self, to: str = "org@example.ru") -> str:
        return f"mailto://robot@127.0.0.1:{self.port}?to={to}&from=robot@soczakaz.ru&secure=no"

    def texts(self) -> list[tuple[str, str, str]]:
        """(subject, plain text, html) of every accepted message, decoded."""
        out = []
        for m in self.handler.received:
            plain = m.get_body(preferencelist=("plain",))
            html = m.get_body(preferencelist=("html",))
            out.append(
                (
                    str(m["subject"]),
                    plain.get_content() if plain else "",
                    html.get_content() if html else "",
                )
            )
        return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    handler = SmtpHandler()
    port = free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield SmtpSink(handler, port)
    finally:
        ctl.stop()


@dataclass
class HttpSink:
    server: ThreadingHTTPServer
    requests: list[dict[str, Any]]
    lock: threading.Lock

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def keys(self) -> list[str]:
        with self.lock:
            return [r["headers"].get("Idempotency-Key", "") for r in self.requests]


def start_http_sink(delay: float = 0.0) -> HttpSink:
    """A JSON webhook receiver; ``delay`` seconds per request slows the sender down."""
    requests: list[dict[str, Any]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(size)
            with lock:
                requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "json": json.loads(raw.decode("utf-8")),
                    }
                )
            if delay:
                time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return HttpSink(server, requests, lock)


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    sink = start_http_sink()
    try:
        yield sink
    finally:
        sink.server.shutdown()
        sink.server.server_close()
