"""A light HTTP/1.1 client for the webhook plugins' simple requests (kept connections).

apprise's JSON/XML plugins call ``requests.request(method, url, data=<str>, params=,
headers=, auth=, verify=, timeout=, allow_redirects=)``. Through ``requests`` each call
costs more CPU than the plugin itself (session merging, proxy lookups in the
environment, urllib3's pool), which caps a sender thread well below what a loopback
receiver takes. ``KeptHttp.request`` sends the same bytes as ``http.client`` would on a
socket kept per (host, port) (``notifications.http_wire``): the headers requests would send (its defaults, the
plugin's, Basic auth, Content-Length, Host), the URL requests would build from
``params``. It returns ``None`` for anything it does not handle the same way (files,
form dicts, https, a proxy or .netrc entry, an empty body, a header http.client cannot
encode, a redirect); the caller then goes through ``requests`` as before.
"""

from __future__ import annotations

import gzip
import http.client
import zlib
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import requests
import requests.auth
import requests.structures
import requests.utils

from notifications.http_wire import Wire, head, host_header

_HANDLED = frozenset({"data", "params", "headers", "auth", "verify", "timeout", "allow_redirects"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _split_timeout(timeout: Any) -> tuple[float | None, float | None]:
    if timeout is None:
        return None, None
    if isinstance(timeout, tuple):
        connect, read = timeout
        return connect, read
    return float(timeout), float(timeout)


class _Target(NamedTuple):
    url: str  # as requests prepares it (the Response's url)
    host: str
    port: int
    path: str  # path and query on the request line
    host_header: str


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


class KeptHttp:
    """Kept connections of one sender thread, one per (host, port)."""

    def __init__(self) -> None:
        self._conns: dict[tuple[str, int], Wire] = {}
        self._urls: dict[tuple[str, tuple[tuple[str, Any], ...]], _Target | None] = {}
        self._defaults = list(requests.utils.default_headers().items())

    def _target(self, url: str, params: Any) -> _Target | None:
        """requests' URL for (url, params) split for the wire, or None when a proxy or a
        .netrc entry applies to it (cached: the plugin sends the same URL every time)."""
        items = tuple(params.items()) if isinstance(params, dict) else ()
        if params and not isinstance(params, dict):
            return None
        key = (url, items)
        if key not in self._urls:
            target: _Target | None = None
            plain = url.startswith("http://") and not requests.utils.get_environ_proxies(url)
            if plain and not requests.utils.get_netrc_auth(url):  # requests would add it
                req = requests.models.PreparedRequest()
                req.prepare_url(url, dict(items) if items else None)
                full = req.url or url
                parts = urlsplit(full)
                host, port = parts.hostname or "", parts.port or 80
                path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                target = _Target(full, host, port, path, host_header(host, port))
            self._urls[key] = target
        return self._urls[key]

    def _headers(self, given: Any, auth: Any, length: int) -> list[tuple[str, Any]]:
        """requests' merge: its defaults, then the plugin's (a None value removes one),
        names keeping their first position and their last spelling."""
        merged: dict[str, tuple[str, Any]] = {n.lower(): (n, v) for n, v in self._defaults}
        for name, value in (given or {}).items():
            if value is None:
                merged.pop(name.lower(), None)
            else:
                merged[name.lower()] = (name, value)
        merged["content-length"] = ("Content-Length", str(length))
        if auth is not None:
            merged["authorization"] = ("Authorization", requests.auth._basic_auth_str(*auth))
        return list(merged.values())

    def _connection(self, host: str, port: int, timeout: float | None) -> Wire:
        conn = self._conns.get((host, port))
        if conn is not None:
            if not conn.closed_by_peer():  # not closed by the server while idle
                return conn
            conn.close()
        conn = Wire(host, port, timeout)
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
        target = self._target(url, kwargs.get("params"))
        if target is None:
            return None
        headers = self._headers(kwargs.get("headers"), auth, len(data))
        try:
            request = head(method, target.path, target.host_header, headers) + data
        except ValueError:  # a header http.client cannot encode: nothing sent
            return None
        host, port = target.host, target.port
        connect, read = _split_timeout(kwargs.get("timeout"))
        conn: Wire | None = None
        try:
            conn = self._connection(host, port, connect)
            reply = conn.exchange(request, method, read)  # head and body in one send
        except TimeoutError as exc:
            self._drop(host, port, conn)
            raise requests.exceptions.Timeout(exc) from exc
        except (OSError, http.client.HTTPException) as exc:
            self._drop(host, port, conn)
            raise requests.exceptions.ConnectionError(exc) from exc
        if reply.will_close:
            self._drop(host, port, conn)
        if reply.status in _REDIRECTS and kwargs.get("allow_redirects", True):
            return None  # not accepted there; requests follows the redirect
        out = requests.Response()
        out.status_code = reply.status
        out.headers = requests.structures.CaseInsensitiveDict(reply.headers)
        out._content = _decoded(reply.body, out.headers.get("Content-Encoding", ""))
        out.url, out.reason = target.url, reply.reason
        out.encoding = requests.utils.get_encoding_from_headers(out.headers)
        return out

    def _drop(self, host: str, port: int, conn: Wire | None) -> None:
        if conn is not None:
            conn.close()
        self._conns.pop((host, port), None)

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()
