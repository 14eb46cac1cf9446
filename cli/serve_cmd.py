"""``roadmap serve`` (the dashboard) and ``roadmap token`` (access tokens)."""

from __future__ import annotations

import typer

from cli.common import console, get_municipality, handle_errors, settings, transaction
from domain.errors import InputError, NotFoundError
from models import Person, Role
from web.access import issue_token

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
    p = s.get(Person, person_id)
    if p is None:
        raise NotFoundError(f"человек с id={person_id} не найден")
    return p


@token_app.command("issue")
@handle_errors
def issue(person: int = typer.Option(..., "--person", help="id человека")) -> None:
    """Выдать новый токен (старый перестаёт действовать). Токен печатается один раз."""
    with transaction() as s:
        token = issue_token(s, person)
        p = _person(s, person)
        name, role = p.full_name, p.role
    console.print(f"Токен для {name} ({role}); сохраните его, повторно он не показывается:")
    typer.echo(token)


@token_app.command("revoke")
@handle_errors
def revoke(person: int = typer.Option(..., "--person", help="id человека")) -> None:
    """Отозвать токен."""
    with transaction() as s:
        p = _person(s, person)
        p.token_sha256 = None
        s.add(p)
    console.print("Токен отозван.")


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
