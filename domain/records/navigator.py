"""Reading АИС «Навигатор» exports (CSV/XLSX as they come) into validated rows.

Exports carry a title line (often «по состоянию на ДД.ММ.ГГГГ»), one or two header
rows (group cells merged over sub-columns) and data rows. The kind of export is
recognised by its columns. Every problem is reported with row and column; the
caller writes nothing unless the whole file is valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from domain.errors import InputError
from domain.indicators import catalogue as indicators
from domain.indicators.imports import _number, _read_rows
from domain.inputs import parse_date, word
from domain.records.labels import FOCUS_ALIASES, ORG_KIND_ALIASES, ORG_KIND_RU, pick

# Canonical column -> header texts (compared after word(): lower case, ё -> е).
COLUMNS: dict[str, tuple[str, ...]] = {
    "org_id": ("id организации", "код организации"),
    "org_name": ("наименование организации", "организация", "полное наименование"),
    "short_name": ("краткое наименование",),
    "inn": ("инн", "инн организации"),
    "org_type": ("тип организации", "тип"),
    "prog_id": ("id программы", "id", "номер программы"),
    "title": ("наименование программы", "программа", "название программы"),
    "focus": ("направленность",),
    "status": ("статус", "статус программы"),
    "ovz": ("овз", "для детей с овз", "адаптированная (овз)"),
    "remote": ("дистанционная", "дистанционно"),
    "network": ("сетевая", "сетевая форма"),
    "hours": ("часов", "объем, часов", "объем (часов)"),
    "children": ("количество детей", "зачислено детей", "детей", "обучающихся"),
    "indicator": ("показатель",),
    "value": ("значение", "факт"),
}
KINDS = {  # kind -> required columns
    "programmes": ("prog_id", "title", "focus"),
    "organisations": ("org_name", "inn"),
    "enrolments": ("focus", "children"),
    "statistics": ("indicator", "value"),
}
KIND_RU = {
    "programmes": "программы",
    "organisations": "организации",
    "enrolments": "зачисления",
    "statistics": "статистика",
}
_AS_OF = re.compile(r"(?:на|состоянию на)\s+(\d{1,2}\.\d{1,2}\.\d{4})", re.IGNORECASE)
_YES = {"да", "+", "1", "есть", "yes"}
_NO = {"нет", "-", "0", "", "no"}


@dataclass
class Export:
    kind: str
    as_of: object | None  # dt.date of the snapshot, when the file says it
    rows: list[dict[str, str]] = field(default_factory=list)  # canonical -> cell text
    where: dict[str, str] = field(default_factory=dict)  # canonical -> header text
    numbers: list[int] = field(default_factory=list)  # file row numbers


def _canon(title: str) -> str | None:
    t = word(title.replace("\n", " "))
    return next((c for c, names in COLUMNS.items() if t in names), None)


def read_export(path: Path) -> Export:
    name = path.name
    rows = _read_rows(path)
    as_of = None
    for n, cells in rows[:5]:
        if m := _AS_OF.search(" ".join(cells)):
            as_of = parse_date(m.group(1), field=f"{name}:строка {n}")
    for i, (_, cells) in enumerate(rows[:8]):
        found = {c for cell in cells if (c := _canon(cell))}
        kind = next((k for k, req in KINDS.items() if set(req) <= found), None)
        if kind is None:
            continue
        group = rows[i - 1][1] if i > 0 else []
        filled, last = [], ""
        for cell in group:  # merged group cells: forward-fill over the blanks
            last = cell.strip() or last
            filled.append(last)
        ex = Export(kind, as_of)
        cols: dict[str, int] = {}
        for j, cell in enumerate(cells):
            canon = _canon(cell) or (_canon(filled[j]) if j < len(filled) else None)
            if canon and canon not in cols:
                cols[canon] = j
                ex.where[canon] = cell.strip() or filled[j]
        for n, data in rows[i + 1 :]:
            ex.rows.append({c: (data[j].strip() if j < len(data) else "") for c, j in cols.items()})
            ex.numbers.append(n)
        return ex
    raise InputError(
        f"{name}: не распознана выгрузка АИС «Навигатор»: нет строки заголовка со столбцами "
        "программ (ID программы, Наименование программы, Направленность), организаций "
        "(Наименование организации, ИНН), зачислений (Направленность, Количество детей) "
        "или статистики (Показатель, Значение)"
    )


def flag(text: str) -> bool | None:
    t = word(text)
    return True if t in _YES else False if t in _NO else None


def _indicator(text: str) -> str:
    key = indicators.resolve_key(text)
    if key is None:
        raise InputError(
            f"показатель: неизвестный показатель «{text}» (см. roadmap indicator list)"
        )
    return key


def validate(ex: Export, *, name: str) -> list[str]:
    """Every problem of the export as «файл:строка N, столбец «…»: …»."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    key_col = {
        "programmes": "prog_id",
        "organisations": "inn",
        "enrolments": "focus",
        "statistics": "indicator",
    }[ex.kind]
    for n, row in zip(ex.numbers, ex.rows, strict=True):

        def err(canon: str, text: str, n: int = n) -> None:
            errors.append(f"{name}:строка {n}, столбец «{ex.where.get(canon, canon)}»: {text}")

        for canon in KINDS[ex.kind]:
            if not row.get(canon):
                err(canon, "пустое значение")
        key = row.get(key_col, "")
        if key and key in seen:
            err(key_col, f"значение «{key}» уже было в строке {seen[key]}")
        seen.setdefault(key, n)
        checks: dict[str, Callable[[str], object]] = {
            "focus": lambda v: pick(
                v, field="направленность", labels=indicators.FOCUS_RU, aliases=FOCUS_ALIASES
            ),
            "org_type": lambda v: pick(
                v, field="тип", labels=ORG_KIND_RU, aliases=ORG_KIND_ALIASES
            ),
            "indicator": _indicator,
        }
        for canon, check in checks.items():
            if row.get(canon):
                try:
                    check(row[canon])
                except InputError as exc:
                    err(canon, exc.message.split(": ", 1)[-1])
        for canon in ("children", "value", "hours"):
            if row.get(canon) and _number(row[canon]) is None:
                err(canon, f"ожидается число, получено «{row[canon]}»")
        for canon in ("ovz", "remote", "network"):
            if canon in row and flag(row[canon]) is None:
                err(canon, f"ожидается «да» или «нет», получено «{row[canon]}»")
        inn = row.get("inn", "")
        if inn and not (inn.isdigit() and len(inn) in (10, 12)):
            err("inn", f"ИНН — 10 или 12 цифр, получено «{inn}»")
        if ex.kind == "programmes" and not (
            row.get("org_id") or row.get("inn") or row.get("org_name")
        ):
            err("org_name", "не указана организация программы")
    return errors
