"""A light HTTP/1.1 client for the webhook plugins' simple requests (kept connections).

apprise's JSON/XML plugins call ``requests.request(method, url, data=<str>, params=,
headers=, auth=, verify=, timeout=, allow_redirects=)``. Through ``requests`` each call
costs more CPU than the plugin itself (session merging, proxy lookups in the
environment, urllib3's pool), which caps a sender thread well below what a loopback
receiver takes. ``KeptHttp.request`` sends the same bytes over ``http.client`` on a
connection kept per (host, port): the headers requests would send (its defaults, the
plugin's, Basic auth, Content-Length, Host), the URL requests would build from
``params``. It returns ``None`` for anything it does not handle the same way (files,
form dicts, https, a proxy or .netrc entry, an empty body, a header http.client cannot
encode, a redirect); the caller then goes through ``requests`` as before.
"""

from __future__ import annotations

import gzip
import http.client
import select
import socket
import zlib
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.auth
import requests.structures
import requests.utils

_HANDLED = frozenset({"data", "params", "headers", "auth", "verify", "timeout", "allow_redirects"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _split_timeout(timeout: Any) -> tuple[float | None, float | None]:
    if timeout is None:
        return None, None
    if isinstance(timeout, tuple):
        connect, read = timeout
        return connect, read
    return float(timeout), float(timeout)


def _decoded(body: bytes, encoding: str) -> bytes:
    """The body as ``requests``' ``content`` shows it (gzip/deflate undone)."""
    try:
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error):
        pass
    return body


class _Connection(http.client.HTTPConnection):
    """``http.client`` sending the head and a bytes body in one write (one segment and
    one wake-up of the receiver per request instead of two)."""

    def _send_output(  # private in http.client, stable since Python 3.6
        self, message_body: Any = None, encode_chunked: bool = False
    ) -> None:
        if not isinstance(message_body, bytes) or encode_chunked:
            super()._send_output(message_body, encode_chunked)  # type: ignore[misc]
            return
        buffer: list[bytes] = self._buffer  # type: ignore[attr-defined]
        buffer.extend((b"", b""))
        msg = b"\r\n".join(buffer) + message_body
        del buffer[:]
        self.send(msg)


class KeptHttp:
    """Kept ``http.client`` connections of one sender thread, one per (host, port)."""

    def __init__(self) -> None:
        self._conns: dict[tuple[str, int], http.client.HTTPConnection] = {}
        self._urls: dict[tuple[str, tuple[tuple[str, Any], ...]], str | None] = {}
        self._defaults = requests.utils.default_headers()

    def _prepared_url(self, url: str, params: Any) -> str | None:
        """requests' URL for (url, params), or None when a proxy applies to it."""
        items = tuple(params.items()) if isinstance(params, dict) else ()
        if params and not isinstance(params, dict):
            return None
        key = (url, items)
        if key not in self._urls:
            prepared: str | None = None
            plain = url.startswith("http://") and not requests.utils.get_environ_proxies(url)
            if plain and not requests.utils.get_netrc_auth(url):  # requests would add it
                req = requests.models.PreparedRequest()
                req.prepare_url(url, dict(items) if items else None)
                prepared = req.url
            self._urls[key] = prepared
        return self._urls[key]

    def _headers(self, given: Any, auth: Any, length: int) -> dict[str, str]:
        merged = requests.structures.CaseInsensitiveDict(self._defaults)
        for name, value in (given or {}).items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        merged["Content-Length"] = str(length)
        if auth is not None:
            merged["Authorization"] = requests.auth._basic_auth_str(*auth)
        return dict(merged.items())

    def _connection(
        self, host: str, port: int, timeout: float | None
    ) -> http.client.HTTPConnection:
        conn = self._conns.get((host, port))
        if conn is not None and conn.sock is not None:
            readable, _, _ = select.select([conn.sock], [], [], 0)
            if not readable:  # not closed by the server while idle
                return conn
            conn.close()
        conn = _Connection(host, port, timeout=timeout)
        conn.connect()
        assert conn.sock is not None
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._conns[(host, port)] = conn
        return conn

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response | None:
        """The response, or None when this request must go through ``requests``."""
        if not _HANDLED.issuperset(kwargs):
            return None
        data, auth = kwargs.get("data"), kwargs.get("auth")
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, bytes) or not data:
            return None
        if auth is not None and not (isinstance(auth, tuple) and len(auth) == 2):
            return None
        full = self._prepared_url(url, kwargs.get("params"))
        if full is None:
            return None
        parts = urlsplit(full)
        host, port = parts.hostname or "", parts.port or 80
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = self._headers(kwargs.get("headers"), auth, len(data))
        connect, read = _split_timeout(kwargs.get("timeout"))
        conn: http.client.HTTPConnection | None = None
        try:
            conn = self._connection(host, port, connect)
            assert conn.sock is not None
            if conn.sock.gettimeout() != read:  # a syscall (and a GIL release) otherwise
                conn.sock.settimeout(read)
            try:
                self._head(conn, method, path, headers)
            except ValueError:  # a header http.client cannot encode: nothing sent yet
                self._drop(host, port, conn)
                return None
            conn.endheaders(data)  # headers and body in one send (no Nagle stall)
            resp = conn.getresponse()
            body = resp.read()
        except TimeoutError as exc:
            self._drop(host, port, conn)
            raise requests.exceptions.Timeout(exc) from exc
        except (OSError, http.client.HTTPException) as exc:
            self._drop(host, port, conn)
            raise requests.exceptions.ConnectionError(exc) from exc
        if resp.will_close:
            self._drop(host, port, conn)
        if resp.status in _REDIRECTS and kwargs.get("allow_redirects", True):
            return None  # not accepted there; requests follows the redirect
        out = requests.Response()
        out.status_code = resp.status
        out.headers = requests.structures.CaseInsensitiveDict(resp.getheaders())
        out._content = _decoded(body, out.headers.get("Content-Encoding", ""))
        out.url, out.reason = full, resp.reason
        out.encoding = requests.utils.get_encoding_from_headers(out.headers)
        return out

    @staticmethod
    def _head(conn: http.client.HTTPConnection, method: str, path: str, headers: Any) -> None:
        lower = {k.lower() for k in headers}
        conn.putrequest(
            method,
            path,
            skip_host="host" in lower,
            skip_accept_encoding="accept-encoding" in lower,
        )
        for name, value in headers.items():
            conn.putheader(name, value)

    def _drop(self, host: str, port: int, conn: http.client.HTTPConnection | None) -> None:
        if conn is not None:
            conn.close()
        self._conns.pop((host, port), None)

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()
