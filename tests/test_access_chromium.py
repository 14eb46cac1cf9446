"""Issue 14 in real Chromium: a sign-in link opens the step; a second origin's POST is refused."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from models import Step
from models.db import session_scope
from models.settings import Settings
from tests.web_fixtures import NOW, World
from web.auth_links import login_link
from web.server import RunningServer, free_port, start_in_thread

pytest_plugins = ["tests.web_fixtures"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def server(settings: Settings, world: World) -> Iterator[RunningServer]:
    running = start_in_thread(settings, clock=lambda: NOW)
    yield running
    running.stop()


def _evil_site(target: str) -> tuple[str, http.server.HTTPServer]:
    html = (
        f'<form id="f" method="post" action="{target}" enctype="multipart/form-data">'
        '<input name="recipient" value="x"><input name="sent_date" value="2025-03-07">'
        "</form><script>document.getElementById('f').submit()</script>"
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    port = free_port()
    httpd = http.server.HTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}/", httpd


def test_link_signs_in_and_cross_origin_post_is_refused(
    server: RunningServer, world: World, engine: Engine
) -> None:
    from playwright.sync_api import FilePayload, sync_playwright

    assert Path(CHROMIUM).exists()
    step = world.own.org_step
    with session_scope(engine) as s:
        link = login_link(
            s, world.person_ids["org_contact"], f"/steps/{step}", base_url=server.url, now=NOW
        )
    evil_url, httpd = _evil_site(f"{server.url}/steps/{step}/complete")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page(locale="ru-RU")
            page.goto(link)
            assert page.url == f"{server.url}/steps/{step}"  # back to the step of the link
            assert page.locator("#complete-form").count() == 1
            cookies = page.context.cookies()
            assert any(c["name"] == "soczakaz_session" and c["httpOnly"] for c in cookies)
            with page.expect_response(f"{server.url}/steps/{step}/complete") as info:
                page.goto(evil_url)
            assert info.value.status == 403
            # The recipient uploads the evidence from the same page (CSRF field included).
            page.goto(f"{server.url}/steps/{step}")
            page.fill("[name=recipient]", "РМЦ Краснодарского края")
            page.fill("[name=sent_date]", "2025-03-07")
            if page.locator("input[type=file][name=file]").count():
                pdf: FilePayload = {
                    "name": "otchet.pdf",
                    "mimeType": "application/pdf",
                    "buffer": b"%PDF-1.4\n%%EOF\n",
                }
                page.set_input_files("input[type=file][name=file]", files=[pdf])
            with page.expect_navigation():
                page.locator("#complete-form [type=submit]").first.click()
            assert "done=1" in page.url, page.url
            browser.close()
    finally:
        httpd.shutdown()
    with session_scope(engine) as s:
        row = s.get(Step, step)
        assert row is not None and row.status == "done"  # by the form, not by the other site
