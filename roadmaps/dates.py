"""Date expressions of roadmap templates: ``"{year-1}-10-01"``, ``"{param}"``, ``"2025-03-01"``.

A date expression is either a date whose year part is the roadmap year with an
offset (``{year}``, ``{year-1}``, ``{year+1}``) or a literal four-digit year, or a
reference to a template parameter (``{params_calc_date}``) whose value is itself a
date expression without parameter references. Pure functions, no I/O.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_DATE_RE = re.compile(
    r"^(?:\{year(?P<offset>[+-]\d{1,2})?\}|(?P<literal>\d{4}))-(?P<m>\d{2})-(?P<d>\d{2})$"
)
_PARAM_RE = re.compile(r"^\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}$")


class DateExprError(ValueError):
    """A malformed or impossible date expression (message in Russian)."""


@dataclass(frozen=True)
class DateExpr:
    """A parsed date: ``year_offset`` relative to the roadmap year, or a literal year."""

    month: int
    day: int
    year_offset: int = 0
    literal_year: int | None = None

    def resolve(self, year: int) -> dt.date:
        y = self.literal_year if self.literal_year is not None else year + self.year_offset
        try:
            return dt.date(y, self.month, self.day)
        except ValueError:
            raise DateExprError(f"даты {y}-{self.month:02d}-{self.day:02d} не существует") from None


@dataclass(frozen=True)
class ParamRef:
    """A reference to a template parameter: ``{name}``."""

    name: str


def parse_date_expr(text: str, *, allow_params: bool = True) -> DateExpr | ParamRef:
    """Parse a date expression; raise DateExprError on malformed or impossible dates."""
    m = _PARAM_RE.match(text)
    if m:
        name = m.group("name")
        if name == "year":
            raise DateExprError("'{year}' — это год, а не дата; пример даты: '{year}-03-01'")
        if not allow_params:
            raise DateExprError(
                f"значение параметра не может ссылаться на другой параметр ('{{{name}}}')"
            )
        return ParamRef(name)
    m = _DATE_RE.match(text)
    if not m:
        raise DateExprError(
            f"неверное выражение даты '{text}' (ожидается ГГГГ-ММ-ДД, "
            "'{year-1}-10-01' или '{имя_параметра}')"
        )
    month, day = int(m.group("m")), int(m.group("d"))
    literal = int(m.group("literal")) if m.group("literal") else None
    offset = int(m.group("offset") or 0)
    if not 1 <= month <= 12:
        raise DateExprError(f"неверный месяц {month:02d} в дате '{text}'")
    if literal is not None:
        try:
            dt.date(literal, month, day)
        except ValueError:
            raise DateExprError(f"даты '{text}' не существует") from None
    else:
        if month == 2 and day == 29:
            raise DateExprError(
                f"дата '{text}': 29 февраля бывает не каждый год, укажите 28 февраля или 1 марта"
            )
        if not 1 <= day <= calendar.monthrange(2023, month)[1]:
            raise DateExprError(
                f"даты '{text}' не существует (в месяце {month:02d} нет {day} числа)"
            )
    return DateExpr(month=month, day=day, year_offset=offset, literal_year=literal)


def resolve_date(text: str, *, year: int, params: dict[str, str]) -> dt.date:
    """The calendar date of an expression for a roadmap year and parameter values."""
    expr = parse_date_expr(text)
    if isinstance(expr, ParamRef):
        if expr.name not in params:
            raise DateExprError(f"неизвестный параметр '{{{expr.name}}}'")
        inner = parse_date_expr(params[expr.name], allow_params=False)
        assert isinstance(inner, DateExpr)
        return inner.resolve(year)
    return expr.resolve(year)
