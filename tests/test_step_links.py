"""Reminder links open the step for their recipient (issue 14), on both databases.

In process (frozen clock): the reminder carries a signed link; its first visit
signs the recipient in and lands on the clean step URL, where they upload the
evidence; a second visit, an expired link, a disabled person sign nobody in; a
forged link (another step) is refused. Out of process: ``roadmap serve`` under
uvicorn, the access log on — the same, and no token in the log.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import httpx
import pendulum
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import select

from models import OutboxMessage, Person
from models.db import session_scope
from models.people import ServerKey
from models.settings import Settings
from notifications.links import StepLinks, read_grant
from notifications.reminders import enqueue_due_reminders
from tests.live_server import serve
from tests.web_fixtures import NOW, PDF, REPORT_FIELDS, World
from web.headers import redact
from web.server import free_port
from web.step_links import STEP_LINK_PREFIX, step_link

pytest_plugins = ["tests.web_fixtures"]

COOKIE = "soczakaz_session"
LINK_RE = re.compile(r"https?://\S+?(/auth/step/[A-Za-z0-9_.~-]+)")


def _set_notify(
    engine: Engine, person_id: int, notify: list[str], *, disabled: bool = False
) -> None:
    with session_scope(engine) as s:
        p = s.get(Person, person_id)
        assert p is not None
        p.notify = notify
        p.disabled_at = NOW if disabled else None
        s.add(p)


def _reminder_links(engine: Engine, settings: Settings, world: World) -> list[str]:
    # Tuesday 11 March 2025, 10:00 Moscow: before:1 of the org step due on the 12th.
    now = pendulum.datetime(2025, 3, 11, 10, 0, tz="Europe/Moscow")
    with session_scope(engine) as s:
        enqueue_due_reminders(
            s, municipality_ids=[world.own.municipality_id], now=now, settings=settings
        )
    with session_scope(engine) as s:
        rows = s.execute(
            select(OutboxMessage).where(OutboxMessage.step_id == world.own.org_step)
        ).scalars()
        return [r.body_text for r in rows if r.person_id == world.person_ids["org_contact"]]


def test_reminder_link_signs_recipient_in_once_and_lands_on_step(
    client: TestClient, engine: Engine, settings: Settings, world: World
) -> None:
    _set_notify(engine, world.person_ids["org_contact"], ["console://org"])
    (body,) = _reminder_links(engine, settings, world)
    m = LINK_RE.search(body)
    assert m is not None, body
    link = m.group(1)
    assert f"/steps/{world.own.org_step}" not in body  # the plain link is replaced

    r = client.get(link, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/steps/{world.own.org_step}"  # clean URL
    assert COOKIE in r.headers.get("set-cookie", "")
    me = client.get("/api/me").json()
    assert me["person_id"] == world.person_ids["org_contact"]  # that person, nobody else

    page = client.get(f"/steps/{world.own.org_step}")
    assert page.status_code == 200
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post(
        f"/steps/{world.own.org_step}/complete",
        data={**REPORT_FIELDS, "csrf_token": csrf},
        files={"file": ("otchet.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text  # evidence uploaded by the recipient

    client.cookies.clear()
    again = client.get(link, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == f"/steps/{world.own.org_step}"
    assert COOKIE not in again.headers.get("set-cookie", "")  # used: signs nobody in
    back = client.get(again.headers["location"], follow_redirects=False)
    assert back.status_code == 303
    assert back.headers["location"] == f"/login?next=%2Fsteps%2F{world.own.org_step}"


def test_expired_forged_and_disabled_links(
    client: TestClient, engine: Engine, settings: Settings, world: World
) -> None:
    pid, step = world.person_ids["org_contact"], world.own.org_step
    with session_scope(engine) as s:
        old = step_link(s, settings, pid, step, now=NOW - dt.timedelta(days=15))
        live = step_link(s, settings, pid, step, now=NOW)
        key = s.execute(select(ServerKey)).scalars().first()
        assert key is not None
    path = old.removeprefix(settings.base_url)
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and COOKIE not in r.headers.get("set-cookie", "")  # expired

    # Another step: the payload changed, the signature no longer matches -> 400.
    token = live.rsplit("/", 1)[1]
    grant = read_grant(key.key, token)
    assert grant is not None and grant.step_id == step
    value, sig = token.rsplit(".", 1)
    parts = value.split("~")
    assert parts[2] == str(step)
    other = "~".join([*parts[:2], str(world.other.org_step), *parts[3:]])
    spliced = f"{other}.{sig}"  # another step, the original signature
    resigned = StepLinks("wrong-key", "", NOW).url(pid, world.other.org_step).rsplit("/", 1)[1]
    later = "~".join([*parts[:3], str(int(parts[3]) + 86400 * 365), parts[4]]) + "." + sig
    for bad in (spliced, resigned, later, token[:-2] + "xx", "garbage", value):
        r = client.get(STEP_LINK_PREFIX + bad, follow_redirects=False)
        assert r.status_code == 400, bad
        assert COOKIE not in r.headers.get("set-cookie", "")
    # A session link is no step link (purpose-bound salt and payload).
    assert read_grant(key.key, client.cookies.get(COOKIE) or "x") is None

    _set_notify(engine, pid, [], disabled=True)
    r = client.get(STEP_LINK_PREFIX + token, follow_redirects=False)
    assert r.status_code == 303 and COOKIE not in r.headers.get("set-cookie", "")


def test_disabled_recipient_keeps_plain_link_and_log_masks_token(
    engine: Engine, settings: Settings, world: World
) -> None:
    _set_notify(engine, world.person_ids["org_contact"], ["console://org"], disabled=True)
    (body,) = _reminder_links(engine, settings, world)
    assert f"{settings.base_url}/steps/{world.own.org_step}" in body
    assert "/auth/step/" not in body
    line = redact('127.0.0.1:5 - "GET /auth/step/WyJzdGVwIiwx.abc HTTP/1.1" 303')
    assert "WyJzdGVwIiwx" not in line and "/auth/step/***" in line


def test_configured_secret_signs_links(settings: Settings, engine: Engine) -> None:
    cfg = settings.model_copy(update={"link_secret": SecretStr("planted-link-secret-1")})
    with session_scope(engine) as s:
        from notifications.links import link_key

        assert link_key(s, cfg) == "planted-link-secret-1"
    url = StepLinks("planted-link-secret-1", "http://h", NOW).url(1, 2)
    assert "planted-link-secret-1" not in url
    assert read_grant("planted-link-secret-1", url.rsplit("/", 1)[1]) is not None
    assert read_grant("another", url.rsplit("/", 1)[1]) is None


def test_link_under_uvicorn_once_for_that_person_and_never_logged(
    db_url: str, engine: Engine, settings: Settings, world: World, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cfg = settings.model_copy(update={"base_url": base})
    wall = dt.datetime.now(dt.UTC)
    pid, step = world.person_ids["org_contact"], world.own.org_step
    with session_scope(engine) as s:
        link = step_link(s, cfg, pid, step, now=wall)
        expired = step_link(s, cfg, pid, step, now=wall - dt.timedelta(days=15))
        other_step = step_link(s, cfg, pid, world.other.org_step, now=wall)
    proc = serve(db_url, tmp_path, port)
    try:
        with httpx.Client(base_url=base) as c:
            r = c.get(link.removeprefix(base))
            assert r.status_code == 303 and r.headers["location"] == f"/steps/{step}"
            assert c.get("/api/me").json()["person_id"] == pid
            assert c.get(f"/steps/{step}").status_code == 200
            # Signed for a step of another municipality: the person is signed in, the
            # step stays out of their scope.
            r = c.get(other_step.removeprefix(base))
            assert r.status_code == 303
            assert c.get(r.headers["location"]).status_code == 404
        with httpx.Client(base_url=base) as c:
            r = c.get(link.removeprefix(base))
            assert r.status_code == 303 and COOKIE not in r.headers.get("set-cookie", "")
            assert c.get("/api/me").status_code == 401  # used once already
            r = c.get(expired.removeprefix(base))
            assert r.status_code == 303 and COOKIE not in r.headers.get("set-cookie", "")
            forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
            assert c.get(forged.removeprefix(base)).status_code == 400
    finally:
        os.killpg(proc.pid, 15)
        log = proc.communicate(timeout=20)[0].decode()
    assert "GET /auth/step/***" in log, log  # the access log is on and masks the token
    for url in (link, expired, other_step):
        token = url.rsplit("/", 1)[1]
        assert token not in log and token.split(".")[0] not in log


def test_link_signed_with_a_racing_second_server_key_opens(
    client: TestClient, engine: Engine, settings: Settings, world: World
) -> None:
    """Two first sweeps on an empty database may each make a server key: both verify."""
    pid, step = world.person_ids["org_contact"], world.own.org_step
    with session_scope(engine) as s:
        first = step_link(s, settings, pid, step, now=NOW)  # makes (or reads) key 1
        s.add(ServerKey(key="second-racing-key-0123456789"))
    url = StepLinks("second-racing-key-0123456789", "", NOW).url(pid, step)
    for link in (first.removeprefix(settings.base_url), url):
        client.cookies.clear()
        r = client.get(link, follow_redirects=False)
        assert r.status_code == 303 and COOKIE in r.headers.get("set-cookie", ""), link
