"""Rows of list queries decoded without SQLAlchemy's per-value result processors (issue 19).

SQLAlchemy decodes every value of a result through its column type: on SQLite a
date or a timestamp is parsed by a regular expression, a JSON list by ``json.loads``
and an enum looked up by name; at 500 rows × 9–19 columns that is most of a list
request. Here the columns are selected with no type (the driver's own values), and
each column that needs it is decoded by one cheap function chosen once per column
and dialect: ``date.fromisoformat`` / ``datetime.fromisoformat`` (C), ``orjson.loads``,
a dict lookup for enums. The values equal what the ORM types return:
``tests/test_web_raw_rows.py`` compares them on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import Any

import orjson
from sqlalchemy import JSON, Date, Text, cast, type_coerce
from sqlalchemy import Enum as SAEnum
from sqlalchemy.sql.sqltypes import NullType
from sqlmodel import Session

from models.types import UTCDateTime

# A decoder takes one column's raw values (a tuple) and returns the decoded ones.
Convert = Callable[[Sequence[Any]], Iterable[Any]] | None
UTC = dt.UTC


def _utc(value: Any) -> Any:
    """A timestamp as UTCDateTime returns it: aware, in UTC (SQLite stores naive UTC text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _date(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _json(values: Sequence[Any]) -> list[Any]:
    # Most lists of most steps are empty: "[]" is read without a call (a new list each).
    return [[] if v == "[]" else (None if v is None else orjson.loads(v)) for v in values]


def json_lists(values: Sequence[Any]) -> list[Any]:
    """JSON lists where a missing one (NULL, ``null``) reads as empty."""
    return [[] if v == "[]" or v is None else (orjson.loads(v) or []) for v in values]


def _map(f: Callable[[Any], Any]) -> Callable[[Sequence[Any]], Iterable[Any]]:
    return lambda values: map(f, values)


def _enum(enum_class: type[Enum], *, as_value: bool) -> Callable[[Sequence[Any]], Iterable[Any]]:
    by_name: dict[Any, Any] = {m.name: (m.value if as_value else m) for m in enum_class}
    by_name[None] = None
    return _map(by_name.__getitem__)  # a KeyError on a name the enum lacks, as the ORM


def _utc_text(value: Any) -> Any:
    """SQLite's UTC text as orjson writes the aware datetime (``OPT_UTC_Z``): ``T``,
    the microseconds only when not zero, ``Z``. Any other value: the datetime."""
    if isinstance(value, str) and len(value) == 26 and value[10] == " ":
        if value.endswith(".000000"):
            return f"{value[:10]}T{value[11:19]}Z"
        return f"{value[:10]}T{value[11:]}Z"
    return _utc(value)


def _converter(column: Any, dialect: str, *, for_json: bool) -> Convert:
    kind = column.type
    if isinstance(kind, SAEnum) and kind.enum_class is not None:
        return _enum(kind.enum_class, as_value=for_json)
    if isinstance(kind, UTCDateTime):
        return _map(_utc_text if for_json and dialect == "sqlite" else _utc)
    if isinstance(kind, Date):
        if dialect != "sqlite" or for_json:
            return None  # the driver's date, or SQLite's ISO text (what orjson writes)
        return _map(_date if column.nullable else dt.date.fromisoformat)
    if isinstance(kind, JSON):
        return _json
    return None  # integers and strings come from the driver as they are


def _raw_column(column: Any, dialect: str) -> Any:
    if isinstance(column.type, JSON) and dialect != "sqlite":
        # The JSON text: decoded by orjson here rather than by the driver's json.loads.
        return cast(column, Text).label(column.name)
    return type_coerce(column, NullType()).label(column.name)


class RawColumns:
    """A fixed tuple of columns, selected raw and decoded per dialect (built once per dialect)."""

    def __init__(
        self,
        columns: Sequence[Any],
        *,
        for_json: bool = False,
        decoders: dict[str, Callable[[Sequence[Any]], Iterable[Any]]] | None = None,
    ) -> None:
        self.columns = tuple(columns)
        self.names = tuple(c.name for c in self.columns)
        self.for_json = for_json
        self.decoders = decoders or {}  # per column name, instead of the type's own
        self._plans: dict[str, tuple[tuple[Any, ...], tuple[tuple[int, Convert], ...]]] = {}

    def _plan(self, dialect: str) -> tuple[tuple[Any, ...], tuple[tuple[int, Convert], ...]]:
        plan = self._plans.get(dialect)
        if plan is None:
            raw = tuple(_raw_column(c, dialect) for c in self.columns)
            convs = tuple(
                (i, f)
                for i, c in enumerate(self.columns)
                if (
                    f := self.decoders.get(c.name) or _converter(c, dialect, for_json=self.for_json)
                )
            )
            plan = self._plans[dialect] = (raw, convs)
        return plan

    def select_columns(self, session: Session) -> tuple[Any, ...]:
        """The columns to pass to ``select()`` for this session's database."""
        return self._plan(_dialect(session))[0]

    def fetch(self, session: Session, stmt: Any) -> list[tuple[Any, ...]]:
        """Run ``stmt`` (built from :meth:`select_columns`) and decode its rows (tuples).

        The driver's tuples are read from the cursor itself (no SQLAlchemy ``Row``: the
        columns carry no type, so there is nothing for it to process) and decoded a
        column at a time with ``map``."""
        convs = self._plan(_dialect(session))[1]
        result = session.connection().execute(stmt)
        try:
            rows: Sequence[tuple[Any, ...]] = result.cursor.fetchall()
        finally:
            result.close()
        if not rows or not convs:
            return list(rows)
        columns: list[Any] = list(zip(*rows, strict=True))
        for i, f in convs:
            assert f is not None
            columns[i] = f(columns[i])
        return list(zip(*columns, strict=True))


def _dialect(session: Session) -> str:
    return str(session.get_bind().dialect.name)
