"""Jinja filters that turn codes into the words of domain.vocabulary (no labels kept here)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

import pendulum
from jinja2 import Environment

from domain.vocabulary import (
    AUDIT_ACTION_RU,
    DELIVERY_RU,
    KIND_RU,
    RECURRENCE_RU,
    REVIEW_STATE_RU,
    ROLE_RU,
    STATUS_COUNT_RU,
    STATUS_RU,
    channel_ru,
    entity_ru,
    reminder_rule_ru,
    timezone_ru,
)
from reports.russian import number


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural: 1 день, 2 дня, 5 дней."""
    n10, n100 = abs(n) % 10, abs(n) % 100
    if n10 == 1 and n100 != 11:
        return one
    if 2 <= n10 <= 4 and not 12 <= n100 <= 14:
        return few
    return many


@lru_cache(maxsize=8192)
def number_ru(value: float) -> str:
    """«1 000 000», «24,5»: babel's Russian number, cached (a page shows few distinct values)."""
    return number(value)


def percent_ru(value: float) -> str:
    """«24,5 %»: a Russian percentage (decimal comma, a narrow space before the sign)."""
    return f"{number_ru(value)}\u202f%"


def workdays_ru(n: int) -> str:
    return f"{n} {plural(n, 'рабочий день', 'рабочих дня', 'рабочих дней')}"


MONTHS_GEN = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
ROMAN = ("I", "II", "III", "IV")
MONTHS = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)


def period_ru(period: str) -> str:
    """``2026-Q1`` -> «I квартал 2026», ``2026-03`` -> «март 2026», ``2026`` -> «2026 год»."""
    year, _, part = period.partition("-")
    if not part:
        return f"{year} год" if year else ""
    if part.startswith("Q") and part[1:].isdigit() and 1 <= int(part[1:]) <= 4:
        return f"{ROMAN[int(part[1:]) - 1]} квартал {year}"
    if part.isdigit() and 1 <= int(part) <= 12:
        return f"{MONTHS[int(part) - 1]} {year}"
    return period


def _get(table: dict[str, str], fallback: str) -> Any:
    return lambda code: table.get(str(code), fallback) if code is not None else "—"


def local_time(value: dt.datetime | None, tz: str = "Europe/Moscow") -> str:
    """«16 марта 2026 г., 12:00 (МСК, Москва)»."""
    if value is None:
        return "—"
    local = pendulum.instance(value).in_timezone(tz)
    d = local.date()
    return f"{d.day} {MONTHS_GEN[d.month - 1]} {d.year} г., {local:%H:%M} ({timezone_ru(tz)})"


_ACTOR_ID = re.compile(r"\s*\(id=\d+\)")


def actor_ru(actor: str | None) -> str:
    """«Руководитель МОЦ (id=4)» -> «Руководитель МОЦ»: people read names, not row ids."""
    return _ACTOR_ID.sub("", actor or "") or "система"


def install_filters(env: Environment) -> None:
    env.filters.update(
        local_time=local_time,
        actor_ru=actor_ru,
        status_ru=_get(STATUS_RU, "статус неизвестен"),
        status_count_ru=_get(STATUS_COUNT_RU, "прочие"),
        kind_ru=_get(KIND_RU, "шаг"),
        role_ru=_get(ROLE_RU, "участник"),
        recurrence_ru=_get(RECURRENCE_RU, "по графику"),
        state_ru=_get(REVIEW_STATE_RU, "состояние неизвестно"),
        action_ru=_get(AUDIT_ACTION_RU, "действие в журнале"),
        delivery_ru=_get(DELIVERY_RU, "состояние неизвестно"),
        tz_ru=timezone_ru,
        rule_ru=reminder_rule_ru,
        channel_ru=channel_ru,
        entity_ru=entity_ru,
        workdays_ru=workdays_ru,
        plural=plural,
        number_ru=number_ru,
        percent_ru=percent_ru,
        period_ru=period_ru,
    )
    env.globals.update(status_names=STATUS_RU, kind_names=KIND_RU, role_names=ROLE_RU)
