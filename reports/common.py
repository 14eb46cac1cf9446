"""Shared pieces of reports: Russian months and numbers, the verifiable footer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pendulum
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


def footer(s: Session, *, municipality: Municipality, now: dt.datetime) -> Footer:
    """The audit-log head of the municipality's chain and the generation time."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    row = s.exec(
        select(AuditEntry.seq, AuditEntry.hash)
        .where(AuditEntry.chain == municipality.code)
        .order_by(col(AuditEntry.seq).desc())
        .limit(1)
    ).first()
    local = pendulum.instance(now).in_timezone(municipality.timezone)
    stamp = f"{local:%d.%m.%Y %H:%M} ({municipality.timezone}, UTC{local:%z})"
    if row is None:
        return Footer(municipality.code, 0, None, stamp)
    return Footer(municipality.code, int(row[0]), str(row[1]), stamp)
