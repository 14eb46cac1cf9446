"""Issue 14: malformed accounts, expired/revoked credentials, CSRF, headers, migration 0002."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from models import Person, Role
from models.db import session_scope
from models.migrate import upgrade
from models.people import TokenScope
from models.settings import Settings
from tests.web_fixtures import NOW, World, auth
from web.access import Scope, build_scope
from web.auth_links import login_link
from web.auth_tokens import add_access_token

pytest_plugins = ["tests.web_fixtures"]


def test_database_refuses_org_contact_without_organisation(engine: Engine, world: World) -> None:
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.add(Person(full_name="Без организации", role=Role.org_contact, municipality_id=1))


def _step_ids(world: World) -> list[int]:
    return [
        x
        for side in (world.own, world.other)
        for x in (side.npa_step, side.org_step, side.blocked_step, side.review_step)
    ]


@pytest.mark.parametrize("role", ["org_contact", "moc_head", "auditor"])
def test_malformed_accounts_see_nothing(engine: Engine, world: World, role: str) -> None:
    """An account lacking what its role needs (no org / municipality / list) is empty."""
    with session_scope(engine) as s:
        p = Person(
            id=999, full_name="X", role=Role(role), municipality_id=None, organisation_id=None
        )
        scope: Scope = build_scope(s, p)
        from sqlalchemy import select

        from models import Step

        seen = s.execute(scope.steps(select(col(Step.id)))).scalars().all()
        assert seen == [], (role, seen)
        steps = [s.get(Step, i) for i in _step_ids(world)]
        assert all(st is not None for st in steps)
        assert not any(scope.can_complete(st) for st in steps if st is not None)


def test_disabled_person_and_expired_or_revoked_credentials(
    client: TestClient, world: World, engine: Engine
) -> None:
    pid = world.person_ids["moc_head"]
    with session_scope(engine) as s:
        add_access_token(
            s,
            pid,
            "expired-token-000",
            scope=TokenScope.write,
            expires_at=NOW - dt.timedelta(seconds=1),
        )
        link = login_link(s, pid, "/", base_url="", now=NOW - dt.timedelta(minutes=16))
    expired = {"Authorization": "Bearer expired-token-000"}
    assert client.get("/api/me", headers=expired).status_code == 401
    assert client.get(link, follow_redirects=False).status_code == 400  # link expired
    assert client.get("/api/me", params={"token": world.tokens["admin"]}).status_code == 401
    with session_scope(engine) as s:
        p = s.get(Person, pid)
        assert p is not None
        p.disabled_at = NOW
        s.add(p)
    assert client.get("/api/me", headers=auth(world, "moc_head")).status_code == 403


def _signed_in(client: TestClient, engine: Engine, world: World, role: str, next_: str) -> str:
    with session_scope(engine) as s:
        url = login_link(s, world.person_ids[role], next_, base_url="", now=NOW)
    r = client.get(url, follow_redirects=False)
    assert r.status_code == 303
    return str(client.cookies.get("soczakaz_session"))


def test_csrf_and_origin_are_required_for_cookie_writes(
    client: TestClient, world: World, engine: Engine
) -> None:
    step = world.own.org_step
    _signed_in(client, engine, world, "org_contact", f"/steps/{step}")
    page = client.get(f"/steps/{step}")
    assert page.status_code == 200 and 'name="csrf_token" value="' in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    assert len(token) > 20
    api = f"/api/steps/{step}/complete"
    assert client.post(api, data={"fields": "{}"}).status_code == 403  # no CSRF token
    evil = {"Origin": "http://evil.example", "X-CSRF-Token": token}
    assert client.post(api, data={"fields": "{}"}, headers=evil).status_code == 403
    ok = client.post(api, data={"fields": "{}"}, headers={"X-CSRF-Token": token})
    assert ok.status_code not in (401, 403), ok.text  # passes the door (may be 422)
    # Sign out everywhere: the cookie stops working server-side.
    cookie = client.cookies.get("soczakaz_session")
    out = client.post("/logout/everywhere", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.set("soczakaz_session", str(cookie))
    assert client.get("/api/me").status_code == 401


def test_security_headers_on_private_pages(client: TestClient, world: World) -> None:
    r = client.get("/api/me", headers=auth(world, "admin"))
    assert r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


def test_people_data_survives_upgrade_0001_to_0002(blank_db_url: str) -> None:
    engine = create_engine(blank_db_url)
    upgrade(engine, "0001_baseline")
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO municipality (code, name, region, timezone, created_at) "
                "VALUES ('m1', 'М', '', 'Europe/Moscow', CURRENT_TIMESTAMP)"
            )
        )
        c.execute(
            text(
                "INSERT INTO person (full_name, role, email, notify, digest, "
                "auditor_municipality_ids, token_sha256) VALUES "
                "('Глава', 'moc_head', 'a@b.ru', '[]', false, '[]', 'abc'), "
                "('Сломанный', 'org_contact', '', '[]', false, '[]', NULL)"
            )
        )
    upgrade(engine, "0002_people_access")
    with engine.begin() as c:
        rows = c.execute(
            text("SELECT full_name, disabled_at IS NOT NULL, token_sha256 FROM person ORDER BY id")
        ).all()
        assert [tuple(r) for r in rows] == [("Глава", False, None), ("Сломанный", True, None)]
        c.execute(text("SELECT count(*) FROM sign_in_session")).scalar_one()
    with pytest.raises(IntegrityError), engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO person (full_name, role, email, notify, digest, "
                "auditor_municipality_ids) VALUES ('X', 'org_contact', '', '[]', "
                "false, '[]')"
            )
        )
    engine.dispose()


def test_person_cli_add_list_login_link_disable(
    client: TestClient, world: World, engine: Engine, cli_env: dict[str, str]
) -> None:
    import json

    from typer.testing import CliRunner

    from cli.main import app as cli_app

    run = CliRunner()
    bad = run.invoke(cli_app, ["person", "add", "X", "--role", "org_contact"], env=cli_env)
    assert bad.exit_code == 2 and "--organisation" in bad.output
    name = "[/bold] Петров"
    ok = run.invoke(
        cli_app,
        [
            "person",
            "add",
            name,
            "--role",
            "moc_head",
            "--municipality",
            "krylovsky",
            "--email",
            "p@x.ru",
        ],
        env=cli_env,
    )
    assert ok.exit_code == 0 and name in ok.output, ok.output
    people = json.loads(run.invoke(cli_app, ["person", "list", "--json"], env=cli_env).output)
    me = next(p for p in people if p["full_name"] == name)
    assert me["role"] == "moc_head" and me["municipality_id"] == world.own.municipality_id
    args = ["person", "login-link", str(me["id"]), "--next", f"/steps/{world.own.npa_step}"]
    url = run.invoke(cli_app, args, env=cli_env).output.strip()
    assert "/auth/link/" in url and "token=" not in url
    path = url[url.index("/auth/link/") :]
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/steps/{world.own.npa_step}"
    assert run.invoke(cli_app, ["person", "disable", "p@x.ru"], env=cli_env).exit_code == 0
    again = run.invoke(cli_app, args, env=cli_env)
    assert again.exit_code == 2 and "отключена" in again.output


def test_planted_channel_secrets_never_reach_api_or_page(
    client: TestClient, world: World, engine: Engine
) -> None:
    from notifications.outbox import enqueue

    target = "json://user:PW-PLANTED-1@hooks.example.ru/x?apikey=KEY-PLANTED-2"
    with session_scope(engine) as s:
        enqueue(
            s,
            dedupe_key="planted",
            municipality_id=world.own.municipality_id,
            step_id=world.own.org_step,
            person_id=None,
            rule="due",
            channel="webhook",
            target=target,
            subject="s",
            body_text="b",
            body_html="",
            body_short="b",
            not_before=NOW,
        )
    api = client.get(f"/api/steps/{world.own.org_step}", headers=auth(world, "admin"))
    page = client.get(f"/steps/{world.own.org_step}", headers=auth(world, "admin"))
    assert api.status_code == 200 and page.status_code == 200
    assert api.json()["reminders"], api.json()
    for text_ in (api.text, page.text):
        assert "PW-PLANTED-1" not in text_ and "KEY-PLANTED-2" not in text_


def test_uploads_refused_before_the_body_is_read(
    client: TestClient, world: World, settings: object
) -> None:
    import os
    from pathlib import Path

    store = Path(str(getattr(settings, "evidence_dir", "")))
    before = sorted(store.rglob("*")) if store.exists() else []
    api = f"/api/steps/{world.own.org_step}/complete"
    anon = client.post(
        api, content=b"x" * 1000, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert anon.status_code == 401
    big = {
        "Content-Length": str(60 * 1024 * 1024),
        **auth(world, "admin"),
        "Content-Type": "multipart/form-data; boundary=b",
    }

    def body() -> Iterator[bytes]:
        yield b"x" * 1024  # the server must answer without reading 60 MB

    r = client.post(api, content=body(), headers=big)
    assert r.status_code == 413 and "МБ" in r.json()["detail"]
    after = sorted(store.rglob("*")) if store.exists() else []
    assert after == before, os.fspath(store)


def test_download_checks_the_stored_sha256(
    client: TestClient, world: World, engine: Engine, settings: Settings
) -> None:
    from domain.evidence.store import path_for
    from models import Evidence

    url = f"/api/evidence/{world.own.evidence_id}/file"
    assert client.get(url, headers=auth(world, "admin")).status_code == 200
    with session_scope(engine) as s:
        ev = s.get(Evidence, world.own.evidence_id)
        assert ev is not None and ev.file_sha256
        path = path_for(settings.evidence_dir, ev.file_sha256)
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    r = client.get(url, headers=auth(world, "admin"))
    assert r.status_code == 409 and "повреждён" in r.text


def test_docs_are_served_from_local_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert "дорожные карты" in client.get("/openapi.json").json()["info"]["title"]


def test_access_log_never_prints_a_credential() -> None:
    import logging

    from web.headers import RedactAccessLog

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/auth/link/SECRET-LINK-1?next=/", "1.1", 303),
        None,
    )
    RedactAccessLog().filter(record)
    feed = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        "%s",
        ("/ical/s/SECRET-FEED-2.ics?token=SECRET-3",),
        None,
    )
    RedactAccessLog().filter(feed)
    text_ = record.getMessage() + feed.getMessage()
    assert "SECRET" not in text_ and "/auth/link/***" in text_ and "/ical/s/***" in text_
