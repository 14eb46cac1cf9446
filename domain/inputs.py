"""Values as people write them in documents, read the same way by CLI, API and import.

Dates as ``DD.MM.YYYY`` (also ``DD.MM.YY``) or ISO ``YYYY-MM-DD``; words (act types,
kinds) in any case; ``key=value`` lists whose values may contain commas when quoted.
"""

from __future__ import annotations

import datetime as dt
import re

from domain.errors import InputError

_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})(?:\s*г\.?)?$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_HINT = "ожидается дата ДД.ММ.ГГГГ или ГГГГ-ММ-ДД"


def parse_date(value: str | dt.date, *, field: str) -> dt.date:
    """``07.05.2020``, ``07.05.20``, ``07.05.20г.`` or ``2020-05-07`` -> date."""
    if isinstance(value, dt.date):
        return value
    text = value.strip()
    try:
        if _ISO.match(text):
            return dt.date.fromisoformat(text)
        if m := _DMY.match(text):
            day, month, year = (int(g) for g in m.groups())
            if len(m.group(3)) == 2:
                year += 2000
            return dt.date(year, month, day)
    except ValueError:
        pass
    raise InputError(f"{field}: {DATE_HINT}, получено «{value}»", field=field)


def date_or_none(value: object, *, field: str) -> object:
    """A date for date-looking text, anything else unchanged (validators complain)."""
    if isinstance(value, str) and (_ISO.match(value.strip()) or _DMY.match(value.strip())):
        return parse_date(value, field=field)
    return value


def word(value: str) -> str:
    """A word as a key: trimmed, single spaces, lower case, ё -> е."""
    return " ".join(value.split()).casefold().replace("ё", "е")


def split_pairs(items: list[str] | None, *, field: str) -> dict[str, str] | None:
    """``["a=1", "b=2"]``, ``["a=1,b=2"]`` or ``['title="Об утверждении, и о…"']`` -> dict.

    Commas separate pairs unless inside double quotes (the CSV convention).
    """
    if not items:
        return None
    out: dict[str, str] = {}
    for item in items:
        for part in _split_outside_quotes(item):
            key, sep, val = part.partition("=")
            if not sep or not _unquote(key):
                raise InputError(
                    f"поле {field}: ожидается ключ=значение, получено «{part}»", field=field
                )
            out[_unquote(key)] = _unquote(val)
    return out


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].strip()
    return text


def _split_outside_quotes(text: str) -> list[str]:
    """Split on commas outside "…" and outside «…» (which may nest)."""
    parts: list[str] = []
    buf: list[str] = []
    quoted, depth = False, 0
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch == "«":
            depth += 1
        elif ch == "»" and depth:
            depth -= 1
        if ch == "," and not quoted and not depth:
            parts.append("".join(buf).strip())
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf).strip())
    return [p for p in parts if p]


def count(value: str, *, field: str) -> int:
    """A non-negative whole number as written (spaces as thousand separators allowed)."""
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if not text.isdigit():
        raise InputError(
            f"{field}: ожидается целое неотрицательное число, получено «{value}»", field=field
        )
    return int(text)


_MOMENT = re.compile(r"^(\d{1,2}\.\d{1,2}\.\d{4})[ T](\d{1,2}:\d{2}(?::\d{2})?)(.*)$")
MOMENT_HINT = "ожидается момент с поясом, например 2023-12-29T23:59+08:00"


def parse_moment(value: str, *, field: str) -> dt.datetime:
    """An exact aware moment: ISO 8601 with an offset (``Z`` allowed) or ``DD.MM.YYYY HH:MM+03:00``."""
    text = value.strip().replace(" ", "T", 1) if _ISO_PREFIX.match(value.strip()) else value.strip()
    if m := _MOMENT.match(text):
        day = parse_date(m.group(1), field=field)
        text = f"{day.isoformat()}T{m.group(2)}{m.group(3).strip()}"
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{field}: {MOMENT_HINT}, получено «{value}»", field=field) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError(
            f"{field}: укажите часовой пояс момента ({MOMENT_HINT}), получено «{value}»",
            field=field,
        )
    return moment.astimezone(dt.UTC)


_ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2} ")


def effective_moment(value: str | None, *, field: str, now: dt.datetime) -> dt.datetime:
    """The moment an action took effect: ``value`` (back-dating allowed), never after ``now``."""
    if value is None:
        return now
    moment = parse_moment(value, field=field)
    if moment > now:
        raise InputError(
            f"{field}: момент {moment:%Y-%m-%d %H:%M} UTC ещё не наступил "
            f"(сейчас {now.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC)",
            field=field,
        )
    if moment.year < 2000:
        raise InputError(f"{field}: момент {value} слишком давний", field=field)
    return moment


_SCHOOL_YEAR = re.compile(r"^(\d{4})\s*[/–—-]\s*(\d{4}|\d{2})$")


def parse_year(value: str | int, *, field: str = "--year") -> tuple[int, bool]:
    """``2024`` -> (2024, False); ``2020/2021``, ``2020–2021``, ``2020/21`` -> (2020, True)."""
    text = str(value).strip()
    if text.isdigit() and len(text) == 4:
        return int(text), False
    if m := _SCHOOL_YEAR.match(text):
        start, end = int(m.group(1)), int(m.group(2))
        if end < 100:
            end += start // 100 * 100
        if end == start + 1:
            return start, True
    raise InputError(
        f"{field}: ожидается год (2024) или учебный год (2020/2021), получено «{value}»",
        field=field,
    )


def school_year_label(start: int) -> str:
    return f"{start}/{start + 1}"
