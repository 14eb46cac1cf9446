"""``roadmap narrative``: the МОЦ head's texts of the annual report (Markdown)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, get_municipality, handle_errors, now_utc, print_json, transaction
from domain.errors import InputError
from domain.records.narrative import PARTS, narratives, set_narrative

app = typer.Typer(help="Тексты годового отчёта: анализ, итоги, перспективы.", no_args_is_help=True)
Opt = typer.Option
PART_HELP = "часть: " + ", ".join(f"{k} ({v})" for k, v in PARTS.items())


@app.command("set")
@handle_errors
def set_(
    municipality: Annotated[str, Opt("--municipality", "-m", help="код муниципалитета: lod")],
    year: Annotated[int, Opt("--year", help="отчётный год: 2023")],
    part: Annotated[str, Opt("--part", help=PART_HELP)],
    file: Annotated[Path, Opt("--file", help="текст в Markdown (UTF-8): itogi.md")],
    actor: Annotated[str, Opt("--actor", help="кто пишет (ФИО)")] = "cli",
) -> None:
    """Сохранить текст части отчёта из файла Markdown (повторно — заменить)."""
    if not file.is_file():
        raise InputError(f"--file: файл «{file}» не найден")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"--file: файл «{file.name}» не в кодировке UTF-8") from None
    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        row = set_narrative(
            s, municipality_id=m.id, year=year, part=part, text=text, actor=actor, now=now_utc()
        )
    console.print(
        f"Сохранено: «{PARTS[row.part]}» за {year} год, {len(row.text)} знаков", highlight=False
    )


@app.command("show")
@handle_errors
def show(
    municipality: Annotated[str, Opt("--municipality", "-m", help="код муниципалитета: lod")],
    year: Annotated[int, Opt("--year", help="отчётный год: 2023")],
    as_json: Annotated[bool, Opt("--json", help="вывод в JSON")] = False,
) -> None:
    """Показать сохранённые тексты за год."""
    with transaction() as s:
        m = get_municipality(s, municipality)
        assert m.id is not None
        texts = narratives(s, municipality_ids=[m.id], year=year).get(m.id, {})
    if as_json:
        print_json(texts)
        return
    if not texts:
        raise InputError(f"за {year} год тексты не сохранены (roadmap narrative set)")
    for key, title in PARTS.items():
        if key in texts:
            console.print(f"## {title}\n\n{texts[key]}\n", highlight=False, markup=False)
