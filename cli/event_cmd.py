"""``roadmap event``: the events register (meetings, seminars, consultations, …)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import (
    console,
    get_municipality,
    handle_errors,
    now_utc,
    print_json,
    settings,
    transaction,
)
from domain import lookup
from domain.errors import InputError
from domain.inputs import count, parse_date, split_pairs
from domain.records import events
from domain.records.labels import AUDIENCE_RU, EVENT_KIND_RU

app = typer.Typer(help="Реестр мероприятий МОЦ.", no_args_is_help=True)
Opt = typer.Option
Municipality = Annotated[
    str, Opt("--municipality", "-m", help="код муниципалитета, например lodeynoye")
]
KINDS = ", ".join(f"{k} ({v})" for k, v in EVENT_KIND_RU.items())
AUDIENCES = ", ".join(f"{k} ({v})" for k, v in AUDIENCE_RU.items())


@app.command("add")
@handle_errors
def add(
    municipality: Municipality,
    kind: Annotated[str, Opt("--kind", help=f"вид: {KINDS}")],
    title: Annotated[str, Opt("--title", help="название: «Районное рабочее совещание»")],
    date: Annotated[str, Opt("--date", help="дата проведения: 12.10.2020 или 2020-10-12")],
    audience: Annotated[
        list[str] | None, Opt("--audience", help=f"аудитория (повторяется): {AUDIENCES}")
    ] = None,
    participants: Annotated[
        list[str] | None, Opt("--participants", help="участники по аудиториям: педагоги=20")
    ] = None,
    total: Annotated[str | None, Opt("--total", help="всего участников: 45")] = None,
    note: Annotated[str, Opt("--note", help="результат, итог: «определён механизм …»")] = "",
    file: Annotated[Path | None, Opt("--file", help="протокол или публикация: protocol.pdf")] = (
        None
    ),
    step: Annotated[str | None, Opt("--step", help="ключ шага-мероприятия: mos-meeting")] = None,
    year: Annotated[int | None, Opt("--year", help="год дорожной карты шага: 2024")] = None,
    period: Annotated[str | None, Opt("--period", help="период шага: 2024-Q1")] = None,
    actor: Annotated[str, Opt("--actor", help="кто вносит запись (ФИО)")] = "cli",
    as_json: Annotated[bool, Opt("--json", help="вывод в JSON")] = False,
) -> None:
    """Записать проведённое мероприятие (шаги с правилом «не менее N» закрываются сами)."""
    pairs = split_pairs(participants, field="--participants") or {}
    new = events.NewEvent(
        kind=kind,
        title=title,
        held_on=parse_date(date, field="--date"),
        audiences=tuple(audience or ()),
        participants=tuple((k, count(v, field=f"--participants {k}")) for k, v in pairs.items()),
        participants_total=count(total, field="--total") if total is not None else None,
        note=note,
    )
    if file is not None and not file.is_file():
        raise InputError(f"--file: файл «{file}» не найден")
    data = file.read_bytes() if file is not None else None
    with transaction(immediate=True) as s:
        m = get_municipality(s, municipality)
        target = (
            lookup.step(s, municipality=m, ref=lookup.step_ref(step, period), year=year)
            if step
            else None
        )
        row, done = events.add_event(
            s,
            municipality=m,
            event=new,
            step=target,
            file_bytes=data,
            file_name=file.name if file else None,
            actor=actor,
            settings=settings(),
            now=now_utc(),
        )
        out = events.event_json(row)
        closed = [f"{st.key} {st.period}".strip() for st in done]
    if as_json:
        print_json({**out, "steps_done": closed})
        return
    console.print(
        f"Записано мероприятие №{out['id']}: {out['kind_ru']} «{out['title']}», "
        f"{row.held_on:%d.%m.%Y}",
        highlight=False,
        markup=False,
    )
    for key in closed:
        console.print(f"  шаг «{key}» выполнен по правилу шаблона", highlight=False)


@app.command("list")
@handle_errors
def list_(
    municipality: Municipality,
    year: Annotated[int, Opt("--year", help="год: 2023")],
    as_json: Annotated[bool, Opt("--json", help="вывод в JSON")] = False,
) -> None:
    """Мероприятия за год с участниками по аудиториям."""
    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        rows = events.list_events(
            s, municipality_id=m.id, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31)
        )
        out = [events.event_json(r) for r in rows]
    if as_json:
        print_json(out)
        return
    table = Table(title=f"Мероприятия: {m.name}, {year} ({len(out)})")
    for c in ("№", "Дата", "Вид", "Название", "Аудитория", "Участников"):
        table.add_column(c)
    for e in out:
        who = ", ".join(
            AUDIENCE_RU.get(a, a) + (f" {e['participants'][a]}" if a in e["participants"] else "")
            for a in e["audiences"]
        )
        total = e["participants_total"]
        table.add_row(
            str(e["id"]),
            f"{e['held_on']:%d.%m.%Y}",
            e["kind_ru"],
            e["title"],
            who or "—",
            "—" if total is None else str(total),
        )
    console.print(table)
