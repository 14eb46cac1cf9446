"""Issue 14, the whole path as people live it, on SQLite and PostgreSQL.

A МОЦ head adds an organisation's contact on the admin page and invites her;
``roadmap dispatch`` (a subprocess with a fresh HOME) sends the invitation to a
real SMTP server on 127.0.0.1 (aiosmtpd); the link from that e-mail signs her in
in Chromium. Then ``roadmap sweep`` makes the reminder of her step, ``roadmap
dispatch`` delivers it, and the link taken from the delivered reminder opens
that step in a browser that was never signed in; she uploads the evidence file
through the form and the step shows completed. The dashboard is ``roadmap
serve``, a real uvicorn subprocess; its access log never prints a link token.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlmodel import select

from domain.calendar.time import local_date
from domain.calendar.workdays import previous_working_day
from models import Evidence, Organisation, Person, Role, Step, StepKind, StepStatus
from models.db import session_scope
from models.settings import Settings
from tests.factories import make_municipality, make_person, make_roadmap, make_step
from web.auth_links import login_link
from web.server import free_port

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

ROADMAP = str(Path(sys.executable).with_name("roadmap"))
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
CONTACT = "sidorova@ddt-luga.example.ru"
REPORT = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
URL = re.compile(r"https?://[^\s\"'<>]+")


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every accepted message with its recipients."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpt, m in self.messages if address in rcpt]


def _text(msg: EmailMessage) -> str:
    parts = [msg.get_body(preferencelist=(kind,)) for kind in ("plain", "html")]
    return "\n".join(str(p.get_content()) for p in parts if isinstance(p, EmailMessage))


def _links(msg: EmailMessage, marker: str) -> list[str]:
    return sorted({u.rstrip(".,);") for u in URL.findall(_text(msg)) if marker in u})


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    ctl = Controller(box, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield box, port
    finally:
        ctl.stop()


@dataclass
class Seeded:
    step_id: int
    org_id: int
    head_id: int
    due: dt.date


def _seed(engine: Engine) -> Seeded:
    """A municipality, its organisation with one report step due on the last working
    day before today (its on-the-day reminder fires when swept as of that day), and
    the МОЦ head who manages people there."""
    today = local_date(dt.datetime.now(dt.UTC), "Europe/Moscow")
    due = previous_working_day(today - dt.timedelta(days=1))
    with session_scope(engine) as s:
        m = make_municipality(s, code="luga", tz="Europe/Moscow", name="Лужский район")
        org = Organisation(
            municipality_id=int(m.id or 0),
            code="ddt-luga",
            name="МБУ ДО «Дом детского творчества»",
            short_name="ДДТ",
        )
        s.add(org)
        s.flush()
        step = make_step(
            s,
            roadmap=make_roadmap(s, municipality=m, year=due.year),
            key="report-quarter",
            kind=StepKind.report,
            title="Отчёт организации за квартал",
            due=due,
            organisation_id=org.id,
            owner_role="org_contact",
            status=StepStatus.planned,
        )
        head = make_person(s, municipality=m, role=Role.moc_head, email="ivanova@luga.example.ru")
        return Seeded(int(step.id or 0), int(org.id or 0), int(head.id or 0), due)


def _env(tmp: Path, settings: Settings, base_url: str, smtp_port: int) -> dict[str, str]:
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ") if k in os.environ}
    mail = f"mailto://robot@127.0.0.1:{smtp_port}?from=robot@soczakaz.example.ru&secure=no"
    return keep | {
        "HOME": str(home),
        "SOCZAKAZ_DATABASE_URL": settings.database_url,
        "SOCZAKAZ_EVIDENCE_DIR": str(settings.evidence_dir),
        "SOCZAKAZ_AUDIT_SIGNING_KEY": str(settings.audit_signing_key),
        "SOCZAKAZ_BASE_URL": base_url,
        "SOCZAKAZ_CHANNELS": json.dumps({"email": mail}),
    }


def _roadmap(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [ROADMAP, *args], env=env, cwd=env["HOME"], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


@pytest.fixture
def served(
    tmp_path: Path, settings: Settings, mailbox: tuple[Mailbox, int]
) -> Iterator[tuple[str, dict[str, str], Path]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _env(tmp_path, settings, base, mailbox[1])
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [ROADMAP, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=env["HOME"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        yield base, env, log
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _wait_for(box: Mailbox, address: str, count: int) -> list[EmailMessage]:
    deadline = time.monotonic() + 20
    while len(box.to(address)) < count:
        assert time.monotonic() < deadline, [r for r, _ in box.messages]
        time.sleep(0.1)
    return box.to(address)


def test_invite_sign_in_reminder_step_upload(
    served: tuple[str, dict[str, str], Path],
    mailbox: tuple[Mailbox, int],
    engine: Engine,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import FilePayload, sync_playwright

    base, env, log = served
    box = mailbox[0]
    seeded = _seed(engine)
    with session_scope(engine) as s:
        head_link = login_link(s, seeded.head_id, "/admin/people", base_url=base)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        # 1. The МОЦ head adds the organisation's contact and sends the invitation.
        head = browser.new_context(locale="ru-RU").new_page()
        head.goto(head_link)
        assert head.url == f"{base}/admin/people"
        head.fill("[name=full_name]", "Сидорова Мария Ивановна")
        head.fill("[name=email]", CONTACT)
        head.select_option("[name=role]", "org_contact")
        head.select_option("[name=organisation]", str(seeded.org_id))
        with head.expect_navigation():
            head.locator("#add-person-form [type=submit]").click()
        assert "ok=added" in head.url, head.inner_text("main")
        row = head.locator("tr", has_text="Сидорова Мария Ивановна")
        with head.expect_navigation():
            row.get_by_role("button", name="Отправить приглашение").click()
        assert "ok=invited" in head.url
        assert box.messages == []  # queued in the outbox, not sent by the web request

        # 2. `roadmap dispatch` delivers it to the SMTP server; the link signs her in.
        assert "Отправлено: 1" in _roadmap(env, "dispatch", "--without-prefect")
        [invite] = _wait_for(box, CONTACT, 1)
        assert invite["Subject"] == "Приглашение в soczakaz" and "3 дня" in _text(invite)
        [link] = _links(invite, "/auth/link/")
        assert link.startswith(f"{base}/auth/link/")
        contact = browser.new_context(locale="ru-RU").new_page()
        contact.goto(link)
        assert contact.url == f"{base}/"
        assert "Сидорова Мария Ивановна" in contact.inner_text("header")
        jar = contact.context.cookies()
        assert any(c["name"] == "soczakaz_session" and c["httpOnly"] for c in jar)
        contact.goto(link)  # single use: the second visit signs nobody in
        assert "Ссылка для входа недействительна" in contact.inner_text("main")

        # 3. The sweep makes the reminder of her step; dispatch delivers it.
        out = _roadmap(env, "sweep", "--without-prefect", "--as-of", seeded.due.isoformat())
        assert "напоминаний в очереди: 0" not in out, out
        _roadmap(env, "dispatch", "--without-prefect")
        reminder = next(
            m for m in _wait_for(box, CONTACT, 2) if "Приглашение" not in str(m["Subject"])
        )
        assert "Отчёт организации за квартал" in _text(reminder)
        # The link of the reminder opens the step for its recipient (issue 14 part B:
        # signed, purpose-bound /auth/step/…), in a browser that never signed in.
        [step_link] = _links(reminder, "/auth/step/")
        phone = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
        page = phone.new_page()
        page.goto(step_link)
        assert page.url == f"{base}/steps/{seeded.step_id}"
        assert "Сидорова Мария Ивановна" in page.inner_text("header")

        # 4. She uploads the evidence through the form; the step shows completed.
        page.fill("[name=recipient]", "Управление образования Лужского района")
        page.fill("[name=sent_date]", seeded.due.isoformat())
        pdf: FilePayload = {"name": "otchet.pdf", "mimeType": "application/pdf", "buffer": REPORT}
        page.set_input_files("input[type=file][name=file]", files=[pdf])
        with page.expect_navigation():
            page.locator("#complete-form [type=submit]").first.click()
        assert "done=1" in page.url, page.inner_text("main")
        assert "Шаг отмечен выполненным." in page.inner_text("main")
        assert "выполнен" in page.inner_text("main").lower()
        shots = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "invite-e2e-step-done-390.png"), full_page=True)
        browser.close()

    with session_scope(engine) as s:
        step = s.get(Step, seeded.step_id)
        assert step is not None and step.status == StepStatus.done
        ev = s.exec(select(Evidence).where(Evidence.step_id == seeded.step_id)).one()
        assert ev.file_sha256 == hashlib.sha256(REPORT).hexdigest()
        person = s.exec(select(Person).where(Person.email == CONTACT)).one()
        assert person.role == Role.org_contact and person.organisation_id == seeded.org_id
        assert "Сидорова" in ev.submitted_by
    # No credential in the server's access log: link tokens are masked.
    served_log = log.read_text()
    for url in (link, step_link):
        token = url.rsplit("/", 1)[1]
        assert token not in served_log
    assert "GET /auth/link/*** " in served_log and "GET /auth/step/*** " in served_log
