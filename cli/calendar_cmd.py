"""``roadmap calendar``: the Russian production calendar."""

from __future__ import annotations

import datetime as dt

import typer
from rich.table import Table

from cli.common import console, handle_errors, parse_date, print_json
from domain.calendar.workdays import add_working_days, is_working_day, working_days_in_year

app = typer.Typer(help="Производственный календарь РФ (рабочие дни).", no_args_is_help=True)

MONTHS = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]


@app.command("workdays")
@handle_errors
def workdays(
    year: int = typer.Argument(..., min=1992, max=2099, help="Год"),
    as_json: bool = typer.Option(False, "--json", help="Вывести JSON"),
) -> None:
    """Число рабочих дней в году, по месяцам."""
    per_month = [0] * 12
    day = dt.date(year, 1, 1)
    while day.year == year:
        per_month[day.month - 1] += is_working_day(day)
        day += dt.timedelta(days=1)
    total = working_days_in_year(year)
    if as_json:
        print_json({"year": year, "working_days": total, "by_month": per_month})
        return
    table = Table(title=f"Рабочие дни, {year} год")
    table.add_column("Месяц")
    table.add_column("Рабочих дней", justify="right")
    for name, n in zip(MONTHS, per_month, strict=True):
        table.add_row(name, str(n))
    table.add_row("[bold]Итого[/]", f"[bold]{total}[/]")
    console.print(table)


@app.command("add")
@handle_errors
def add(
    date: str = typer.Argument(..., help="Дата ГГГГ-ММ-ДД"),
    n: int = typer.Argument(..., help="Сколько рабочих дней прибавить (можно отрицательное)"),
    as_json: bool = typer.Option(False, "--json", help="Вывести JSON"),
) -> None:
    """Дата через N рабочих дней (N < 0 — назад)."""
    start = parse_date(date, field="DATE")
    result = add_working_days(start, n)
    if as_json:
        print_json({"date": start, "n": n, "result": result})
        return
    console.print(f"{start.isoformat()} + {n} раб. дн. = [bold]{result.isoformat()}[/]")
