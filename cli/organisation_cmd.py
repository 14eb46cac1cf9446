"""``roadmap organisation``: organisations of a municipality (type, Навигатор)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, get_municipality, handle_errors, now_utc, print_json, transaction
from domain import lookup
from domain.records import organisations as orgs
from domain.records.labels import ORG_KIND_RU

app = typer.Typer(help="Организации муниципалитета.", no_args_is_help=True)
Opt = typer.Option
Municipality = Annotated[
    str, Opt("--municipality", "-m", help="код муниципалитета, например lodeynoye")
]
TYPES = ", ".join(ORG_KIND_RU)


@app.command("add")
@handle_errors
def add(
    code: Annotated[str, typer.Argument(help="код организации, например dar")],
    municipality: Municipality,
    name: Annotated[str, Opt("--name", help="полное название: МБУ ДО «ЛЦВР «Дар»")],
    kind: Annotated[str, Opt("--type", help=f"тип: {TYPES} (или по-русски: школа, ДОУ, ИП)")] = (
        "school"
    ),
    short_name: Annotated[str, Opt("--short-name", help="краткое название: ЛЦВР «Дар»")] = "",
    inn: Annotated[str, Opt("--inn", help="ИНН (10 или 12 цифр)")] = "",
    in_navigator: Annotated[
        bool, Opt("--navigator/--no-navigator", help="зарегистрирована в АИС «Навигатор»")
    ] = True,
    actor: Annotated[str, Opt("--actor", help="кто вносит запись (ФИО)")] = "cli",
    as_json: Annotated[bool, Opt("--json", help="вывод в JSON")] = False,
) -> None:
    """Добавить организацию (школа, детский сад, ДО, культура, спорт, ИП)."""
    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        org = orgs.add_organisation(
            s,
            municipality_id=m.id,
            code=code,
            name=name,
            kind=kind,
            short_name=short_name,
            inn=inn,
            in_navigator=in_navigator,
            actor=actor,
            now=now_utc(),
        )
        out = orgs.organisation_json(org)
    if as_json:
        print_json(out)
        return
    console.print(
        f"Добавлена организация {out['code']}: {out['name']} ({out['type_ru']})",
        highlight=False,
        markup=False,
    )


@app.command("list")
@handle_errors
def list_(
    municipality: Municipality,
    as_json: Annotated[bool, Opt("--json", help="вывод в JSON")] = False,
) -> None:
    """Организации муниципалитета с числом программ."""
    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        rows = [
            (orgs.organisation_json(o), n)
            for o, n in orgs.list_organisations(s, municipality_id=m.id)
        ]
    if as_json:
        print_json([{**o, "programmes": n} for o, n in rows])
        return
    table = Table(title=f"Организации: {m.name}")
    for c in ("Код", "Название", "Тип", "Навигатор", "Программ"):
        table.add_column(c)
    for o, n in rows:
        nav = "да" if o["in_navigator"] else "нет"
        table.add_row(o["code"], o["name"], o["type_ru"], nav, str(n))
    console.print(table)


@app.command("show")
@handle_errors
def show(
    code: Annotated[str, typer.Argument(help="код организации")],
    municipality: Municipality,
    as_json: Annotated[bool, Opt("--json", help="вывод в JSON")] = False,
) -> None:
    """Карточка организации."""
    from domain.records.programmes import list_programmes, programme_json

    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        org = lookup.organisation(s, municipality_id=m.id, code=code)
        out = orgs.organisation_json(org)
        out["programmes"] = [
            programme_json(p, o)
            for p, o in list_programmes(s, municipality_id=m.id, organisation_id=org.id)
        ]
    if as_json:
        print_json(out)
        return
    console.print(f"{out['code']}: {out['name']}", highlight=False, markup=False)
    console.print(
        f"  тип: {out['type_ru']}; ИНН: {out['inn'] or '—'}; "
        f"в АИС «Навигатор»: {'да' if out['in_navigator'] else 'нет'}",
        highlight=False,
        markup=False,
    )
    console.print(f"  программ: {len(out['programmes'])}", highlight=False)
    for p in out["programmes"]:
        console.print(
            f"  №{p['id']} {p['title']} — {p['focus_ru']}, {p['status_ru']}",
            highlight=False,
            markup=False,
        )
