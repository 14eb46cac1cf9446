"""Real Chromium (Debian ``chromium``) driven by Playwright against a real uvicorn.

Screenshots are kept in ``artifacts/screenshots/`` (CI uploads them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from models import Step
from models.db import session_scope
from models.settings import Settings
from tests.web_fixtures import NOW, World
from web.auth_links import login_link
from web.server import RunningServer, start_in_thread

pytest_plugins = ["tests.web_fixtures"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


@pytest.fixture
def server(settings: Settings, world: World) -> Iterator[RunningServer]:
    running = start_in_thread(settings, clock=lambda: NOW)
    yield running
    running.stop()


def test_dashboard_in_chromium(
    server: RunningServer, world: World, engine: Engine, backend: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "apt-get install -y chromium"
    SHOTS.mkdir(parents=True, exist_ok=True)
    upload = tmp_path / "otchet-q1.pdf"
    upload.write_bytes(b"%PDF-1.4\n% report q1\n%%EOF\n")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ru-RU")
        with session_scope(engine) as s:
            link = login_link(s, world.person_ids["moc_head"], "/", base_url=server.url)
        page.goto(link)
        assert page.locator("#overview").inner_text().count("Муниципалитет krylovsky") == 1
        page.screenshot(path=str(SHOTS / f"overview-{backend}.png"), full_page=True)

        page.click("text=Муниципалитет krylovsky")
        page.wait_for_url("**/m/krylovsky")
        blocked = page.locator("#blocked").inner_text()
        assert "Параметры сертификатов" in blocked and "«Бюджет»" in blocked
        page.screenshot(path=str(SHOTS / f"municipality-{backend}.png"), full_page=True)

        page.locator("#next-week").get_by_text("Отчёт организации за I квартал").click()
        page.wait_for_url(f"**/steps/{world.own.org_step}")
        assert "скоро срок" in page.locator("#step-status").inner_text()
        # First a mistake: no recipient -> the form shows the field error, nothing saved.
        page.fill("input[name=sent_date]", "2025-03-07")
        page.set_input_files("input[name=file]", str(upload))
        page.click("#complete-button")
        # `required` stops the browser first; without it the server's error sits by the field.
        page.evaluate("document.getElementById('complete-form').noValidate = true")
        page.click("#complete-button")
        assert "получатель отчёта" in page.locator("#err-recipient").inner_text()
        page.screenshot(path=str(SHOTS / f"step-error-{backend}.png"), full_page=True)

        page.fill("input[name=recipient]", "РМЦ Краснодарского края")
        page.set_input_files("input[name=file]", str(upload))
        page.click("#complete-button")
        page.wait_for_url("**?done=1")
        assert "выполнен" in page.locator("#step-status").inner_text()
        assert "otchet-q1.pdf" in page.locator("#evidence").inner_text()
        assert "шаг выполнен" in page.locator("#history").inner_text()
        page.screenshot(path=str(SHOTS / f"step-done-{backend}.png"), full_page=True)

        page.goto(f"{server.url}/audit/krylovsky")
        assert page.locator("#audit").inner_text().count("шаг выполнен") == 2
        page.screenshot(path=str(SHOTS / f"audit-{backend}.png"), full_page=True)
        browser.close()
    with session_scope(engine) as s:
        step = s.get(Step, world.own.org_step)
        assert step is not None and step.status == "done"
    for name in ("overview", "municipality", "step-done", "audit"):
        assert (SHOTS / f"{name}-{backend}.png").stat().st_size > 10_000
