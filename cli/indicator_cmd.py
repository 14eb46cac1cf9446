"""``roadmap indicator``: import, manual entry and plan-vs-actual listing."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cli.common import console, get_municipality, handle_errors, print_json, transaction
from domain.errors import InputError
from domain.indicators import catalogue as indicators
from domain.indicators import imports as indicator_import

app = typer.Typer(help="Показатели дорожной карты: план и факт.", no_args_is_help=True)


def fmt_number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}".replace(".", ",")


@app.command("import")
@handle_errors
def import_(
    file: Path = typer.Argument(..., help="CSV или XLSX (столбцы key, actual, target, period)"),
    municipality: str = typer.Option(..., "--municipality", help="Код муниципалитета"),
    year: int = typer.Option(..., "--year", help="Год"),
    period: str = typer.Option("Y", "--period", help="Y (год) или Q1..Q4"),
) -> None:
    """Загрузить фактические значения из выгрузки (всё или ничего)."""
    if not file.is_file():
        raise InputError(f"файл «{file}» не найден")
    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        values = indicator_import.import_file(
            s, path=file, municipality_id=m.id, year=year, period=period
        )
    console.print(f"Загружено значений: [bold]{len(values)}[/] ({municipality}, {year})")


@app.command("set")
@handle_errors
def set_(
    key: str = typer.Argument(..., help="Код показателя, например coverage_5_18"),
    municipality: str = typer.Option(..., "--municipality", help="Код муниципалитета"),
    year: int = typer.Option(..., "--year", help="Год"),
    period: str = typer.Option("Y", "--period", help="Y (год) или Q1..Q4"),
    target: float | None = typer.Option(None, "--target", help="Плановое значение"),
    actual: float | None = typer.Option(None, "--actual", help="Фактическое значение"),
) -> None:
    """Ввести план и/или факт показателя вручную."""
    if target is None and actual is None:
        raise InputError("укажите --target и/или --actual")
    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        row = indicators.upsert(
            s,
            municipality_id=m.id,
            year=year,
            period=period,
            key=key,
            target=target,
            actual=actual,
            source="ручной ввод",
        )
    console.print(
        f"{row.key} ({row.year} {row.period}): план {fmt_number(row.target)}, "
        f"факт {fmt_number(row.actual)}"
    )


@app.command("list")
@handle_errors
def list_(
    municipality: str = typer.Option(..., "--municipality", help="Код муниципалитета"),
    year: int = typer.Option(..., "--year", help="Год"),
    period: str = typer.Option("Y", "--period", help="Y (год) или Q1..Q4"),
    as_json: bool = typer.Option(False, "--json", help="Вывести JSON"),
) -> None:
    """План и факт показателей с отклонениями."""
    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        rows = indicators.plan_vs_actual(s, municipality_id=m.id, year=year, period=period)
    if as_json:
        print_json(indicators.as_json(rows))
        return
    table = Table(title=f"Показатели: {m.name}, {year} {period.upper()}")
    for c in ("Код", "Показатель", "План", "Факт", "Отклонение", "Статус"):
        table.add_column(c)
    for r in rows:
        table.add_row(
            r.key,
            f"{r.label}, {r.unit}",
            fmt_number(r.target),
            fmt_number(r.actual),
            fmt_number(r.deviation),
            r.status,
        )
    console.print(table)
