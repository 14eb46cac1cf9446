"""Issue 14: the administration pages (/admin/people, /admin/organisations).

The matrix: every role × every admin route × own / other municipality, with the
expected code written out; then what each page does, and how it looks in
Chromium on a desktop and on a 390 px phone (screenshots in artifacts/).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from models import Organisation, Person, Role
from models.db import session_scope
from models.outbox import OutboxMessage
from models.people import MagicLink
from models.settings import Settings
from tests.web_fixtures import NOW, ROLES, Side, World, auth
from web.auth_links import login_link
from web.server import RunningServer, start_in_thread

pytest_plugins = ["tests.web_fixtures"]

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "artifacts" / "screenshots"
_serial = itertools.count(1)

MANAGE = {"admin": (303, 303), "moc_head": (303, 404)}
READ = {"admin": (200, 200), "moc_head": (200, 404)}


def expect(allowed: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Everyone else may never manage people: 403 wherever they ask."""
    return {r: allowed.get(r, (403, 403)) for r in ROLES}


def _contact(engine: Engine, side: Side) -> int:
    """A fresh organisation contact of ``side`` (to disable / invite)."""
    n = next(_serial)
    with session_scope(engine) as s:
        p = Person(
            full_name=f"Контакт {n}",
            role=Role.org_contact,
            municipality_id=side.municipality_id,
            organisation_id=side.org_id,
            email=f"contact{n}@example.ru",
            notify=[f"mailto://contact{n}@example.ru"],
        )
        s.add(p)
        s.flush()
        return int(p.id or 0)


def _add_person_form(side: Side, role: str) -> dict[str, str]:
    n = next(_serial)
    return {
        "full_name": f"Новый человек {n}",
        "role": role,
        "organisation": str(side.org_id),
        "municipality": side.code,
        "email": f"new{n}@example.ru",
    }


def _add_org_form(side: Side) -> dict[str, str]:
    n = next(_serial)
    return {
        "municipality": side.code,
        "code": f"school-{n}",
        "name": f"МБОУ СОШ № {n}",
        "kind": "school",
        "in_navigator": "1",
    }


def _call(
    client: TestClient, engine: Engine, case: str, side: Side, headers: dict[str, str]
) -> int:
    get = {
        "people list": f"/admin/people?m={side.code}",
        "organisations list": f"/admin/organisations?m={side.code}",
    }
    if case in get:
        return int(client.get(get[case], headers=headers).status_code)
    if case.startswith("add "):
        url = "/admin/organisations" if case == "add organisation" else "/admin/people"
        data = (
            _add_org_form(side)
            if case == "add organisation"
            else _add_person_form(side, case.split()[1])
        )
    else:
        url, data = f"/admin/people/{_contact(engine, side)}/{case}", {}
    r = client.post(url, data=data, headers=headers, follow_redirects=False)
    return int(r.status_code)


CASES = {
    "people list": expect(READ),
    "organisations list": expect(READ),
    "add org_contact": expect(MANAGE),
    "add moc_head": expect(MANAGE),
    "add organisation": expect(MANAGE),
    "disable": expect(MANAGE),
    "invite": expect(MANAGE),
}


@pytest.mark.parametrize("role", ROLES)
def test_admin_access_matrix(role: str, client: TestClient, world: World, engine: Engine) -> None:
    headers = auth(world, role)
    wrong = []
    for case, by_role in CASES.items():
        for i, side in enumerate((world.own, world.other)):
            got = _call(client, engine, case, side, headers)
            if got != by_role[role][i]:
                which = ("own", "other")[i]
                wrong.append(f"{role} {which} {case}: expected {by_role[role][i]}, got {got}")
    assert not wrong, "\n".join(wrong)
    # Signed out, nothing opens: pages send to sign-in, writes are refused.
    for url in ("/admin/people", "/admin/organisations"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fadmin")
    assert (
        client.post("/admin/people", data=_add_person_form(world.own, "org_contact")).status_code
        == 401
    )


def test_malformed_managers_see_and_manage_nothing(
    client: TestClient, world: World, engine: Engine
) -> None:
    from tests.web_fixtures import NOW as at
    from web.auth_tokens import add_access_token

    with session_scope(engine) as s:
        lost = Person(full_name="Без муниципалитета", role=Role.moc_head)
        gone = Person(
            full_name="Отключён",
            role=Role.moc_head,
            municipality_id=world.own.municipality_id,
            disabled_at=NOW,
        )
        s.add_all([lost, gone])
        s.flush()
        for p, tok in ((lost, "tok-lost-0123456789"), (gone, "tok-gone-0123456789")):
            add_access_token(s, int(p.id or 0), tok, expires_at=at.replace(year=2026))
    lost_h = {"Authorization": "Bearer tok-lost-0123456789"}
    page = client.get("/admin/people", headers=lost_h)
    assert page.status_code == 403 and "не указан муниципалитет" in page.text
    assert "Сидоров" not in page.text
    form = _add_person_form(world.own, "org_contact")
    assert client.post("/admin/people", data=form, headers=lost_h).status_code == 403
    gone_h = {"Authorization": "Bearer tok-gone-0123456789"}
    assert client.get("/admin/people", headers=gone_h).status_code == 403


def test_moc_head_sees_own_people_only_and_cannot_make_admins(
    client: TestClient, world: World, engine: Engine
) -> None:
    own_contact, other_contact = _contact(engine, world.own), _contact(engine, world.other)
    head = auth(world, "moc_head")
    page = client.get("/admin/people", headers=head)
    assert f'data-person="{own_contact}"' in page.text
    assert f'data-person="{other_contact}"' not in page.text
    assert "Админ Системы" not in page.text and "Аудитор КСП" not in page.text
    assert 'value="admin"' not in page.text  # not offered ...
    r = client.post("/admin/people", data=_add_person_form(world.own, "admin"), headers=head)
    assert r.status_code == 403  # ... and refused when sent anyway
    admin_id = world.person_ids["admin"]
    assert client.post(f"/admin/people/{admin_id}/disable", headers=head).status_code == 404
    orgs = client.get("/admin/organisations", headers=head).text
    assert "DDT-KRYLOVSKY" in orgs and "DDT-IRKUTSK" not in orgs


def test_add_person_validates_in_russian_and_writes_nothing(
    client: TestClient, world: World, engine: Engine
) -> None:
    admin = auth(world, "admin")
    bad = [
        ({"organisation": ""}, 422, "Организация: для роли «организация» выберите организацию"),
        ({"email": "не-почта"}, 422, "Электронная почта: «не-почта» не похоже на адрес"),
        ({"email": ""}, 422, "Электронная почта: укажите адрес"),
        ({"full_name": " "}, 422, "ФИО: укажите не меньше двух букв"),
        ({"role": "boss"}, 422, "Роль: выберите роль из списка"),
    ]
    with session_scope(engine) as s:
        before = len(s.exec(select(Person)).all())
    for change, code, message in bad:
        data = _add_person_form(world.own, "org_contact") | change
        r = client.post("/admin/people", data=data, headers=admin)
        assert r.status_code == code and message in r.text, (change, r.text[-800:])
        assert data["full_name"].strip() == "" or data["full_name"] in r.text  # kept in the form
    data = _add_person_form(world.own, "moc_head") | {"municipality": ""}
    r = client.post("/admin/people", data=data, headers=admin)
    assert r.status_code == 422 and "Муниципалитет: обязателен" in r.text
    ok = _add_person_form(world.own, "org_contact")
    assert (
        client.post("/admin/people", data=ok, headers=admin, follow_redirects=False).status_code
        == 303
    )
    again = ok | {"email": ok["email"].upper(), "full_name": "Другой"}
    r = client.post("/admin/people", data=again, headers=admin)
    assert r.status_code == 409 and "уже есть у другого человека" in r.text
    with session_scope(engine) as s:
        rows = s.exec(select(Person)).all()
        assert len(rows) == before + 1
        p = next(p for p in rows if p.email == ok["email"])
        assert p.role == Role.org_contact and p.organisation_id == world.own.org_id
        assert p.municipality_id == world.own.municipality_id
        assert p.notify == [f"email:{ok['email']}"] and p.password_hash is None


def test_invite_goes_through_the_outbox_and_disable_revokes(
    client: TestClient, world: World, engine: Engine
) -> None:
    head = auth(world, "moc_head")
    pid = _contact(engine, world.own)
    r = client.post(f"/admin/people/{pid}/invite", headers=head, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/people?ok=invited"
    assert "поставлено в очередь" in client.get(r.headers["location"], headers=head).text
    with session_scope(engine) as s:
        msgs = s.exec(select(OutboxMessage).where(OutboxMessage.person_id == pid)).all()
        assert len(msgs) == 1 and msgs[0].rule == "sign_in" and msgs[0].status == "pending"
        assert "/auth/link/" in msgs[0].body_text and msgs[0].target.startswith("mailto://")
        assert msgs[0].subject == "Приглашение в soczakaz" and "3 дня" in msgs[0].body_text
        link = s.exec(select(MagicLink).where(MagicLink.person_id == pid)).one()
        assert link.expires_at - link.created_at == dt.timedelta(days=3)  # read later, not now
    r = client.post(f"/admin/people/{pid}/disable", headers=head, follow_redirects=False)
    assert r.status_code == 303
    with session_scope(engine) as s:
        p = s.get(Person, pid)
        assert p is not None and p.disabled_at is not None
    assert client.post(f"/admin/people/{pid}/invite", headers=head).status_code == 422
    me = world.person_ids["moc_head"]
    r = client.post(f"/admin/people/{me}/disable", headers=head)
    assert r.status_code == 422 and "Свою учётную запись отключить нельзя" in r.text


def test_add_organisation(client: TestClient, world: World, engine: Engine) -> None:
    head = auth(world, "moc_head")
    data = _add_org_form(world.own) | {"code": "dou 5", "inn": "123"}
    r = client.post("/admin/organisations", data=data, headers=head)
    assert r.status_code == 422 and "Краткий код: латинские буквы" in r.text
    data = _add_org_form(world.own) | {"inn": "123"}
    r = client.post("/admin/organisations", data=data, headers=head)
    assert r.status_code == 422 and "ИНН: 10 или 12 цифр" in r.text
    data = _add_org_form(world.own) | {"code": "dou-5", "name": "МБДОУ «Детский сад № 5»"}
    data |= {"kind": "kindergarten", "inn": "4704012345"}
    r = client.post("/admin/organisations", data=data, headers=head, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"], headers=head).text
    assert "Организация добавлена." in page and "МБДОУ «Детский сад № 5»" in page
    assert "дошкольная образовательная организация" in page
    r = client.post("/admin/organisations", data=data, headers=head)
    assert r.status_code == 409
    with session_scope(engine) as s:
        org = s.exec(select(Organisation).where(Organisation.code == "dou-5")).one()
        assert org.municipality_id == world.own.municipality_id and org.inn == "4704012345"


# --- how it looks: Chromium, desktop and 390 px --------------------------------------------


@pytest.fixture
def server(settings: Settings, world: World) -> Iterator[RunningServer]:
    running = start_in_thread(settings, clock=lambda: NOW)
    yield running
    running.stop()


@pytest.mark.browser
@pytest.mark.slow
def test_admin_pages_in_chromium_desktop_and_phone(
    server: RunningServer, world: World, engine: Engine, backend: str
) -> None:
    from playwright.sync_api import sync_playwright

    from tests.test_access_chromium import ARGS, CHROMIUM

    SHOTS.mkdir(parents=True, exist_ok=True)
    _contact(engine, world.own)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for width, height, label in ((1280, 900, "desktop"), (390, 844, "phone")):
            page = browser.new_page(viewport={"width": width, "height": height}, locale="ru-RU")
            with session_scope(engine) as s:
                link = login_link(
                    s, world.person_ids["moc_head"], "/admin/people", base_url=server.url, now=NOW
                )
            page.goto(f"{server.url}/login")
            assert page.locator("#link-form").count() == page.locator("#password-form").count() == 1
            page.screenshot(path=str(SHOTS / f"login-{label}-{backend}.png"), full_page=True)
            page.goto(link)
            assert page.url == f"{server.url}/admin/people"
            # Add an organisation contact through the form.
            page.fill("[name=full_name]", f"Петрова Ольга Сергеевна {label}")
            page.fill("[name=email]", f"petrova-{label}@example.ru")
            page.select_option("[name=role]", "org_contact")
            page.select_option("[name=organisation]", str(world.own.org_id))
            with page.expect_navigation():
                page.locator("#add-person-form [type=submit]").click()
            assert "ok=added" in page.url
            row = page.locator("tr", has_text=f"Петрова Ольга Сергеевна {label}")
            with page.expect_navigation():
                row.get_by_role("button", name="Отправить приглашение").click()
            assert "ok=invited" in page.url
            for path in ("/admin/people", "/admin/organisations", "/account/password"):
                page.goto(f"{server.url}{path}")
                text = page.inner_text("body")
                for code in ("org_contact", "moc_head", "admin", "None", "school"):
                    assert code not in text, (path, code)
                overflow = page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= width, (path, label, overflow)
                name = path.strip("/").replace("/", "-")
                page.screenshot(path=str(SHOTS / f"{name}-{label}-{backend}.png"), full_page=True)
            page.close()
        browser.close()
    with session_scope(engine) as s:
        invited = s.exec(select(OutboxMessage).where(OutboxMessage.rule == "sign_in")).all()
        assert len(invited) == 2


def test_admin_filters_by_municipality(client: TestClient, world: World, engine: Engine) -> None:
    own_contact, other_contact = _contact(engine, world.own), _contact(engine, world.other)
    admin = auth(world, "admin")
    everyone = client.get("/admin/people", headers=admin).text
    assert f'data-person="{own_contact}"' in everyone and "Админ Системы" in everyone
    page = client.get(f"/admin/people?m={world.other.code}", headers=admin).text
    assert f'data-person="{other_contact}"' in page and f'data-person="{own_contact}"' not in page
    # The add form then offers that municipality and its organisations only.
    assert f'<option value="{world.other.org_id}"' in page
    assert f'<option value="{world.own.org_id}"' not in page
    assert f'<option value="{world.other.code}" selected>' in page
    assert client.get("/admin/people?m=nowhere", headers=admin).status_code == 404
