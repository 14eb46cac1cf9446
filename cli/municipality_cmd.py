"""``roadmap municipality``: municipalities and their zones."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table
from sqlmodel import select

from cli.common import console, handle_errors, print_json, transaction
from domain.errors import ConflictError, InputError
from models import Municipality

app = typer.Typer(help="Муниципалитеты.", no_args_is_help=True)


def check_timezone(tz: str) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(f"--tz: неизвестный часовой пояс «{tz}» (пример: Europe/Moscow)") from None
    return tz


@app.command("add")
@handle_errors
def add(
    code: str = typer.Argument(..., help="Код муниципалитета (латиница)"),
    name: str = typer.Option(..., "--name", help="Название"),
    region: str = typer.Option("", "--region", help="Субъект РФ"),
    tz: str = typer.Option("Europe/Moscow", "--tz", help="Часовой пояс IANA"),
) -> None:
    """Добавить муниципалитет."""
    check_timezone(tz)
    with transaction() as s:
        if s.exec(select(Municipality).where(Municipality.code == code)).first():
            raise ConflictError(f"муниципалитет «{code}» уже есть")
        s.add(Municipality(code=code, name=name, region=region, timezone=tz))
    # User text is escaped: '[/bold]' in a name is printed, never interpreted (issue 14).
    console.print(f"Добавлен муниципалитет [bold]{escape(code)}[/] ({escape(name)}, {escape(tz)})")


@app.command("list")
@handle_errors
def list_(as_json: bool = typer.Option(False, "--json", help="Вывести JSON")) -> None:
    """Список муниципалитетов."""
    with transaction() as s:
        rows = s.exec(select(Municipality).order_by(Municipality.code)).all()
    if as_json:
        print_json([r.model_dump(exclude={"created_at"}) for r in rows])
        return
    table = Table(title="Муниципалитеты")
    for col in ("Код", "Название", "Регион", "Часовой пояс"):
        table.add_column(col)
    for r in rows:
        table.add_row(*(escape(v) for v in (r.code, r.name, r.region, r.timezone)))
    console.print(table)
