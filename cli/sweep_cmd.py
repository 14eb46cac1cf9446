"""``roadmap sweep`` (the daily-sweep flow) and ``roadmap shift`` (re-planning)."""

from __future__ import annotations

import typer
from rich.table import Table

from cli.common import (
    console,
    get_municipality,
    handle_errors,
    now_utc,
    parse_date,
    print_json,
    settings,
    transaction,
)
from cli.prefect_runtime import prefect_api_for, warn_loopback_links
from domain import lookup
from domain.roadmap.replan import apply_shift, plan_shift
from domain.roadmap.sweep import sweep_municipalities
from domain.vocabulary import STATUS_COUNT_RU
from models.roadmap import StepStatus

STATUS_RU = STATUS_COUNT_RU


def sweep(
    as_of: str | None = typer.Option(
        None, "--as-of", help="Дата ГГГГ-ММ-ДД: считать её сегодняшней во всех муниципалитетах."
    ),
    batch_size: int | None = typer.Option(None, "--batch-size", help="Муниципалитетов в пакете."),
    as_json: bool = typer.Option(False, "--json", help="Вывести итоги в JSON."),
    without_prefect: bool = typer.Option(
        False, "--without-prefect", help="Без Prefect (тот же код проверки, jobs.sweep)."
    ),
) -> None:
    """Пересчитать статусы шагов (поток Prefect «daily-sweep») и поставить напоминания."""
    day = parse_date(as_of, field="--as-of") if as_of else None
    with transaction():  # creates the schema if needed
        pass
    cfg = settings()
    warn_loopback_links(cfg)
    if without_prefect:
        from jobs.sweep import run_sweep

        counts = run_sweep(day, batch_size, settings=cfg)
    else:
        with prefect_api_for(cfg):
            from flows.daily_sweep import daily_sweep

            counts = daily_sweep(as_of=day, batch_size=batch_size)
    if as_json:
        print_json(counts)
        return
    table = Table(title="Проверка сроков" + (f" на {day.isoformat()}" if day else ""))
    table.add_column("Статус")
    table.add_column("Шагов", justify="right")
    table.add_column("Изменено", justify="right")
    for status in StepStatus:
        table.add_row(
            STATUS_RU[status.value],
            str(counts.get(status.value, 0)),
            str(counts.get("to_" + status.value, 0)),
        )
    console.print(table)
    console.print(
        f"Муниципалитетов: {counts.get('municipalities', 0)}, пакетов: {counts.get('batches', 0)}, "
        f"новых повторений: {counts.get('created', 0)}, "
        f"напоминаний в очереди: {counts.get('reminders', 0)}"
    )


def shift(
    step: str = typer.Argument(..., help="Ключ шага, при повторении — КЛЮЧ@ПЕРИОД."),
    municipality: str = typer.Option(..., "--municipality", "-m", help="Код муниципалитета."),
    year: int = typer.Option(..., "--year", help="Год дорожной карты."),
    to: str = typer.Option(..., "--to", help="Новый срок ГГГГ-ММ-ДД."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Только показать, ничего не менять."),
    actor: str = typer.Option("cli", "--actor", help="Кто переносит срок (для журнала)."),
    as_json: bool = typer.Option(False, "--json", help="Вывести план в JSON."),
) -> None:
    """Перенести срок шага и показать, как сдвинутся зависящие от него шаги."""
    target = parse_date(to, field="--to")
    cfg = settings()
    with transaction(immediate=True) as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        row = lookup.step(s, municipality=m, ref=step, year=year)
        plan = plan_shift(s, step=row, to=target)
        if not dry_run:
            now = now_utc()
            apply_shift(s, plan=plan, actor=actor, now=now)
            sweep_municipalities(
                s, municipality_ids=[m.id], now=now, window_working_days=cfg.due_soon_working_days
            )
    if as_json:
        print_json(plan.to_dict() | {"dry_run": dry_run})
        return
    title = "Перенос срока (пробный запуск, ничего не записано)" if dry_run else "Перенос срока"
    table = Table(title=f"{title}: {municipality}, {year}")
    table.add_column("Шаг")
    table.add_column("Был срок")
    table.add_column("Новый срок")
    table.add_column("Основание")
    for c in plan.changes:
        table.add_row(
            c.label, c.old_date.strftime("%d.%m.%Y"), c.new_date.strftime("%d.%m.%Y"), c.reason
        )
    for c in plan.kept:
        table.add_row(c.label, c.old_date.strftime("%d.%m.%Y"), "не переносится", "шаг уже закрыт")
    console.print(table)
    if not dry_run:
        console.print(f"Записано: перенесено шагов — {len(plan.changes)}, запись в журнале аудита.")


def register(app: typer.Typer) -> None:
    app.command("sweep")(handle_errors(sweep))
    app.command("shift")(handle_errors(shift))
