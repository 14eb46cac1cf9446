"""``roadmap report``: annual МОЦ report and quarterly report to РМЦ."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.common import console, handle_errors, now_utc, transaction
from domain.errors import InputError

app = typer.Typer(help="Отчёты: годовой отчёт МОЦ и квартальный отчёт в РМЦ.", no_args_is_help=True)


def _check_format(fmt: str, out: Path) -> str:
    fmt = fmt.lower()
    from reports.build import FORMATS

    if fmt not in FORMATS:
        raise InputError(f"--format: ожидается один из {', '.join(FORMATS)}, получено «{fmt}»")
    return fmt


@app.command("annual")
@handle_errors
def annual(
    municipality: str = typer.Option(..., "--municipality", help="Код муниципалитета"),
    year: int = typer.Option(..., "--year", help="Отчётный год"),
    fmt: str = typer.Option(
        "docx", "--format", help="docx, xlsx, pdf (через LibreOffice), md или html"
    ),
    out: Path = typer.Option(..., "--out", help="Путь к файлу отчёта"),
) -> None:
    """Годовой отчёт о деятельности МОЦ."""
    fmt = _check_format(fmt, out)
    with transaction() as s:
        from reports.build import write_annual

        files = write_annual(
            s, municipality=municipality, year=year, fmt=fmt, out=out, now=now_utc()
        )
    console.print(f"Годовой отчёт записан: [bold]{files[0]}[/]", highlight=False)


@app.command("quarterly")
@handle_errors
def quarterly(
    municipality: str = typer.Option(..., "--municipality", help="Код муниципалитета"),
    year: int = typer.Option(..., "--year", help="Год"),
    quarter: int = typer.Option(..., "--quarter", help="Квартал 1–4"),
    fmt: str = typer.Option(
        "docx", "--format", help="docx, xlsx, pdf (через LibreOffice), md или html"
    ),
    out: Path = typer.Option(..., "--out", help="Путь к файлу отчёта"),
) -> None:
    """Квартальный отчёт в РМЦ: показатели и отклонения от плана."""
    fmt = _check_format(fmt, out)
    with transaction() as s:
        from reports.build import write_quarterly

        files = write_quarterly(
            s,
            municipality=municipality,
            year=year,
            quarter=quarter,
            fmt=fmt,
            out=out,
            now=now_utc(),
        )
    console.print(f"Квартальный отчёт записан: [bold]{files[0]}[/]", highlight=False)
