"""Issue 14: password sign-in (argon2), its rate limit, login CSRF, sign out everywhere."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from models import Person
from models.db import session_scope
from models.people import SignInSession
from models.settings import Settings
from tests.web_fixtures import NOW, World, auth
from web.app import create_app
from web.auth_links import login_link
from web.auth_password import MAX_PER_ACCOUNT, MAX_PER_ADDRESS, hasher

pytest_plugins = ["tests.web_fixtures"]

EMAIL = "sidorov@ddt.example.ru"
PASSWORD = "Весна-2025-отчёт"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app_client(engine: Engine, settings: Settings, world: World, clock: Clock) -> TestClient:
    with session_scope(engine) as s:
        p = s.get(Person, world.person_ids["org_contact"])
        assert p is not None
        p.email = EMAIL
        p.password_hash = hasher().hash(PASSWORD)
        s.add(p)
    return TestClient(create_app(settings, engine=engine, clock=clock))


def _fresh(client: TestClient) -> TestClient:
    """Another browser on the same server (its own cookie jar)."""
    return TestClient(client.app)


def _csrf(html: str) -> str:
    m = _CSRF.search(html)
    assert m, html[:500]
    return m.group(1)


def _sign_in(client: TestClient, email: str, password: str, next_: str = "/") -> int:
    page = client.get("/login")
    assert page.status_code == 200 and 'action="/login/password"' in page.text
    data = {"email": email, "password": password, "next": next_, "csrf_token": _csrf(page.text)}
    r = client.post("/login/password", data=data, follow_redirects=False)
    return int(r.status_code)


def test_password_sign_in_sets_the_session_cookie_and_returns_to_next(
    app_client: TestClient, world: World
) -> None:
    step = world.own.org_step
    page = app_client.get("/login", params={"next": f"/steps/{step}"})
    assert "Прислать ссылку для входа" in page.text and "Вход по паролю" in page.text
    data = {
        "email": EMAIL.upper(),
        "password": PASSWORD,
        "next": f"/steps/{step}",
        "csrf_token": _csrf(page.text),
    }
    r = app_client.post("/login/password", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/steps/{step}"
    cookie = r.headers["set-cookie"]
    assert "soczakaz_session=" in cookie and "HttpOnly" in cookie and "Max-Age=43200" in cookie
    assert app_client.get(f"/steps/{step}").status_code == 200
    # The open-redirect guard applies to password sign-in too.
    other = _fresh(app_client)
    page = other.get("/login")
    data |= {"next": "//evil.example/x", "csrf_token": _csrf(page.text), "email": EMAIL}
    r = other.post("/login/password", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


@pytest.mark.parametrize(
    ("email", "password"),
    [(EMAIL, "неправильный-пароль"), ("nobody@example.ru", PASSWORD), ("", ""), (EMAIL, "")],
)
def test_wrong_credentials_get_one_russian_answer(
    app_client: TestClient, email: str, password: str
) -> None:
    page = app_client.get("/login")
    data = {"email": email, "password": password, "csrf_token": _csrf(page.text)}
    r = app_client.post("/login/password", data=data, follow_redirects=False)
    assert r.status_code == 401
    assert "Неверный адрес электронной почты или пароль." in r.text
    assert "soczakaz_session" not in r.headers.get("set-cookie", "")


def test_disabled_person_and_person_without_password_cannot_sign_in(
    app_client: TestClient, engine: Engine, world: World
) -> None:
    with session_scope(engine) as s:
        head = s.get(Person, world.person_ids["moc_head"])
        assert head is not None
        head.email = "head@example.ru"  # no password: links only
        s.add(head)
    assert _sign_in(app_client, "head@example.ru", "") == 401
    assert _sign_in(app_client, "head@example.ru", PASSWORD) == 401
    with session_scope(engine) as s:
        p = s.get(Person, world.person_ids["org_contact"])
        assert p is not None
        p.disabled_at = NOW
        s.add(p)
    assert _sign_in(app_client, EMAIL, PASSWORD) == 401


def test_failed_attempts_are_limited_per_account(app_client: TestClient, clock: Clock) -> None:
    for _ in range(MAX_PER_ACCOUNT):
        assert _sign_in(app_client, EMAIL, "не тот пароль") == 401
    # Past the limit even the right password is not checked; the answer says why.
    page = app_client.get("/login")
    data = {"email": EMAIL, "password": PASSWORD, "csrf_token": _csrf(page.text)}
    r = app_client.post("/login/password", data=data, follow_redirects=False)
    assert r.status_code == 429
    assert "Слишком много неудачных попыток входа" in r.text and "15 минут" in r.text
    # Another address does not help for this account ...
    assert _sign_in(_fresh(app_client), EMAIL, PASSWORD) == 429
    # ... and after the window the account opens again (success clears its count).
    clock.now = NOW + dt.timedelta(minutes=15, seconds=1)
    assert _sign_in(app_client, EMAIL, PASSWORD) == 303
    assert _sign_in(_fresh(app_client), EMAIL, "не тот пароль") == 401


def test_failed_attempts_are_limited_per_client_address(app_client: TestClient) -> None:
    for i in range(MAX_PER_ADDRESS):
        assert _sign_in(app_client, f"guess{i}@example.ru", "пароль-наугад") == 401
    # This address is closed for every account, the right one included.
    assert _sign_in(app_client, EMAIL, PASSWORD) == 429


def test_sign_in_forms_refuse_cross_site_posts(app_client: TestClient) -> None:
    data = {"email": EMAIL, "password": PASSWORD}
    # No login-CSRF cookie and field: refused, with a Russian reason, nothing signed in.
    r = app_client.post("/login/password", data=data, follow_redirects=False)
    assert r.status_code == 403 and "Форма входа устарела" in r.text
    page = app_client.get("/login")
    token = _csrf(page.text)
    evil = {"Origin": "http://evil.example"}
    r = app_client.post(
        "/login/password", data=data | {"csrf_token": token}, headers=evil, follow_redirects=False
    )
    assert r.status_code == 403
    forged = data | {"csrf_token": token[:-2] + "xx"}
    assert app_client.post("/login/password", data=forged).status_code == 403
    # The e-mail link form is protected the same way.
    assert app_client.post("/login", data={"email": EMAIL}).status_code == 403
    ok = app_client.post("/login", data={"email": EMAIL, "csrf_token": token})
    assert ok.status_code == 200 and "отправлено письмо" in ok.text


def _link_session(client: TestClient, engine: Engine, person_id: int) -> None:
    with session_scope(engine) as s:
        url = login_link(s, person_id, "/account/password", base_url="", now=NOW)
    assert client.get(url, follow_redirects=False).status_code == 303


def test_set_password_page(
    app_client: TestClient, engine: Engine, world: World, clock: Clock
) -> None:
    pid = world.person_ids["moc_head"]
    with session_scope(engine) as s:
        head = s.get(Person, pid)
        assert head is not None
        head.email = "head@example.ru"
        s.add(head)
    other_browser = _fresh(app_client)
    _link_session(other_browser, engine, pid)
    _link_session(app_client, engine, pid)
    page = app_client.get("/account/password")
    assert page.status_code == 200 and "Задать пароль" in page.text
    token = _csrf(page.text)

    def post(p1: str, p2: str, csrf: str = token) -> tuple[int, str]:
        data = {"password": p1, "password2": p2, "csrf_token": csrf}
        r = app_client.post("/account/password", data=data, follow_redirects=False)
        return r.status_code, r.text

    assert post(PASSWORD, PASSWORD, csrf="")[0] == 403  # CSRF on every POST
    code, text = post("короткий", "короткий")
    assert code == 422 and "не меньше 10 символов" in text
    code, text = post(PASSWORD, PASSWORD + "!")
    assert code == 422 and "Пароли не совпадают" in text
    code, text = post("head@example.ru", "head@example.ru")
    assert code == 422 and "не должен совпадать с адресом" in text
    with session_scope(engine) as s:
        assert (p := s.get(Person, pid)) is not None and p.password_hash is None
    code, text = post(PASSWORD, PASSWORD)
    assert code == 200 and "Пароль сохранён" in text
    with session_scope(engine) as s:
        p = s.get(Person, pid)
        assert p is not None and (p.password_hash or "").startswith("$argon2id$")
        assert PASSWORD not in (p.password_hash or "")
    # The other browser's session is over; this one stays.
    assert other_browser.get("/", follow_redirects=False).status_code == 303
    assert app_client.get("/").status_code == 200
    assert _sign_in(_fresh(app_client), "head@example.ru", PASSWORD) == 303
    # A token (API, scripts) cannot set a password: only a signed-in browser.
    r = _fresh(app_client).post(
        "/account/password",
        data={"password": PASSWORD, "password2": PASSWORD},
        headers=auth(world, "moc_head"),
    )
    assert r.status_code == 403


def test_sign_out_everywhere_ends_password_sessions(
    app_client: TestClient, engine: Engine, world: World
) -> None:
    laptop, phone = app_client, _fresh(app_client)
    assert _sign_in(laptop, EMAIL, PASSWORD) == 303
    assert _sign_in(phone, EMAIL, PASSWORD) == 303
    assert phone.get("/api/me").status_code == 200
    page = laptop.get(f"/steps/{world.own.org_step}")
    r = laptop.post(
        "/logout/everywhere", data={"csrf_token": _csrf(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303
    assert phone.get("/api/me").status_code == 401
    assert laptop.get("/", follow_redirects=False).status_code == 303
    with session_scope(engine) as s:
        pid = world.person_ids["org_contact"]
        rows = s.exec(select(SignInSession).where(SignInSession.person_id == pid)).all()
        assert len(rows) == 2 and all(r.revoked_at is not None for r in rows)


def test_sign_in_page_after_a_refused_write_has_working_forms(app_client: TestClient) -> None:
    """A page write with an expired session answers 401 with the sign-in page; its forms work."""
    app_client.cookies.set("soczakaz_session", "expired-or-forged")
    r = app_client.post("/admin/people", data={"full_name": "x"})
    assert r.status_code == 401 and 'action="/login/password"' in r.text
    data = {"email": EMAIL, "password": PASSWORD, "csrf_token": _csrf(r.text)}
    ok = app_client.post("/login/password", data=data, follow_redirects=False)
    assert ok.status_code == 303
