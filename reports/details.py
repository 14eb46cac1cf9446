"""Header details of a municipality's reports: territorial zone, the МОЦ and its head.

They come from the YAML file named by ``SOCZAKAZ_REPORT_DETAILS`` (one entry per
municipality code, see docs/reports.md); the head's name falls back to the person with
the role «руководитель МОЦ» of the municipality.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlmodel import Session, col, select

from domain.errors import InputError
from models import Municipality, Person, Role

FIELDS = ("zone", "moc", "moc_short", "head")


@dataclass(frozen=True)
class Details:
    zone: str = ""  # «Северо-восточная»
    moc: str = ""  # full name of the institution acting as МОЦ
    moc_short: str = ""  # «МБУДО ДДТ»
    head: str = ""  # «Иванова А. П.»

    @property
    def author(self) -> str:
        return self.moc_short or self.moc or "Муниципальный опорный центр"


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, Details]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: файл сведений для отчётов не читается: {exc}") from exc
    if not isinstance(raw, dict):
        raise InputError(f"{path}: ожидается словарь «код муниципалитета: сведения»")
    out: dict[str, Details] = {}
    for code, entry in raw.items():
        if not isinstance(entry, dict):
            raise InputError(f"{path}: «{code}»: ожидается словарь полей {', '.join(FIELDS)}")
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            raise InputError(f"{path}: «{code}»: неизвестное поле «{unknown[0]}»")
        out[str(code)] = Details(**{k: str(v) for k, v in entry.items()})
    return out


def details_for(
    s: Session, municipalities: list[Municipality], path: Path | None
) -> dict[str, Details]:
    """Details by municipality code (empty fields where nothing is known)."""
    given = _load(path) if path is not None else {}
    ids = [m.id for m in municipalities if m.id is not None]
    heads: dict[int, str] = {}
    for mid, name in s.exec(
        select(Person.municipality_id, Person.full_name)
        .where(col(Person.municipality_id).in_(ids), Person.role == Role.moc_head)
        .order_by(col(Person.id))
    ).all():
        if mid is not None:
            heads.setdefault(mid, name)
    out: dict[str, Details] = {}
    for m in municipalities:
        d = given.get(m.code, Details())
        if not d.head and m.id in heads:
            d = Details(d.zone, d.moc, d.moc_short, heads[m.id])
        out[m.code] = d
    return out
