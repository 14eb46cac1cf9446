"""``roadmap serve`` (the dashboard) and ``roadmap token`` (access tokens)."""

from __future__ import annotations

import typer
from rich.markup import escape

from cli.common import console, get_municipality, handle_errors, settings, transaction
from domain import lookup
from domain.errors import InputError
from models import Person, Role
from models.people import TokenScope
from web.access import issue_token
from web.auth_tokens import issue_feed_secret, revoke_feeds, revoke_tokens

token_app = typer.Typer(help="Токены доступа к панели и API.", no_args_is_help=True)


@handle_errors
def serve(
    host: str = typer.Option("127.0.0.1", help="адрес"),
    port: int = typer.Option(8000, help="порт"),
    workers: int = typer.Option(1, help="число процессов uvicorn"),
) -> None:
    """Запустить веб-панель и JSON API (uvicorn)."""
    from models.db import get_engine, init_db
    from web.server import serve_forever

    cfg = settings()
    init_db(get_engine(cfg.database_url))
    console.print(f"Панель: http://{host}:{port}/  ·  API: http://{host}:{port}/docs")
    serve_forever(cfg, host=host, port=port, workers=workers)


def _person(s: object, person_id: int) -> Person:
    from sqlmodel import Session

    assert isinstance(s, Session)
    return lookup.person(s, person_id)


@token_app.command("issue")
@handle_errors
def issue(
    person: int = typer.Option(..., "--person", help="id человека"),
    scope: str = typer.Option("write", "--scope", help="read (только чтение) или write"),
    days: int = typer.Option(90, "--days", min=1, max=366, help="срок действия, дней"),
) -> None:
    """Выдать личный токен API (заголовок Authorization: Bearer). Печатается один раз."""
    if scope not in ("read", "write"):
        raise InputError(f"--scope: ожидается read или write, получено {scope!r}")
    with transaction() as s:
        p = _person(s, person)
        token = issue_token(s, person, scope=TokenScope(scope), days=days)
        name, role = p.full_name, p.role
    console.print(
        escape(
            f"Токен ({scope}, {days} дн.) для {name} ({role}); "
            "сохраните его, повторно он не показывается:"
        )
    )
    typer.echo(token)


@token_app.command("revoke")
@handle_errors
def revoke(person: int = typer.Option(..., "--person", help="id человека")) -> None:
    """Отозвать все токены API и iCal-ссылки человека."""
    with transaction() as s:
        _person(s, person)
        n = revoke_tokens(s, person)
        n += revoke_feeds(s, person)
    console.print(f"Отозвано: {n}.")


@token_app.command("feed")
@handle_errors
def feed(
    person: int = typer.Option(..., "--person", help="id человека"),
    municipality: str | None = typer.Option(None, "--municipality", help="код муниципалитета"),
    organisation: int | None = typer.Option(None, "--organisation", help="id организации"),
) -> None:
    """Выдать ссылку на iCal-календарь (только чтение, отзывается `token revoke`)."""
    if (municipality is None) == (organisation is None):
        raise InputError("укажите ровно одно: --municipality или --organisation")
    name = f"municipality:{municipality}" if municipality else f"organisation:{organisation}"
    with transaction() as s:
        _person(s, person)
        secret = issue_feed_secret(s, person, name)
    typer.echo(f"{settings().base_url.rstrip('/')}/ical/s/{secret}.ics")


@token_app.command("auditor")
@handle_errors
def auditor(
    person: int = typer.Option(..., "--person", help="id аудитора"),
    municipality: list[str] = typer.Option(..., "--municipality", help="код муниципалитета"),
) -> None:
    """Задать муниципалитеты, журналы которых видит аудитор (только чтение)."""
    with transaction() as s:
        p = _person(s, person)
        if p.role != Role.auditor:
            raise InputError(f"человек id={person} не аудитор (роль {p.role})")
        ids = [int(get_municipality(s, code).id or 0) for code in municipality]
        p.auditor_municipality_ids = sorted(set(ids))
        s.add(p)
    console.print(f"Аудитору доступны: {', '.join(municipality)}")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(token_app, name="token")
