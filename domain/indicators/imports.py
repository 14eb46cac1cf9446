"""Import of indicator values from a CSV or XLSX export (e.g. from АИС «Навигатор»).

Columns (header row first; Russian aliases accepted, see docs/indicators.md):
``key`` (показатель) — indicator key or its Russian label; ``actual`` (факт) — number;
``target`` (план) — optional number; ``period`` (период) — optional, overrides the
command's period. Every row is validated first; all errors are reported at once
with file, row and column; nothing is written unless the whole file is valid.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from domain.errors import InputError
from domain.indicators import catalogue as indicators

COLUMNS: dict[str, tuple[str, ...]] = {
    "key": ("key", "показатель", "код"),
    "actual": ("actual", "факт", "значение"),
    "target": ("target", "план"),
    "period": ("period", "период"),
}
REQUIRED = ("key", "actual")


@dataclass(frozen=True)
class ParsedValue:
    row: int
    key: str
    period: str
    actual: float | None
    target: float | None


def _read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """(1-based row number, cells as text) of every non-empty row, header included."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise InputError(f"{path.name}: не удалось открыть файл XLSX ({exc})") from None
        try:
            ws = wb.worksheets[0]
            out: list[tuple[int, list[str]]] = []
            for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = ["" if v is None else _cell_text(v) for v in values]
                if any(c.strip() for c in cells):
                    out.append((n, cells))
            return out
        finally:
            wb.close()
    if suffix in (".csv", ".txt"):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1251")  # exports from Windows tools
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        return [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    raise InputError(f"{path.name}: неизвестный формат файла (ожидается .csv или .xlsx)")


def _cell_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _number(text: str) -> float | None:
    t = text.strip().replace("\u00a0", "").replace(" ", "").rstrip("%").replace(",", ".")
    if not t:
        return None
    try:
        return float(t)
    except ValueError:
        return None


def parse(path: Path, *, default_period: str) -> list[ParsedValue]:
    """Validate the whole file; raise InputError listing every problem, or return values."""
    name = path.name
    rows = _read_rows(path)
    if not rows:
        raise InputError(f"{name}: файл пуст (нужна строка заголовка и строки значений)")
    header_row, header = rows[0]
    where: dict[str, int] = {}
    errors: list[str] = []
    for i, title in enumerate(header):
        canon = next(
            (c for c, aliases in COLUMNS.items() if title.strip().casefold() in aliases), None
        )
        if canon is None:
            if title.strip():
                errors.append(f"{name}:строка {header_row}: неизвестный столбец «{title.strip()}»")
            continue
        if canon in where:
            errors.append(f"{name}:строка {header_row}: столбец «{title.strip()}» повторяется")
        where[canon] = i
    for canon in REQUIRED:
        if canon not in where:
            errors.append(
                f"{name}:строка {header_row}: нет обязательного столбца «{canon}» "
                f"(или «{COLUMNS[canon][1]}»)"
            )
    if errors:
        raise InputError(f"{name}: файл не принят, ничего не записано", details=errors)
    titles = {c: header[i].strip() for c, i in where.items()}
    default_period = indicators.check_period(default_period)
    values: list[ParsedValue] = []
    seen: dict[tuple[str, str], int] = {}

    def cell(cells: list[str], canon: str) -> str:
        i = where.get(canon)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    for n, cells in rows[1:]:
        at = f"{name}:строка {n}"
        raw_key = cell(cells, "key")
        key = indicators.resolve_key(raw_key) if raw_key else None
        if not raw_key:
            errors.append(f"{at}, столбец «{titles['key']}»: пустое значение")
        elif key is None:
            errors.append(f"{at}, столбец «{titles['key']}»: неизвестный показатель «{raw_key}»")
        period = default_period
        if raw_period := cell(cells, "period"):
            if raw_period.upper() in indicators.PERIODS:
                period = raw_period.upper()
            else:
                errors.append(
                    f"{at}, столбец «{titles['period']}»: ожидается Y, Q1, Q2, Q3 или Q4, "
                    f"получено «{raw_period}»"
                )
        parsed: dict[str, float | None] = {}
        for canon in ("actual", "target"):
            text = cell(cells, canon)
            if canon not in where or not text:
                parsed[canon] = None
                if canon == "actual":
                    errors.append(f"{at}, столбец «{titles['actual']}»: пустое значение")
                continue
            number = _number(text)
            if number is None:
                errors.append(
                    f"{at}, столбец «{titles[canon]}»: ожидается число, получено «{text}»"
                )
            elif key is not None and (
                problem := indicators.check_value(key, number, what="значение")
            ):
                errors.append(f"{at}, столбец «{titles[canon]}»: {problem}")
            parsed[canon] = number
        if key is not None:
            if (key, period) in seen:
                errors.append(
                    f"{at}, столбец «{titles['key']}»: показатель «{key}» за период {period} "
                    f"уже указан в строке {seen[key, period]}"
                )
            seen[key, period] = n
            values.append(ParsedValue(n, key, period, parsed["actual"], parsed["target"]))
    if errors:
        raise InputError(
            f"{name}: ошибок — {len(errors)}; файл не принят, ничего не записано",
            details=errors,
        )
    if not values:
        raise InputError(f"{name}: нет строк со значениями")
    return values


def import_file(
    s: Session, *, path: Path, municipality_id: int, year: int, period: str = "Y"
) -> list[ParsedValue]:
    """Parse and validate ``path`` completely, then upsert every value in ``s``."""
    values = parse(path, default_period=period)
    source = f"импорт: {path.name}"
    for v in values:
        indicators.upsert(
            s,
            municipality_id=municipality_id,
            year=year,
            period=v.period,
            key=v.key,
            target=v.target,
            actual=v.actual,
            source=source,
        )
    return values
