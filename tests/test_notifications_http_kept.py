"""The kept http.client path under apprise's webhook plugins (notifications/http_kept.py):
the receiver gets what bare apprise (through requests) sends — path and query, headers,
body — over one connection; anything the light path does not handle goes through
requests; a connection the server closed is replaced; errors stay delivery failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import apprise
import pytest
import requests

from models.outbox import OutboxMessage
from models.settings import Settings
from notifications.sender import Sender
from tests.notifications_fixtures import HttpSink, http_sink, start_http_sink  # noqa: F401

SETTINGS = Settings(database_url="sqlite://")
TEXT = "Здравствуйте, Мария Ивановна!\nСрок шага — 14 марта."
DROP = {"Idempotency-Key", "Connection"}


def _msg(i: int, target: str) -> OutboxMessage:
    return OutboxMessage(
        id=i,
        dedupe_key=f"key-{i}",
        rule="before:1",
        channel="webhook",
        target=target,
        subject=f"Напоминание №{i}",
        body_text=TEXT,
        body_html="",
    )


def _bare(url: str, subject: str) -> None:
    obj = apprise.Apprise()
    assert obj.add(url)
    assert obj.notify(body=TEXT, title=subject)


def _same(ours: dict[str, Any], bare: dict[str, Any]) -> None:
    assert ours["path"] == bare["path"]
    assert ours["json"] == bare["json"]
    assert {k: v for k, v in ours["headers"].items() if k not in DROP} == {
        k: v for k, v in bare["headers"].items() if k not in DROP
    }


@pytest.mark.parametrize(
    "tail",
    ["hook", "hook?-region=%D0%A2%D1%83%D0%BB%D0%B0&-n=5&+X-Token=abc", "a/b/?:extra=1"],
)
def test_json_with_auth_params_and_headers_equals_bare_apprise(
    http_sink: HttpSink,  # noqa: F811
    tail: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"json://robot:p%40ss@127.0.0.1:{http_sink.port}/{tail}"
    _bare(url, "Напоминание №0")

    def no_requests(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("went through requests")

    monkeypatch.setattr(requests.Session, "request", no_requests)
    with Sender(SETTINGS) as sender:
        assert all(sender.send(_msg(i, url)).ok for i in range(3))
    bare, *ours = http_sink.requests
    assert len(ours) == 3
    assert len({r["peer"] for r in ours}) == 1
    assert "Authorization" in bare["headers"]
    assert [r["headers"]["Idempotency-Key"] for r in ours] == ["key-0", "key-1", "key-2"]
    _same(ours[0], bare)


class _Scripted(BaseHTTPRequestHandler):
    """Answers from ``routes`` (path -> (status, headers)); records every POST body."""

    protocol_version = "HTTP/1.1"
    routes: ClassVar[dict[str, tuple[int, dict[str, str]]]] = {}
    close_after = False
    got: ClassVar[list[tuple[str, bytes, int, dict[str, str]]]] = []

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.got.append((self.path, raw, self.client_address[1], dict(self.headers.items())))
        status, headers = self.routes.get(self.path, (200, {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()
        if self.close_after:  # close without announcing it (idle timeout of a server)
            self.close_connection = True

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[tuple[type[_Scripted], int]]:
    handler = type("Handler", (_Scripted,), {"routes": {}, "got": [], "close_after": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield handler, int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_a_connection_closed_by_the_server_is_replaced(
    scripted: tuple[type[_Scripted], int],
) -> None:
    handler, port = scripted
    handler.close_after = True
    url = f"json://127.0.0.1:{port}/hook"
    with Sender(SETTINGS) as sender:
        for i in range(3):
            assert sender.send(_msg(i, url)).ok
            time.sleep(0.05)
    assert len(handler.got) == 3
    assert len({peer for _, _, peer, _ in handler.got}) == 3


def test_a_redirect_is_followed_by_requests(scripted: tuple[type[_Scripted], int]) -> None:
    handler, port = scripted
    handler.routes["/old"] = (307, {"Location": f"http://127.0.0.1:{port}/new"})
    with Sender(SETTINGS) as sender:
        assert sender.send(_msg(1, f"json://127.0.0.1:{port}/old")).ok
    paths = [g[0] for g in handler.got]
    assert paths[-1] == "/new"
    assert handler.got[-1][1] == handler.got[0][1]  # 307 keeps the body


def test_server_error_and_refused_connection_are_failures(
    scripted: tuple[type[_Scripted], int],
) -> None:
    handler, port = scripted
    handler.routes["/broken"] = (500, {})
    dead = start_http_sink()
    dead_port = dead.port
    dead.close()
    with Sender(SETTINGS) as sender:
        failed = sender.send(_msg(1, f"json://127.0.0.1:{port}/broken"))
        refused = sender.send(_msg(2, f"json://127.0.0.1:{dead_port}/hook"))
        after = sender.send(_msg(3, f"json://127.0.0.1:{port}/fine"))
    assert not failed.ok and "500" in failed.error
    assert not refused.ok and refused.error
    assert after.ok
    assert [g[0] for g in handler.got] == ["/broken", "/fine"]


def test_a_slow_receiver_times_out_as_a_failure() -> None:
    slow = start_http_sink(delay=1.0)
    try:
        with Sender(SETTINGS) as sender:
            t0 = time.monotonic()
            out = sender.send(_msg(1, slow.url("hook") + "?rto=0.2"))
            took = time.monotonic() - t0
            ok_after = sender.send(_msg(2, slow.url("hook")))
    finally:
        slow.close()
    assert not out.ok and out.error
    assert took < 0.9  # the read timeout, not the receiver's delay, ended the wait
    assert ok_after.ok


def test_form_and_xml_are_delivered_as_bare_apprise_sends(
    scripted: tuple[type[_Scripted], int],
) -> None:
    handler, port = scripted
    for scheme in ("xml", "form"):
        url = f"{scheme}://127.0.0.1:{port}/{scheme}"
        handler.got.clear()
        _bare(url, "Напоминание №0")
        with Sender(SETTINGS) as sender:
            assert sender.send(_msg(0, url)).ok
        bare, ours = handler.got
        assert ours[0] == bare[0] == f"/{scheme}"
        assert ours[1] == bare[1]  # form: a dict body, still encoded by requests
        assert {k: v for k, v in ours[3].items() if k not in DROP} == {
            k: v for k, v in bare[3].items() if k not in DROP
        }


def test_a_proxy_from_the_environment_is_left_to_requests(
    http_sink: HttpSink,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    seen: list[str] = []

    def through_requests(self: requests.Session, method: str, url: str, **kw: Any) -> Any:
        seen.append(url)
        out = requests.Response()
        out.status_code = 200
        return out

    monkeypatch.setattr(requests.Session, "request", through_requests)
    with Sender(SETTINGS) as sender:
        assert sender.send(_msg(1, http_sink.url("hook"))).ok
    assert seen == [f"http://127.0.0.1:{http_sink.port}/hook"]
    assert http_sink.requests == []  # the light path did not bypass the proxy


def test_a_header_http_client_cannot_encode_ends_as_bare_apprise_ends(
    http_sink: HttpSink,  # noqa: F811
) -> None:
    url = http_sink.url("hook") + "?+X-Region=%D0%A2%D1%83%D0%BB%D0%B0"
    bare = apprise.Apprise()
    assert bare.add(url)
    bare_ok = bare.notify(body=TEXT, title="t")
    bare_got = len(http_sink.requests)
    with Sender(SETTINGS) as sender:
        out = sender.send(_msg(1, url))
    assert out.ok == bare_ok
    assert len(http_sink.requests) == 2 * bare_got
