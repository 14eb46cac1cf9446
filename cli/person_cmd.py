"""``roadmap person``: people, their roles and scopes, sign-in links."""

from __future__ import annotations

import datetime as dt

import typer
from rich.markup import escape
from rich.table import Table
from sqlmodel import Session, select

from cli.common import console, get_municipality, handle_errors, print_json, settings, transaction
from domain import lookup
from domain.errors import InputError
from models import Person, Role
from notifications.channels import mask
from notifications.targets import check_target
from web.auth_links import login_link
from web.auth_sessions import revoke_sessions
from web.auth_tokens import revoke_feeds, revoke_tokens

app = typer.Typer(help="Люди: роли, области доступа, ссылки для входа.", no_args_is_help=True)

ROLES = ", ".join(r.value for r in Role)


def _public(p: Person) -> dict[str, object]:
    return {
        "id": p.id,
        "full_name": p.full_name,
        "role": p.role.value if isinstance(p.role, Role) else p.role,
        "municipality_id": p.municipality_id,
        "organisation_id": p.organisation_id,
        "email": p.email,
        "notify": [mask(t, settings()) for t in p.notify],
        "disabled": p.disabled_at is not None,
    }


def find_person(s: Session, ref: str) -> Person:
    """A person by id or by e-mail (domain.lookup)."""
    return lookup.person(s, ref)


@app.command("add")
@handle_errors
def add(
    full_name: str = typer.Argument(..., help="ФИО"),
    role: str = typer.Option(..., "--role", help=f"роль: {ROLES}"),
    municipality: str | None = typer.Option(None, "--municipality", help="код муниципалитета"),
    organisation: int | None = typer.Option(None, "--organisation", help="id организации"),
    email: str = typer.Option("", "--email", help="адрес электронной почты"),
    notify: list[str] = typer.Option(
        [], "--notify", help="канал и адрес: email:ivanova@school.ru, telegram:123456, @имя"
    ),
) -> None:
    """Добавить человека (у контакта организации организация обязательна).

    Учётные данные каналов (пароли, ключи, токены ботов) хранятся только в
    SOCZAKAZ_CHANNELS; у человека — имя канала и его собственный адрес.
    """
    try:
        r = Role(role)
    except ValueError:
        raise InputError(f"--role: неизвестная роль «{role}» (допустимо: {ROLES})") from None
    for t in notify:
        check_target(t)  # refused before anything is opened or written
    if r is Role.org_contact and organisation is None:
        raise InputError("--organisation: обязательна для роли org_contact")
    if r is Role.moc_head and municipality is None:
        raise InputError("--municipality: обязателен для роли moc_head")
    with transaction() as s:
        mid = int(get_municipality(s, municipality).id or 0) if municipality else None
        if organisation is not None:
            org = lookup.organisation_by_id(s, organisation, field="--organisation")
            mid = org.municipality_id
        targets = [check_target(f"email:{email}", field="--email")] if email else []
        targets += [check_target(t) for t in notify]
        p = Person(
            full_name=full_name,
            role=r,
            municipality_id=mid,
            organisation_id=organisation,
            email=email,
            notify=list(dict.fromkeys(targets)),
        )
        s.add(p)
        s.flush()
        pid = p.id
    console.print(escape(f"Добавлен: {full_name} (id={pid}, {r.value})"), highlight=False)


@app.command("list")
@handle_errors
def list_(as_json: bool = typer.Option(False, "--json", help="Вывести JSON")) -> None:
    """Список людей с ролями и областями доступа."""
    with transaction() as s:
        rows = [_public(p) for p in s.exec(select(Person).order_by(Person.id)).all()]  # type: ignore[arg-type]
    if as_json:
        print_json(rows)
        return
    table = Table(title="Люди")
    for c in ("id", "ФИО", "Роль", "Муниципалитет", "Организация", "Отключён"):
        table.add_column(c)
    for r in rows:
        table.add_row(
            *(
                escape(str(r[k] if r[k] is not None else "—"))
                for k in ("id", "full_name", "role", "municipality_id", "organisation_id")
            ),
            "да" if r["disabled"] else "нет",
        )
    console.print(table)


@app.command("show")
@handle_errors
def show(person: str = typer.Argument(..., help="id или e-mail")) -> None:
    """Показать человека (контакты — без секретов)."""
    with transaction() as s:
        print_json(_public(find_person(s, person)))


@app.command("disable")
@handle_errors
def disable(person: str = typer.Argument(..., help="id или e-mail")) -> None:
    """Отключить: вход, сессии, токены и календари перестают работать."""
    now = dt.datetime.now(dt.UTC)
    with transaction() as s:
        p = find_person(s, person)
        assert p.id is not None
        p.disabled_at = now
        s.add(p)
        revoke_sessions(s, p.id, now)
        revoke_tokens(s, p.id, now)
        revoke_feeds(s, p.id, now)
        name = p.full_name
    console.print(escape(f"Отключён: {name}"), highlight=False)


@app.command("login-link")
@handle_errors
def link(
    person: str = typer.Argument(..., help="id или e-mail"),
    next_: str = typer.Option("/", "--next", help="страница после входа, напр. /steps/12"),
    minutes: int = typer.Option(15, "--minutes", min=1, max=24 * 60, help="срок действия"),
) -> None:
    """Напечатать одноразовую ссылку для входа."""
    with transaction() as s:
        p = find_person(s, person)
        assert p.id is not None
        url = login_link(s, p.id, next_, base_url=settings().base_url, minutes=minutes)
    typer.echo(url)


@app.command("invite")
@handle_errors
def invite(
    person: str = typer.Argument(..., help="id или e-mail"),
    next_: str = typer.Option("/", "--next", help="страница после входа"),
) -> None:
    """Отправить приглашение со ссылкой для входа через очередь сообщений (outbox)."""
    from web.auth_pages import send_link

    cfg = settings()
    with transaction() as s:
        p = find_person(s, person)
        n = send_link(s, p, next_, cfg.base_url, dt.datetime.now(dt.UTC), cfg)
    if n == 0:
        raise InputError("у человека нет адреса электронной почты (каналы notify)")
    console.print(f"Приглашение поставлено в очередь: {n}. Отправит `roadmap dispatch`.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="person")
