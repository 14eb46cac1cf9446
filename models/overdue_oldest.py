"""Each municipality's oldest overdue due date, kept beside the step counters (issue 19).

The regional page orders 2,500 municipalities worst first: by how many working days
their oldest overdue step is late. Finding that step is one index seek per municipality
(``ix_step_sweep``), 2,500 per page, most of the page's time. ``overdue_oldest`` keeps
the date instead, for any writer (sweep, CLI, web, raw SQL), by triggers on ``step``:

* SQLite has one writer at a time: row triggers keep the date exact. A step that
  becomes overdue lowers the date (no seek); one that stops being overdue, moves or is
  deleted seeks the new oldest only if it was the oldest.
* PostgreSQL has concurrent writers, and a minimum cannot be kept by appending deltas.
  Its statement triggers append the municipalities whose overdue steps a statement
  touched to ``overdue_oldest_mark`` (no conflicts, like ``step_count_delta``). A
  reader trusts the stored date of unmarked municipalities and seeks the others;
  ``fold_marks`` (inside ``status_counts.fold_counts``, under the same fold locks)
  deletes the marks, then seeks in a later statement, so a change committed between the
  two keeps its mark.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, bindparam, case, func, select, text, type_coerce
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from models.db import POST_CREATE_HOOKS

OVERDUE = "overdue"


class OverdueOldest(SQLModel, table=True):
    """The due date of the municipality's oldest overdue step (NULL: none), as of the
    last fold on PostgreSQL (see ``OverdueOldestMark``), always on SQLite."""

    __tablename__ = "overdue_oldest"
    municipality_id: int = Field(primary_key=True)
    due_date: dt.date | None = None


class OverdueOldestMark(SQLModel, table=True):
    """The municipality's oldest overdue step may have changed since its date was stored
    (PostgreSQL; append-only, deleted by the fold)."""

    __tablename__ = "overdue_oldest_mark"
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(index=True)


TRIGGERS = ("overdue_oldest_ins", "overdue_oldest_del", "overdue_oldest_upd")
SQLITE_TRIGGERS = (
    "overdue_oldest_ins",
    "overdue_oldest_in",
    "overdue_oldest_out",
    "overdue_oldest_del",
)
FUNCTIONS = tuple(f"soczakaz_overdue_mark_{k}" for k in ("new", "old", "upd", "trunc"))


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND\n$$"
    )


def _marks(*tables: str) -> str:
    union = " UNION ".join(
        f"SELECT municipality_id FROM {t} WHERE status = '{OVERDUE}'" for t in tables
    )
    return f"INSERT INTO overdue_oldest_mark (municipality_id) {union};"


_PG_DDL = [
    _pg_function("soczakaz_overdue_mark_new", _marks("overdue_new")),
    _pg_function("soczakaz_overdue_mark_old", _marks("overdue_old")),
    # Every municipality with an overdue row in the statement, changed or not: a mark
    # too many costs a reader one seek until the next fold, a join of the transition
    # tables would cost every bulk update a hash of all its rows.
    _pg_function("soczakaz_overdue_mark_upd", _marks("overdue_new", "overdue_old")),
    _pg_function(
        "soczakaz_overdue_mark_trunc",
        "DELETE FROM overdue_oldest_mark; DELETE FROM overdue_oldest;",
    ),
    *(f"DROP TRIGGER IF EXISTS {t} ON step" for t in (*TRIGGERS, "overdue_oldest_trunc")),
    "CREATE TRIGGER overdue_oldest_ins AFTER INSERT ON step"
    " REFERENCING NEW TABLE AS overdue_new FOR EACH STATEMENT"
    " EXECUTE FUNCTION soczakaz_overdue_mark_new()",
    "CREATE TRIGGER overdue_oldest_del AFTER DELETE ON step"
    " REFERENCING OLD TABLE AS overdue_old FOR EACH STATEMENT"
    " EXECUTE FUNCTION soczakaz_overdue_mark_old()",
    "CREATE TRIGGER overdue_oldest_upd AFTER UPDATE ON step"
    " REFERENCING OLD TABLE AS overdue_old NEW TABLE AS overdue_new"
    " FOR EACH STATEMENT EXECUTE FUNCTION soczakaz_overdue_mark_upd()",
    "CREATE TRIGGER overdue_oldest_trunc AFTER TRUNCATE ON step"
    " FOR EACH STATEMENT EXECUTE FUNCTION soczakaz_overdue_mark_trunc()",
]

_LOWER = (  # NEW became overdue (or moved while overdue): the oldest can only go down
    "INSERT INTO overdue_oldest (municipality_id, due_date)"
    " VALUES (NEW.municipality_id, NEW.due_date)"
    " ON CONFLICT (municipality_id) DO UPDATE SET due_date = excluded.due_date"
    " WHERE overdue_oldest.due_date IS NULL OR excluded.due_date < overdue_oldest.due_date;"
)
_SEEK = (  # OLD stopped being overdue (or moved): seek only if it was the oldest
    "UPDATE overdue_oldest SET due_date = (SELECT min(due_date) FROM step"
    f" WHERE municipality_id = OLD.municipality_id AND status = '{OVERDUE}')"
    " WHERE municipality_id = OLD.municipality_id AND due_date >= OLD.due_date;"
)
_CHANGED = (
    "(OLD.status IS NOT NEW.status OR OLD.due_date IS NOT NEW.due_date"
    " OR OLD.municipality_id IS NOT NEW.municipality_id)"
)
_OF = "AFTER UPDATE OF status, due_date, municipality_id ON step"
_SQLITE_DDL = [
    f"CREATE TRIGGER IF NOT EXISTS overdue_oldest_ins AFTER INSERT ON step"
    f" WHEN NEW.status = '{OVERDUE}' BEGIN {_LOWER} END",
    f"CREATE TRIGGER IF NOT EXISTS overdue_oldest_in {_OF}"
    f" WHEN NEW.status = '{OVERDUE}' AND {_CHANGED} BEGIN {_LOWER} END",
    f"CREATE TRIGGER IF NOT EXISTS overdue_oldest_out {_OF}"
    f" WHEN OLD.status = '{OVERDUE}' AND {_CHANGED} BEGIN {_SEEK} END",
    f"CREATE TRIGGER IF NOT EXISTS overdue_oldest_del AFTER DELETE ON step"
    f" WHEN OLD.status = '{OVERDUE}' BEGIN {_SEEK} END",
]


def install_oldest_triggers(bind: Engine | Connection) -> None:
    """Install (idempotently) the triggers and compute every date from ``step``."""
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            _install(conn)
    else:
        _install(bind)


def _install(conn: Connection) -> None:
    for statement in _PG_DDL if conn.dialect.name == "postgresql" else _SQLITE_DDL:
        conn.exec_driver_sql(statement)
    rebuild_oldest(conn)


def drop_oldest_triggers(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        for name in (*TRIGGERS, "overdue_oldest_trunc"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON step")
        for name in FUNCTIONS:
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in SQLITE_TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def rebuild_oldest(conn: Connection) -> None:
    """Every date from scratch (creation, upgrade); writers of ``step`` must be stopped."""
    conn.exec_driver_sql("DELETE FROM overdue_oldest_mark")
    conn.exec_driver_sql("DELETE FROM overdue_oldest")
    conn.exec_driver_sql(
        "INSERT INTO overdue_oldest (municipality_id, due_date)"
        f" SELECT municipality_id, min(due_date) FROM step WHERE status = '{OVERDUE}'"
        " GROUP BY municipality_id"
    )


def fold_marks(conn: Connection, municipality_ids: Sequence[int]) -> None:
    """Store the dates of the marked municipalities among ``municipality_ids`` and drop
    their marks (PostgreSQL). The caller holds their fold locks
    (``status_counts.fold_counts``): only one fold ever writes a municipality's row."""
    if conn.dialect.name != "postgresql" or not municipality_ids:
        return
    marked = [
        int(m)
        for (m,) in conn.execute(
            text(
                "WITH gone AS (DELETE FROM overdue_oldest_mark WHERE municipality_id IN :ids"
                " RETURNING municipality_id) SELECT DISTINCT municipality_id FROM gone"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": list(municipality_ids)},
        ).all()
    ]
    if marked:  # a later statement: it sees every change whose mark was deleted above
        conn.execute(
            text(
                "INSERT INTO overdue_oldest (municipality_id, due_date)"
                " SELECT m, (SELECT min(due_date) FROM step"
                f" WHERE municipality_id = m AND status = '{OVERDUE}')"
                " FROM unnest(CAST(:ids AS integer[])) AS m ORDER BY m"
                " ON CONFLICT (municipality_id) DO UPDATE SET due_date = excluded.due_date"
            ),
            {"ids": sorted(marked)},
        )


def join_oldest_overdue(frm: Any, mid: Any, dialect: str) -> tuple[Any, ColumnElement[Any]]:
    """``frm`` (a FROM with the municipality id ``mid``) joined to the stored dates, and
    the column of each municipality's oldest overdue due date now: the stored date, or on
    PostgreSQL, for a marked municipality, a seek of ``ix_step_sweep``. Joins, not a
    subquery per municipality: PostgreSQL hashes them (2,500 subplans cost ~25 ms)."""
    from models.roadmap import Step, StepStatus

    stored: Any = OverdueOldest.__table__  # type: ignore[attr-defined]
    frm = frm.outerjoin(stored, stored.c.municipality_id == mid)
    if dialect != "postgresql":  # no marks; ISO text, no result processor per row
        return frm, type_coerce(stored.c.due_date, String)
    steps: Any = Step.__table__  # type: ignore[attr-defined]
    mark: Any = OverdueOldestMark.__table__  # type: ignore[attr-defined]
    marked = select(mark.c.municipality_id).distinct().subquery("marked")
    frm = frm.outerjoin(marked, marked.c.municipality_id == mid)
    seek = (
        select(func.min(steps.c.due_date))
        .where(steps.c.municipality_id == mid, steps.c.status == StepStatus.overdue)
        .correlate_except(steps)
        .scalar_subquery()
    )
    return frm, case((marked.c.municipality_id.is_not(None), seek), else_=stored.c.due_date)


POST_CREATE_HOOKS.append(install_oldest_triggers)
