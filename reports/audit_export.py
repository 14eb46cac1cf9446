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


def write_export(rows: Iterable[dict[str, Any]], *, fmt: str, out: Path) -> int:
    """Write rows (dicts with EXPORT_COLUMNS) to ``out``; return the number of rows."""
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
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Журнал")
    ws.append([HEADERS_RU[c] for c in EXPORT_COLUMNS])
    ws.append(list(EXPORT_COLUMNS))
    for row in rows:
        flat = _flat(row)
        ws.append([flat[c] for c in EXPORT_COLUMNS])
        n += 1
    wb.save(out)
    return n
