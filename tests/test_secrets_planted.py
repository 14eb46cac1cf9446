"""Planted secrets never come out (issue 14), on both databases.

Channels are configured with recognisable passwords, an API key and a bot
token, steps links with a recognisable signing secret; people reference the
channels by name. Then the product is used as people use it: CLI commands in
a subprocess with a fresh HOME (help, status, outbox, people, refused
credential URLs, a malformed SOCZAKAZ_CHANNELS, a dispatch that fails), the
dashboard under uvicorn called on every page, API route and feed as several
roles (tokens and a signed-in browser session). Every stdout/stderr, the
server's log, every file under HOME, every HTTP body and header, and every
text of every database table is searched: no planted secret, no session
cookie, no access token may appear (the one Set-Cookie that starts a session
excepted).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pendulum
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from models import Person
from models.db import session_scope
from models.settings import Settings
from notifications.reminders import enqueue_due_reminders
from tests.access_routes import seed_extra
from tests.live_server import ROOT, serve, stop
from tests.test_web_access import RULES, Filler
from tests.web_fixtures import World
from web.auth_links import login_link
from web.auth_tokens import add_access_token
from web.server import free_port

pytest_plugins = ["tests.web_fixtures"]

MAIL_PW = "PlantedMailPw7731"
HOOK_PW = "PlantedHookPw9910"
API_KEY = "PlantedApiKey5542"
BOT = "123456789:PlantedBotTokenAbcdefghijklmnop"
LINK_SECRET = "PlantedLinkSecret4410"
PLANTED = [MAIL_PW, HOOK_PW, API_KEY, BOT, BOT.split(":")[1], LINK_SECRET]
CHANNELS = {
    "email": f"mailtos://robot:{MAIL_PW}@127.0.0.1:9?from=robot@soczakaz.ru&secure=no",
    "hook": f"json://hooker:{HOOK_PW}@127.0.0.1:9/hook?apikey={API_KEY}",
    "telegram": f"tgram://{BOT}/",
}
NOTIFY = ["email:ivanova@school.ru", "telegram:123456", "@hook"]
ROLES_SEEN = ("admin", "moc_head", "org_contact", "auditor")


def _env(db_url: str, home: Path) -> dict[str, str]:
    return {
        "SOCZAKAZ_DATABASE_URL": db_url,
        "SOCZAKAZ_CHANNELS": json.dumps(CHANNELS),
        "SOCZAKAZ_LINK_SECRET": LINK_SECRET,
        "SOCZAKAZ_EVIDENCE_DIR": str(home / "evidence"),
        "SOCZAKAZ_OUTBOX_MAX_ATTEMPTS": "1",
    }


def _cli(home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {"PATH": os.environ["PATH"], "HOME": str(home), "COLUMNS": "200", **env}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _seed(engine: Engine, settings: Settings, world: World) -> None:
    cfg = settings.model_copy(update={"channels": CHANNELS})
    with session_scope(engine) as s:
        for role in ("moc_head", "org_contact"):
            p = s.get(Person, world.person_ids[role])
            assert p is not None
            p.notify = list(NOTIFY)
            s.add(p)
    now = pendulum.datetime(2025, 3, 11, 10, 0, tz="Europe/Moscow")
    with session_scope(engine) as s:
        n = enqueue_due_reminders(
            s, municipality_ids=[world.own.municipality_id], now=now, settings=cfg
        )
    assert n >= 3  # a reminder per channel of the organisation's contact


def _cli_outputs(home: Path, env: dict[str, str], world: World) -> list[str]:
    out: list[str] = []

    def run(*args: str, code: int = 0, extra: dict[str, str] | None = None) -> None:
        r = _cli(home, {**env, **(extra or {})}, *args)
        assert r.returncode == code, (args, r.returncode, r.stdout[-800:], r.stderr[-800:])
        out.extend([r.stdout, r.stderr])

    run("--help")
    run("status", "-m", "krylovsky")
    run("person", "list")
    run("person", "list", "--json")
    run("person", "show", str(world.person_ids["org_contact"]))
    run("outbox", "list")
    run("outbox", "list", "--json")
    run("person", "invite", str(world.person_ids["org_contact"]))  # sign-in e-mail queued
    run("dispatch", "--without-prefect")  # every channel refuses: 127.0.0.1:9, no network
    run("outbox", "list", "--status", "dead", "--json")
    # Credential URLs are refused wherever a person row is written.
    for url in CHANNELS.values():
        run("person", "add", "Секретов С. С.", "--role", "admin", "--notify", url, code=2)
        run(
            "review",
            *("expert", "add", "--municipality", "krylovsky", "--name", "Э"),
            *("--notify", url),
            code=2,
        )
    bad = json.dumps(CHANNELS)[:-3]  # malformed JSON still holding the secrets
    run("outbox", "list", code=2, extra={"SOCZAKAZ_CHANNELS": bad})
    run("status", "-m", "krylovsky", code=2, extra={"SOCZAKAZ_CHANNELS": '{"Bad name": "x"}'})
    run("serve", "--port", "9", code=2, extra={"SOCZAKAZ_CHANNELS": bad})  # server start
    run(
        "outbox",
        "list",
        code=2,
        extra={"SOCZAKAZ_CHANNELS": json.dumps({"email": 5, "x": MAIL_PW})},
    )
    return out


def _http_outputs(
    base: str, engine: Engine, settings: Settings, world: World
) -> tuple[list[str], list[str]]:
    """(every response as text, the credentials used) for pages, API and feeds."""
    wall = dt.datetime.now(dt.UTC)
    tokens: dict[str, str] = {}
    with session_scope(engine) as s:
        for role in ROLES_SEEN:
            tokens[role] = f"szk_planted_{role}_token_0123456789"
            add_access_token(
                s, world.person_ids[role], tokens[role], expires_at=wall + dt.timedelta(hours=1)
            )
        link = login_link(s, world.person_ids["moc_head"], "/", base_url=base, now=wall)
    extra = seed_extra(engine, settings, world)
    fill = Filler(engine, world, extra)
    texts: list[str] = []
    creds = list(tokens.values())

    def keep(r: httpx.Response) -> None:
        texts.append(f"{r.status_code} {dict(r.headers)}\n{r.text}")

    with httpx.Client(base_url=base) as c:
        signed = c.get(link.removeprefix(base), follow_redirects=False)
        assert signed.status_code == 303
        cookie = c.cookies.get("soczakaz_session")
        assert cookie
        creds.append(cookie)
        for path in ("/login", "/healthz", "/docs", "/openapi.json", "/auth/step/x.y"):
            keep(c.get(path, follow_redirects=False))
        for rule in RULES:
            if rule.method != "GET":
                continue
            for side in ("own", "other"):
                path = fill.path(rule, side)
                keep(c.get(path, follow_redirects=False))  # the browser session
                for token in tokens.values():
                    h = {"Authorization": f"Bearer {token}"}
                    keep(c.get(path, headers=h, follow_redirects=False))
    return texts, creds


def _db_texts(engine: Engine) -> list[str]:
    out: list[str] = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                out.extend(str(v) for v in row if v is not None)
    return out


def _home_texts(home: Path) -> list[str]:
    return [p.read_bytes().decode("utf-8", "replace") for p in home.rglob("*") if p.is_file()]


def test_planted_secrets_never_come_out(
    db_url: str, engine: Engine, settings: Settings, world: World, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = _env(db_url, home)
    _seed(engine, settings, world)
    outputs = _cli_outputs(home, env, world)
    # The dispatch failed on every channel and recorded why (masked).
    with session_scope(engine) as s:
        from models import OutboxMessage

        errors = [m.last_error for m in s.execute(select(OutboxMessage)).scalars()]
    assert errors and all(errors), errors

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = serve(db_url, home, port, {**env, "SOCZAKAZ_BASE_URL": base})
    try:
        responses, creds = _http_outputs(base, engine, settings, world)
    finally:
        log = stop(proc)
    assert "GET /api/" in log  # the access log was on
    haystacks = {
        "cli": outputs,
        "server log": [log],
        "http": responses,
        "home files": _home_texts(home),
        "database": _db_texts(engine),
    }
    leaks = [
        f"{where}: {secret!r} in …{text[max(0, text.find(secret) - 80) : text.find(secret) + 40]!r}"
        for where, texts in haystacks.items()
        for text in texts
        for secret in [*PLANTED, *creds]
        if secret in text
    ]
    assert not leaks, "\n".join(leaks[:20])
    # The masked forms do show up, so the search looked where the secrets would be.
    assert any("email:ivanova@school.ru" in t for t in outputs)
    assert any("mailtos://***" in t or "канал" in t for t in outputs + errors)
