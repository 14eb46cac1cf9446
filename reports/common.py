"""Shared pieces of reports: Russian months and numbers, the verifiable footer line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pendulum
from sqlalchemy import func
from sqlmodel import Session, col, select

from models import AuditEntry, Municipality
from reports import russian

MONTHS_RU = tuple(russian.month_name(m) for m in range(1, 13))
NO_DATA = russian.NO_DATA


def local_date(at: dt.datetime, tz: str) -> dt.date:
    return pendulum.instance(at).in_timezone(tz).date()


def num(value: float | int | None, unit: str = "") -> str:
    """Russian number (babel): decimal comma, narrow spaces between thousands, no trailing
    zeros; «данные не внесены» when there is no value."""
    if value is None:
        return NO_DATA
    text = russian.number(value)
    return f"{text}\u00a0{unit}" if unit else text


def signed(value: float | None, unit: str = "") -> str:
    if value is None:
        return NO_DATA
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + num(abs(value), unit)


def local_stamp(at: dt.datetime, tz: str) -> str:
    """«15.08.2025 14:30 (время местное: Иркутск, UTC+8)»."""
    from babel.dates import get_timezone_location

    local = pendulum.instance(at).in_timezone(tz)
    offset = local.utcoffset() or dt.timedelta()
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    zone = f"UTC{hours:+d}" + (f":{rest // 60:02d}" if rest else "")
    city = get_timezone_location(tz, locale=russian.LOCALE, return_city=True)
    return f"{local:%d.%m.%Y %H:%M} (время местное: {city}, {zone})"


@dataclass(frozen=True)
class Footer:
    chain: str
    seq: int
    head_hash: str | None
    generated_at: str  # local time of the municipality, with its zone named

    def lines(self) -> list[str]:
        if self.head_hash:
            head = f"последняя запись № {self.seq}, контрольная сумма {self.head_hash}"
        else:
            head = "записей нет"
        return [f"Сформировано {self.generated_at}. Журнал изменений: {head}"]


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
        stamp = local_stamp(now, m.timezone)
        seq, head = heads.get(m.code, (0, None))
        out[m.code] = Footer(m.code, seq, head, stamp)
    return out


def footer(s: Session, *, municipality: Municipality, now: dt.datetime) -> Footer:
    return footers(s, municipalities=[municipality], now=now)[municipality.code]
