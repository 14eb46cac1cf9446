"""HTTP/1.1 on a kept socket: the request written in one send, the reply read back.

``http.client`` cost more CPU per webhook message than apprise's JSON plugin itself
(``putheader`` validation per header, a new buffered reader per response, the
``email`` package parsing every response head). ``head`` builds the bytes
``http.client`` would send for ``putrequest`` + ``putheader`` (same validation: a
header it refuses raises ``ValueError`` before anything is sent) and ``Wire`` reads
a reply the way ``HTTPResponse`` does: 100 Continue skipped, a body by
Content-Length, chunked, or up to the close; no body for HEAD, 204 and 304; the
connection kept unless the server asks to close it. Malformed replies raise
``http.client``'s own exceptions.
"""

from __future__ import annotations

import http.client
import re
import select
import socket
from dataclasses import dataclass
from typing import Any

_LINE = 65536  # http.client._MAXLINE
_MAX_HEADERS = 100  # http.client._MAXHEADERS
_legal_name = re.compile(rb"[^:\s][^:\r\n]*").fullmatch  # as http.client
_illegal_value = re.compile(rb"\n(?![ \t])|\r(?![ \t\n])").search
_bad_path = re.compile("[\x00-\x20\x7f]").search


def host_header(host: str, port: int) -> str:
    """Host as ``http.client`` sends it for a request to (host, port)."""
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    return host if port == 80 else f"{host}:{port}"


def head(method: str, path: str, host: str, headers: list[tuple[str, Any]]) -> bytes:
    """Request line and headers (ending with the blank line); ``ValueError`` for a path,
    a header name or a value ``http.client`` would refuse."""
    if _bad_path(path):
        raise ValueError(f"URL can't contain control characters: {path!r}")
    names = {name.lower() for name, _ in headers}
    lines = [f"{method} {path} HTTP/1.1".encode("ascii")]
    if "host" not in names:
        lines.append(b"Host: " + host.encode("ascii"))
    if "accept-encoding" not in names:
        lines.append(b"Accept-Encoding: identity")
    for name, value in headers:
        raw_name = name.encode("ascii")
        if not _legal_name(raw_name):
            raise ValueError(f"Invalid header name {raw_name!r}")
        raw = value if isinstance(value, bytes) else str(value).encode("latin-1")
        if _illegal_value(raw):
            raise ValueError(f"Invalid header value {raw!r}")
        lines.append(raw_name + b": " + raw)
    lines.extend((b"", b""))
    return b"\r\n".join(lines)


@dataclass
class Reply:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    will_close: bool


class Wire:
    """One kept connection to (host, port) with its buffered reader."""

    def __init__(self, host: str, port: int, timeout: float | None) -> None:
        self.sock = socket.create_connection((host, port), timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timeout = timeout
        self.reader = self.sock.makefile("rb")

    def closed_by_peer(self) -> bool:
        """Readable while idle: the server closed it (or sent something unasked)."""
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable)

    def exchange(self, request: bytes, method: str, timeout: float | None) -> Reply:
        if timeout != self.timeout:  # a syscall otherwise
            self.sock.settimeout(timeout)
            self.timeout = timeout
        self.sock.sendall(request)
        while True:
            version, status, reason = self._status()
            headers = self._headers()
            if status != 100:
                break
        lower = {name.lower(): value for name, value in headers}
        will_close = self._will_close(version, lower)
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "chunked" in lower.get("transfer-encoding", "").lower():
            body = self._chunked()
        elif "content-length" in lower:
            body = self._exactly(self._length(lower["content-length"]))
        else:
            body, will_close = self.reader.read(), True
        return Reply(status, reason, headers, body, will_close)

    def _line(self) -> bytes:
        line = self.reader.readline(_LINE + 1)
        if len(line) > _LINE:
            raise http.client.LineTooLong("header line")
        return line

    def _status(self) -> tuple[str, int, str]:
        line = str(self._line(), "iso-8859-1")
        if not line:
            raise http.client.RemoteDisconnected("Remote end closed connection without response")
        version, _, rest = line.partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/") or len(code) != 3 or not code.isdigit():
            raise http.client.BadStatusLine(line)
        return version, int(code), reason.strip()

    def _headers(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        while True:
            line = self._line()
            if line in (b"\r\n", b"\n", b""):
                return out
            if len(out) >= _MAX_HEADERS:
                raise http.client.HTTPException(f"got more than {_MAX_HEADERS} headers")
            text = str(line, "iso-8859-1")
            if text[0] in " \t" and out:  # a folded continuation of the last header
                name, value = out[-1]
                out[-1] = (name, f"{value} {text.strip()}")
                continue
            name, _, value = text.partition(":")
            out.append((name, value.strip()))

    @staticmethod
    def _will_close(version: str, lower: dict[str, str]) -> bool:
        conn = lower.get("connection", "").lower()
        if version == "HTTP/1.1":
            return "close" in conn
        return "keep-alive" not in conn and "keep-alive" not in lower

    @staticmethod
    def _length(value: str) -> int:
        try:
            length = int(value)
        except ValueError:
            raise http.client.HTTPException(f"bad Content-Length {value!r}") from None
        if length < 0:
            raise http.client.HTTPException(f"bad Content-Length {value!r}")
        return length

    def _exactly(self, n: int) -> bytes:
        data = self.reader.read(n) if n else b""
        if len(data) < n:
            raise http.client.IncompleteRead(data, n - len(data))
        return data

    def _chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size_text = self._line().split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise http.client.IncompleteRead(b"".join(parts)) from None
            if size == 0:
                while self._line() not in (b"\r\n", b"\n", b""):
                    pass  # trailer headers
                return b"".join(parts)
            parts.append(self._exactly(size))
            self._exactly(2)  # CRLF after the chunk

    def close(self) -> None:
        self.reader.close()
        self.sock.close()
