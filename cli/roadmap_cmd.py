"""Top-level commands: init, validate, load, status."""

from __future__ import annotations

import typer

from cli.common import (
    console,
    engine,
    get_municipality,
    handle_errors,
    print_json,
    settings,
    transaction,
)
from domain.errors import InputError, RoadmapError
from domain.inputs import parse_year
from models.db import init_db
from roadmaps.instantiate import instantiate
from roadmaps.loader import read_template


def init() -> None:
    """Создать схему базы данных (повторный запуск ничего не меняет)."""
    cfg = settings()
    eng = engine(cfg)
    init_db(eng)
    from models.migrate import stamp_head  # lazy: alembic is slow to import

    stamp_head(eng)
    console.print(f"База данных готова: [bold]{eng.url.render_as_string()}[/]")


def validate(
    files: list[str] = typer.Argument(
        ..., help="Файлы шаблонов (или имена встроенных: moc-standard)", metavar="FILE..."
    ),
) -> None:
    """Проверить шаблоны дорожных карт: все ошибки всех файлов в виде ФАЙЛ:СТРОКА:СТОЛБЕЦ."""
    details: list[str] = []
    bad = 0
    for name in files:
        try:
            loaded = read_template(name)
        except RoadmapError as exc:
            bad += 1
            details.extend(exc.details or [exc.message])
            continue
        console.print(f"OK: {loaded.path}: {len(loaded.spec.steps)} шагов", highlight=False)
    if bad:
        raise RoadmapError(
            f"шаблонов с ошибками: {bad} из {len(files)}, ошибок: {len(details)}",
            details=details,
        )


def _parse_params(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InputError(f"--param: ожидается имя=значение, получено «{item}»")
        out[name.strip()] = value.strip()
    return out


def load(
    template: str = typer.Argument(..., help="Шаблон: путь к YAML или имя (moc-standard)"),
    municipality: str = typer.Option(..., "--municipality", "-m", help="Код муниципалитета"),
    year_text: str = typer.Option(
        ..., "--year", "-y", help="Год (2024) или учебный год (2020/2021) дорожной карты"
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p", help="Переопределить параметр: имя=дата ({year-1}-10-01)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Вывести результат в JSON"),
) -> None:
    """Загрузить шаблон в дорожную карту муниципалитета на год (повторно — без изменений)."""
    loaded = read_template(template)
    params = _parse_params(param)
    year, school = parse_year(year_text)
    if school and loaded.spec.year_kind != "school":
        raise InputError(
            f"--year {year_text}: шаблон «{loaded.spec.key}» ведётся по календарным годам; "
            "укажите год (2024) или объявите в шаблоне year_kind: school"
        )
    shown = f"{year}/{year + 1} учебный год" if loaded.spec.year_kind == "school" else str(year)
    with transaction() as s:
        m = get_municipality(s, municipality)
        result = instantiate(
            s,
            spec=loaded.spec,
            source_text=loaded.source_text,
            municipality=m,
            year=year,
            params=params,
            actor="cli",
        )
    if as_json:
        print_json(result.to_dict())
        return
    console.print(
        f"Дорожная карта «{loaded.spec.key}» v{loaded.spec.version}, {municipality}, {shown}: "
        f"создано шагов: {result.created}, без изменений: {result.unchanged}",
        highlight=False,
    )
    for w in result.warnings:
        console.print(f"[yellow]Внимание:[/] {w}", highlight=False)
    if result.stale:
        console.print(
            "[yellow]Сроки или названия изменились в шаблоне, но сохранённые шаги не "
            f"менялись:[/] {', '.join(result.stale)}",
            highlight=False,
        )
    if result.orphaned:
        console.print(
            f"[yellow]Шагов нет в шаблоне (оставлены):[/] {', '.join(result.orphaned)}",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    app.command("init")(handle_errors(init))
    app.command("validate")(handle_errors(validate))
    app.command("load")(handle_errors(load))
