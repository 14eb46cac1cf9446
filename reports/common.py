"""Shared pieces of reports: Russian months and numbers, the verifiable footer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pendulum
from sqlalchemy import func
from sqlmodel import Session, col, select

from models import AuditEntry, Municipality

MONTHS_RU = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip


def local_date(at: dt.datetime, tz: str) -> dt.date:
    return pendulum.instance(at).in_timezone(tz).date()


def num(value: float | int | None, unit: str = "") -> str:
    """Russian number: decimal comma, no trailing zeros, «—» for missing."""
    if value is None:
        return "—"
    text = (
        f"{value:,.1f}" if isinstance(value, float) and not value.is_integer() else f"{value:,.0f}"
    )
    text = text.replace(",", "\u00a0").replace(".", ",")
    return f"{text}\u00a0{unit}".rstrip() if unit else text


def signed(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + num(abs(value), unit)


@dataclass(frozen=True)
class Footer:
    chain: str
    seq: int
    head_hash: str | None
    generated_at: str  # local time of the municipality, with its zone

    def lines(self) -> list[str]:
        head = f"№ {self.seq}, хеш {self.head_hash}" if self.head_hash else "нет записей"
        return [
            f"Журнал аудита «{self.chain}»: последняя запись {head}.",
            "Проверка: roadmap audit verify (хеш последней записи должен совпасть).",
            f"Сформировано: {self.generated_at}.",
        ]


def footers(
    s: Session, *, municipalities: list[Municipality], now: dt.datetime
) -> dict[str, Footer]:
    """Audit-log heads of the municipalities' chains and the generation time, by code."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    codes = [m.code for m in municipalities]
    last = (
        select(AuditEntry.chain, func.max(AuditEntry.seq).label("seq"))
        .where(col(AuditEntry.chain).in_(codes))
        .group_by(col(AuditEntry.chain))
        .subquery()
    )
    rows = s.exec(
        select(AuditEntry.chain, AuditEntry.seq, AuditEntry.hash).join(
            last, (col(AuditEntry.chain) == last.c.chain) & (col(AuditEntry.seq) == last.c.seq)
        )
    ).all()
    heads = {chain: (int(seq), str(h)) for chain, seq, h in rows}
    out: dict[str, Footer] = {}
    for m in municipalities:
        local = pendulum.instance(now).in_timezone(m.timezone)
        stamp = f"{local:%d.%m.%Y %H:%M} ({m.timezone}, UTC{local:%z})"
        seq, head = heads.get(m.code, (0, None))
        out[m.code] = Footer(m.code, seq, head, stamp)
    return out


def footer(s: Session, *, municipality: Municipality, now: dt.datetime) -> Footer:
    return footers(s, municipalities=[municipality], now=now)[municipality.code]
