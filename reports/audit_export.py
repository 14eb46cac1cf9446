"""Audit log exports for auditors: JSONL, CSV and XLSX, with the chain hashes.

Every row carries ``prev_hash`` and ``hash``, so an exported range can be checked
on its own: the first row links to the hash printed just before the range, and
``hash = sha256(prev_hash + "\\n" + canonical entry)`` (see docs in the README).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from domain.audit.history import EXPORT_COLUMNS
from domain.audit.log import format_at

FORMATS = ("jsonl", "csv", "xlsx")
HEADERS_RU = {
    "chain": "цепочка",
    "seq": "№",
    "at": "время (UTC)",
    "actor": "кто",
    "action": "действие",
    "entity": "объект",
    "payload": "содержание (канонический JSON)",
    "prev_hash": "хеш предыдущей записи",
    "hash": "хеш записи",
}


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    at = out["at"]
    if isinstance(at, dt.datetime):
        out["at"] = format_at(at if at.tzinfo else at.replace(tzinfo=dt.UTC))
    return out


def _local(at: object, tz: str) -> object:
    """The entry's moment as a local wall-clock time of ``tz`` (for reading; the hashed
    UTC text stays in its own column)."""
    if not isinstance(at, dt.datetime):
        return at
    aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def write_export(
    rows: Iterable[dict[str, Any]], *, fmt: str, out: Path, tz: str | None = None
) -> int:
    """Write rows (dicts with EXPORT_COLUMNS) to ``out``; return the number of rows.

    The XLSX sheet adds a typed local-time column named with its zone (``tz``, default
    the configured ``default_timezone``)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    if fmt == "jsonl":
        with out.open("w", encoding="utf-8") as fh:
            for row in rows:
                flat = _flat(row)
                flat["payload"] = json.loads(flat["payload"])  # nested, still canonical keys
                fh.write(json.dumps(flat, ensure_ascii=False, sort_keys=True) + "\n")
                n += 1
        return n
    if fmt == "csv":
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(EXPORT_COLUMNS)
            for row in rows:
                flat = _flat(row)
                writer.writerow([flat[c] for c in EXPORT_COLUMNS])
                n += 1
        return n
    from babel.dates import get_timezone_location
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from models.settings import get_settings

    zone = tz or get_settings().default_timezone
    city = get_timezone_location(zone, locale="ru_RU", return_city=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Журнал")
    ws.freeze_panes = "A3"
    local_header = f"время (местное: {city}, {zone})"
    at = EXPORT_COLUMNS.index("at") + 1  # the local time stands right after the UTC one
    head = []
    names = [HEADERS_RU[c] for c in EXPORT_COLUMNS]
    for text in [*names[:at], local_header, *names[at:]]:
        cell = WriteOnlyCell(ws, text)
        cell.font = Font(bold=True)
        head.append(cell)
    ws.append(head)
    ws.append([*EXPORT_COLUMNS[:at], "at_local", *EXPORT_COLUMNS[at:]])
    for row in rows:
        flat = _flat(row)
        stamp = WriteOnlyCell(ws, _local(row["at"], zone))
        stamp.number_format = "DD.MM.YYYY HH:MM:SS"
        values = [flat[c] for c in EXPORT_COLUMNS]
        ws.append([*values[:at], stamp, *values[at:]])
        n += 1
    wb.save(out)
    return n
