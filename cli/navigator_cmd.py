"""``roadmap navigator import``: exports of АИС «Навигатор» (CSV/XLSX) into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, get_municipality, handle_errors, now_utc, print_json, transaction
from domain.errors import InputError

app = typer.Typer(help="Выгрузки АИС «Навигатор».", no_args_is_help=True)
Opt = typer.Option


@app.command("import")
@handle_errors
def import_(
    file: Annotated[Path, typer.Argument(help="выгрузка CSV или XLSX: programmes.xlsx")],
    municipality: Annotated[str, Opt("--municipality", "-m", help="код муниципалитета: lod")],
    year: Annotated[
        int | None, Opt("--year", help="год показателей (для зачислений и статистики): 2023")
    ] = None,
    actor: Annotated[str, Opt("--actor", help="кто загружает (ФИО)")] = "cli",
    as_json: Annotated[bool, Opt("--json", help="вывод в JSON")] = False,
) -> None:
    """Загрузить выгрузку организаций, программ, зачислений или статистики (всё или ничего)."""
    from domain.records.navigator import KIND_RU
    from domain.records.navigator_import import import_navigator

    if not file.is_file():
        raise InputError(f"файл «{file}» не найден")
    with transaction(immediate=True) as s:
        m = get_municipality(s, municipality)
        summary = import_navigator(
            s, path=file, municipality=m, year=year, actor=actor, now=now_utc()
        )
    if as_json:
        print_json(summary.as_json())
        return
    when = f" на {summary.as_of:%d.%m.%Y}" if summary.as_of else ""
    console.print(
        f"Выгрузка «{KIND_RU[summary.kind]}»{when}: добавлено {summary.created}, "
        f"изменено {summary.updated}, без изменений {summary.unchanged}",
        highlight=False,
        markup=False,
    )
    for line in summary.changes:
        console.print(f"  {line}", highlight=False, markup=False)
