"""notifications/http_wire.py: the request head is the bytes http.client sends, and
replies are read as http.client's HTTPResponse reads them (Content-Length, chunked,
up to the close, 100 Continue, HTTP/1.0), the connection kept only when it may be."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator

import pytest

from notifications.http_wire import Wire, head, host_header


class _Buf:
    """Collects what http.client would write on a socket."""

    def __init__(self) -> None:
        self.data = b""

    def sendall(self, data: bytes) -> None:
        self.data += data


def _http_client_head(method: str, path: str, headers: list[tuple[str, str]]) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", 8080)
    buf = _Buf()
    conn.sock = buf
    names = {n.lower() for n, _ in headers}
    conn.putrequest(
        method, path, skip_host="host" in names, skip_accept_encoding="accept-encoding" in names
    )
    for name, value in headers:
        conn.putheader(name, value)
    conn.endheaders()
    return buf.data


@pytest.mark.parametrize(
    "headers",
    [
        [("User-Agent", "Apprise"), ("Content-Type", "application/json")],
        [("Accept-Encoding", "gzip, deflate"), ("X-Token", "abc"), ("Content-Length", "12")],
        [("Host", "example.org"), ("X-Empty", "")],
    ],
)
def test_head_is_what_http_client_sends(headers: list[tuple[str, str]]) -> None:
    ours = head("POST", "/hook?a=1", host_header("127.0.0.1", 8080), headers)
    assert ours == _http_client_head("POST", "/hook?a=1", headers)


@pytest.mark.parametrize(
    "headers", [[("X-Region", "Тула")], [("X-Bad", "a\nb")], [("Bad:Name", "x")]]
)
def test_head_refuses_what_http_client_refuses(headers: list[tuple[str, str]]) -> None:
    with pytest.raises(ValueError):
        _http_client_head("POST", "/", headers)
    with pytest.raises(ValueError):
        head("POST", "/", "h", headers)


def test_host_header() -> None:
    assert host_header("example.org", 80) == "example.org"
    assert host_header("::1", 8080) == "[::1]:8080"


@pytest.fixture
def server() -> Iterator[tuple[int, list[bytes]]]:
    """Answers the n-th request on a connection with replies[n] (set by the test)."""
    replies: list[bytes] = []
    sock = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                for reply in list(replies):
                    if not conn.recv(65536):
                        break
                    conn.sendall(reply)
                    if reply.endswith(b"<close>"):
                        break

    threading.Thread(target=serve, daemon=True).start()
    yield int(sock.getsockname()[1]), replies
    sock.close()


def test_replies_by_length_chunked_and_continue_on_one_connection(
    server: tuple[int, list[bytes]],
) -> None:
    port, replies = server
    replies += [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n"
        b"\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n",
        b"HTTP/1.1 204 No Content\r\n\r\n",
    ]
    wire = Wire("127.0.0.1", port, 2.0)
    try:
        first = wire.exchange(b"POST / HTTP/1.1\r\n\r\n", "POST", 2.0)
        second = wire.exchange(b"POST / HTTP/1.1\r\n\r\n", "POST", 1.0)
        third = wire.exchange(b"POST / HTTP/1.1\r\n\r\n", "POST", 1.0)
    finally:
        wire.close()
    assert (first.status, first.reason, first.body) == (200, "OK", b"hello")
    assert ("X-A", "1") in first.headers and not first.will_close
    assert (second.status, second.body, second.will_close) == (201, b"abcde", False)
    assert (third.status, third.body, third.will_close) == (204, b"", False)


@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\n\r\nok<close>",
    ],
)
def test_a_reply_that_ends_the_connection_says_so(
    server: tuple[int, list[bytes]], reply: bytes
) -> None:
    port, replies = server
    replies.append(reply)
    wire = Wire("127.0.0.1", port, 2.0)
    try:
        got = wire.exchange(b"POST / HTTP/1.1\r\n\r\n", "POST", 2.0)
    finally:
        wire.close()
    assert got.status == 200 and got.will_close
    assert got.body.startswith(b"ok")


@pytest.mark.parametrize(
    "reply, error",
    [
        (b"<close>", http.client.BadStatusLine),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nshort<close>", http.client.IncompleteRead),
        (b"NOT HTTP\r\n\r\n<close>", http.client.BadStatusLine),
    ],
)
def test_malformed_replies_raise_http_client_errors(
    server: tuple[int, list[bytes]], reply: bytes, error: type[Exception]
) -> None:
    port, replies = server
    replies.append(reply)
    wire = Wire("127.0.0.1", port, 2.0)
    try:
        with pytest.raises(error):
            wire.exchange(b"POST / HTTP/1.1\r\n\r\n", "POST", 2.0)
    finally:
        wire.close()
