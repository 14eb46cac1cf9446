"""Narrative texts of the annual report (Markdown), per municipality, year and part."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from sqlmodel import Session, col, select

from domain.audit import log as audit_log
from domain.errors import InputError
from domain.records.labels import pick
from domain.vocabulary import AuditAction
from models.records import Narrative

PARTS: dict[str, str] = {
    "goals": "Цели и основные направления деятельности",
    "analysis": "Анализ деятельности",
    "results": "Итоги",
    "plans": "Перспективы работы",
}
MAX_CHARS = 100_000


def set_narrative(
    s: Session,
    *,
    municipality_id: int,
    year: int,
    part: str,
    text: str,
    actor: str,
    now: dt.datetime,
) -> Narrative:
    """Store (or replace) one part; the audit log keeps the text's hash and size."""
    key = pick(part, field="--part", labels=PARTS)
    body = text.replace("\r\n", "\n").strip()
    if not body:
        raise InputError("текст пуст: напишите анализ, итоги или планы (Markdown)")
    if len(body) > MAX_CHARS:
        raise InputError(f"текст слишком длинный: {len(body)} знаков (не больше {MAX_CHARS})")
    if not 2000 <= year <= 2100:
        raise InputError(f"--year: ожидается год, получено {year}")
    row = s.exec(
        select(Narrative).where(
            Narrative.municipality_id == municipality_id,
            Narrative.year == year,
            Narrative.part == key,
        )
    ).first()
    if row is None:
        row = Narrative(
            municipality_id=municipality_id,
            year=year,
            part=key,
            text=body,
            updated_by=actor,
            updated_at=now,
        )
    else:
        row.text, row.updated_by, row.updated_at = body, actor, now
    s.add(row)
    s.flush()
    audit_log.append(
        s,
        municipality_id=municipality_id,
        actor=actor,
        action=AuditAction.narrative_saved,
        entity=f"narrative:{row.id}",
        payload={
            "year": year,
            "part": key,
            "chars": len(body),
            "sha256": hashlib.sha256(body.encode()).hexdigest(),
        },
        at=now,
    )
    return row


def narratives(s: Session, *, municipality_ids: list[int], year: int) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {}
    rows = s.exec(
        select(Narrative).where(
            col(Narrative.municipality_id).in_(municipality_ids), Narrative.year == year
        )
    ).all()
    for r in rows:
        out.setdefault(r.municipality_id, {})[r.part] = r.text
    return out


_LIST = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def paragraphs(markdown: str) -> list[str]:
    """Report paragraphs from Markdown: blocks by blank lines, one per list item.

    Headings and emphasis marks are dropped (renderers print plain paragraphs);
    numbered items keep their numbers, bullets become «— ».
    """
    out: list[str] = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if lines and all(_LIST.match(ln) for ln in lines):
            for ln in lines:
                bullet = re.match(r"^\s*[-*•]\s+", ln)
                out.append(_plain("— " + ln[bullet.end() :] if bullet else ln))
            continue
        out.append(_plain(" ".join(lines)))
    return [p for p in out if p]


def _plain(text: str) -> str:
    text = re.sub(r"^#+\s*", "", text)
    return re.sub(r"(\*\*|__|\*|_)(\S.*?\S|\S)\1", r"\2", text)
