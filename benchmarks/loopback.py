"""Real receivers on loopback: an HTTP webhook sink and an aiosmtpd SMTP sink.

Shared by the dispatch benchmark and the tests (tests/notifications_fixtures.py wraps
them in fixtures). The HTTP sink speaks HTTP/1.1 with keep-alive, as real receivers do.

    python benchmarks/loopback.py      # both sinks in their own process (own GIL)

prints ``{"http": port, "smtp": port}``, answers ``GET /_received`` with the
Idempotency-Keys and e-mail subjects received so far, and exits when stdin closes.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class SmtpHandler:
    """Stores accepted mail; ``script`` holds replies to give before accepting."""

    script: list[str] = field(default_factory=list)
    always: str | None = None
    received: list[EmailMessage] = field(default_factory=list)
    refused: int = 0
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_http_sink(delay: float = 0.0, extra: dict[str, Any] | None = None) -> HttpSink:
    """A JSON webhook receiver; ``delay`` seconds per request slows the sender down.
    ``extra`` maps a GET path to a callable returning a JSON-able value."""
    requests: list[dict[str, Any]] = []
    lock = threading.Lock()
    getters = extra or {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(size)
            with lock:
                requests.append(
                    {
                        "path": self.path,
                        "peer": self.client_address[1],
                        "headers": dict(self.headers.items()),
                        "json": json.loads(raw.decode("utf-8")),
                    }
                )
            if delay:
                time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            get = getters.get(self.path)
            body = json.dumps(get() if get else None).encode()
            self.send_response(200 if get else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return HttpSink(server, requests, lock)


class RemoteSinks:
    """Both sinks served by a child process (``python benchmarks/loopback.py``)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        ports = json.loads(self.proc.stdout.readline())
        self.http_port, self.smtp_port = int(ports["http"]), int(ports["smtp"])

    def json_url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.http_port}/{path}"

    def mail_url(self, to: str = "org@example.ru") -> str:
        return f"mailto://robot@127.0.0.1:{self.smtp_port}?to={to}&from=robot@soczakaz.ru&secure=no"

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) the receivers' process has used so far (Linux)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def received(self) -> dict[str, list[list[str]]]:
        """``{"posts": [[path, Idempotency-Key], …], "mails": [[To, Subject], …]}``."""
        url = f"http://127.0.0.1:{self.http_port}/_received"
        with urllib.request.urlopen(url, timeout=60) as resp:
            got: dict[str, list[list[str]]] = json.loads(resp.read())
        return got

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class CpuMeter:
    """CPU ms per message of this process (all threads) and of the receivers' process."""

    def __init__(self, sinks: RemoteSinks) -> None:
        self.sinks = sinks
        self.spent: dict[str, list[float]] = {}
        self.per_msg: dict[str, list[float | None]] = {}

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        ours, theirs = time.process_time(), self.sinks.cpu_seconds()
        yield
        after = self.sinks.cpu_seconds()
        got = self.spent.setdefault(name, [0.0, 0.0])
        got[0] += time.process_time() - ours
        got[1] += (after - theirs) if after is not None and theirs is not None else float("nan")

    def count(self, **messages: int) -> None:
        for name, n in messages.items():
            ours, theirs = self.spent[name]
            ms = [round(1000 * ours / n, 3), round(1000 * theirs / n, 3)] if n else [None, None]
            self.per_msg[name] = [None if x != x else x for x in ms]  # NaN: no /proc

    def line(self, name: str) -> str:
        ours, theirs = self.per_msg[name]
        return f"CPU {ours} ms/msg here, receiver {theirs} ms/msg"


def serve() -> None:
    from aiosmtpd.controller import Controller

    handler = SmtpHandler()
    holder: list[HttpSink] = []

    def received() -> dict[str, list[list[str]]]:
        with handler.lock:
            mails = [[str(m["to"]), str(m["subject"])] for m in handler.received]
        sink = holder[0]
        with sink.lock:
            posts = [[r["path"], r["headers"].get("Idempotency-Key", "")] for r in sink.requests]
        return {"posts": posts, "mails": mails}

    http = start_http_sink(extra={"/_received": received})
    holder.append(http)
    port = free_port()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    print(json.dumps({"http": http.port, "smtp": port}), flush=True)
    sys.stdin.read()
    smtp.stop()
    http.close()


if __name__ == "__main__":
    serve()
