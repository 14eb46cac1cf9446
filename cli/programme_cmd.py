"""``roadmap programme``: the programme catalogue (направленность, status, expertise)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, get_municipality, handle_errors, now_utc, print_json, transaction
from domain import lookup
from domain.inputs import parse_date
from domain.records import programmes as progs

app = typer.Typer(help="Каталог программ дополнительного образования.", no_args_is_help=True)
Opt = typer.Option
Municipality = Annotated[
    str, Opt("--municipality", "-m", help="код муниципалитета, например lodeynoye")
]
FOCUS_HELP = "направленность: technical или «техническая», artistic или «художественная», …"


@app.command("add")
@handle_errors
def add(
    municipality: Municipality,
    organisation: Annotated[str, Opt("--organisation", "-o", help="код организации: dar")],
    title: Annotated[str, Opt("--title", help="название: «Робототехника»")],
    focus: Annotated[str, Opt("--focus", help=FOCUS_HELP)],
    navigator_id: Annotated[
        str | None, Opt("--navigator-id", help="номер в АИС «Навигатор»: 12345")
    ] = None,
    hours: Annotated[int, Opt("--hours", help="объём, часов: 72")] = 0,
    age_min: Annotated[int, Opt("--age-min", help="возраст от: 7")] = 5,
    age_max: Annotated[int, Opt("--age-max", help="возраст до: 14")] = 18,
    ovz: Annotated[bool, Opt("--ovz", help="для детей с ОВЗ")] = False,
    remote: Annotated[bool, Opt("--remote", help="реализуется дистанционно")] = False,
    network: Annotated[bool, Opt("--network", help="в сетевой форме")] = False,
    expertise: Annotated[
        str, Opt("--expertise", help="итог экспертизы: none, positive, negative")
    ] = "none",
    actor: Annotated[str, Opt("--actor", help="кто вносит запись (ФИО)")] = "cli",
    as_json: Annotated[bool, Opt("--json", help="вывод в JSON")] = False,
) -> None:
    """Добавить опубликованную программу в каталог."""
    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        org = lookup.organisation(s, municipality_id=m.id, code=organisation)
        p = progs.add_programme(
            s,
            organisation=org,
            title=title,
            focus=focus,
            navigator_id=navigator_id,
            hours=hours,
            age_min=age_min,
            age_max=age_max,
            for_ovz=ovz,
            remote=remote,
            network=network,
            expertise=expertise,
            actor=actor,
            now=now_utc(),
        )
        out = progs.programme_json(p, org)
    if as_json:
        print_json(out)
        return
    console.print(
        f"Добавлена программа №{out['id']} «{out['title']}» ({out['focus_ru']})",
        highlight=False,
        markup=False,
    )


@app.command("list")
@handle_errors
def list_(
    municipality: Municipality,
    focus: Annotated[str | None, Opt("--focus", help=FOCUS_HELP)] = None,
    status: Annotated[
        str | None, Opt("--status", help="published (опубликована) или archived (в архиве)")
    ] = None,
    organisation: Annotated[str | None, Opt("--organisation", "-o", help="код: dar")] = None,
    as_json: Annotated[bool, Opt("--json", help="вывод в JSON")] = False,
) -> None:
    """Программы каталога (с отбором по направленности, статусу, организации)."""
    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        org_id = (
            lookup.organisation(s, municipality_id=m.id, code=organisation).id
            if (organisation)
            else None
        )
        rows = progs.list_programmes(
            s,
            municipality_id=m.id,
            organisation_id=org_id,
            focus=progs.parse_focus(focus) if focus else None,
            status=progs.parse_status(status) if status else None,
        )
        out = [progs.programme_json(p, o) for p, o in rows]
    if as_json:
        print_json(out)
        return
    table = Table(title=f"Программы: {m.name} ({len(out)})")
    for c in ("№", "Название", "Организация", "Направленность", "Статус", "Экспертиза", "Формы"):
        table.add_column(c)
    for p in out:
        forms = ", ".join(
            label
            for flag, label in (
                ("for_ovz", "ОВЗ"),
                ("remote", "дистанционно"),
                ("network", "сетевая"),
            )
            if p[flag]
        )
        table.add_row(
            str(p["id"]),
            p["title"],
            p["organisation"],
            p["focus_ru"],
            p["status_ru"],
            p["expertise_ru"],
            forms or "—",
        )
    console.print(table)


@app.command("show")
@handle_errors
def show(
    programme: Annotated[int, typer.Argument(help="номер программы: 12")],
    municipality: Municipality,
    as_json: Annotated[bool, Opt("--json", help="вывод в JSON")] = False,
) -> None:
    """Карточка программы."""
    from models import Organisation

    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        p = progs.get_programme(s, municipality_id=m.id, programme_id=programme)
        org = s.get(Organisation, p.organisation_id)
        assert org is not None
        out = progs.programme_json(p, org)
    if as_json:
        print_json(out)
        return
    for label, key in (
        ("Программа", "title"),
        ("Организация", "organisation"),
        ("Направленность", "focus_ru"),
        ("Статус", "status_ru"),
        ("Экспертиза", "expertise_ru"),
        ("Навигатор", "navigator_id"),
    ):
        console.print(
            f"{label}: {out[key] if out[key] is not None else '—'}", highlight=False, markup=False
        )
    console.print(
        f"Возраст: {out['age_min']}–{out['age_max']}; часов: {out['hours']}; "
        f"ОВЗ: {'да' if out['for_ovz'] else 'нет'}; "
        f"дистанционно: {'да' if out['remote'] else 'нет'}; "
        f"сетевая форма: {'да' if out['network'] else 'нет'}",
        highlight=False,
    )


@app.command("archive")
@handle_errors
def archive(
    programme: Annotated[int, typer.Argument(help="номер программы: 12")],
    municipality: Municipality,
    on: Annotated[str | None, Opt("--on", help="дата переноса в архив: 31.08.2024")] = None,
    actor: Annotated[str, Opt("--actor", help="кто вносит запись (ФИО)")] = "cli",
) -> None:
    """Перенести программу в архив (она остаётся в каталоге и в отчётах)."""
    from domain.roadmap.deadlines import local_date

    now = now_utc()
    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        today = local_date(now, m.timezone)
        day = parse_date(on, field="--on") if on else today
        if day > today:
            from domain.errors import InputError

            raise InputError(f"--on: дата {day:%d.%m.%Y} ещё не наступила")
        p = progs.get_programme(s, municipality_id=m.id, programme_id=programme)
        progs.archive_programme(s, programme=p, on=day, actor=actor, now=now)
    console.print(f"Программа №{programme} перенесена в архив с {day:%d.%m.%Y}", highlight=False)
