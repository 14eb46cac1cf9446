"""Step counts per municipality and status, maintained by triggers (issue 19).

The overview and the regional page show, per municipality, how many steps are in each
status. Counting them with ``GROUP BY`` reads every step; these counters are kept
exact by database triggers on ``step`` instead, whoever writes (sweep, CLI, web, raw
SQL), so a page reads a few rows per municipality.

SQLite has one writer at a time: row triggers add ±1 to ``step_count`` directly.

PostgreSQL has concurrent writers; a counter row updated by each of them would be a hot
lock (a web completion would wait for a sweep batch and could deadlock with it). Its
statement triggers therefore only *append* one aggregated row per (municipality,
status) and statement to ``step_count_delta`` (no conflicts). Readers sum
``step_count`` and the deltas in one statement; ``fold_counts`` moves the deltas of some
municipalities into ``step_count`` and is run by whoever holds those municipalities
(the sweep, under its advisory locks), so only one writer ever updates a counter row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Index, Select, bindparam, func, select, text, union_all
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Field, SQLModel

from models.db import POST_CREATE_HOOKS
from models.overdue_oldest import fold_marks


class StepCount(SQLModel, table=True):
    """Folded number of steps of one municipality in one status."""

    __tablename__ = "step_count"
    # SQLite: the rows live in the key's b-tree, not beside it (revision 0008): a trigger's
    # upsert and a page's lookup descend one tree, a scan in key order reads no table.
    __table_args__ = {"sqlite_with_rowid": False}
    municipality_id: int = Field(primary_key=True)
    status: str = Field(primary_key=True, max_length=16)
    n: int = 0


class StepCountDelta(SQLModel, table=True):
    """A change of a count not yet folded into ``step_count`` (PostgreSQL; append-only)."""

    __tablename__ = "step_count_delta"
    __table_args__ = (Index("ix_step_count_delta_municipality", "municipality_id"),)
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int
    status: str = Field(max_length=16)
    n: int


# Namespace (first int4 key) of the fold locks; the municipality id is the second key.
FOLD_LOCK_NAMESPACE = 4_243
# Pending deltas past which readers fold first (summing them would cost more).
BACKLOG = 2_000

TRIGGERS = ("step_count_ins", "step_count_del", "step_count_upd", "step_count_trunc")
FUNCTIONS = tuple(f"soczakaz_step_count_{k}" for k in ("new", "old", "upd", "trunc"))


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND\n$$"
    )


def _pg_append(rows: str) -> str:
    return (
        "INSERT INTO step_count_delta (municipality_id, status, n)"
        f" SELECT municipality_id, status, sum(d) FROM ({rows}) AS c"
        " GROUP BY municipality_id, status HAVING sum(d) <> 0;"
    )


_NEW = "SELECT municipality_id, status::text AS status, 1 AS d FROM step_count_new"
_OLD = "SELECT municipality_id, status::text AS status, -1 AS d FROM step_count_old"

_PG_DDL = [
    _pg_function("soczakaz_step_count_new", _pg_append(_NEW)),
    _pg_function("soczakaz_step_count_old", _pg_append(_OLD)),
    _pg_function("soczakaz_step_count_upd", _pg_append(f"{_NEW} UNION ALL {_OLD}")),
    _pg_function(
        "soczakaz_step_count_trunc", "DELETE FROM step_count_delta; DELETE FROM step_count;"
    ),
    *(f"DROP TRIGGER IF EXISTS {t} ON step" for t in TRIGGERS),
    "CREATE TRIGGER step_count_ins AFTER INSERT ON step"
    " REFERENCING NEW TABLE AS step_count_new FOR EACH STATEMENT"
    " EXECUTE FUNCTION soczakaz_step_count_new()",
    "CREATE TRIGGER step_count_del AFTER DELETE ON step"
    " REFERENCING OLD TABLE AS step_count_old FOR EACH STATEMENT"
    " EXECUTE FUNCTION soczakaz_step_count_old()",
    # Transition tables cannot have a column list (UPDATE OF status): rows whose status
    # and municipality stay the same add +1 and -1 to one group, which sums to zero.
    "CREATE TRIGGER step_count_upd AFTER UPDATE ON step"
    " REFERENCING OLD TABLE AS step_count_old NEW TABLE AS step_count_new"
    " FOR EACH STATEMENT EXECUTE FUNCTION soczakaz_step_count_upd()",
    "CREATE TRIGGER step_count_trunc AFTER TRUNCATE ON step"
    " FOR EACH STATEMENT EXECUTE FUNCTION soczakaz_step_count_trunc()",
]


def _sqlite_add(row: str, delta: int) -> str:
    return (
        "INSERT INTO step_count (municipality_id, status, n)"
        f" VALUES ({row}.municipality_id, {row}.status, {delta})"
        f" ON CONFLICT (municipality_id, status) DO UPDATE SET n = n + ({delta});"
    )


_SQLITE_DDL = [
    "CREATE TRIGGER IF NOT EXISTS step_count_ins AFTER INSERT ON step BEGIN "
    + _sqlite_add("NEW", 1)
    + " END",
    "CREATE TRIGGER IF NOT EXISTS step_count_del AFTER DELETE ON step BEGIN "
    + _sqlite_add("OLD", -1)
    + " END",
    "CREATE TRIGGER IF NOT EXISTS step_count_upd AFTER UPDATE OF status, municipality_id"
    " ON step WHEN OLD.status IS NOT NEW.status"
    " OR OLD.municipality_id IS NOT NEW.municipality_id BEGIN "
    + _sqlite_add("OLD", -1)
    + _sqlite_add("NEW", 1)
    + " END",
]


def install_count_triggers(bind: Engine | Connection) -> None:
    """Install (idempotently) the counter triggers and rebuild the counts from ``step``."""
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            _install(conn)
    else:
        _install(bind)


def _install(conn: Connection) -> None:
    ddl = _PG_DDL if conn.dialect.name == "postgresql" else _SQLITE_DDL
    for statement in ddl:
        conn.exec_driver_sql(statement)
    rebuild_counts(conn)


def drop_count_triggers(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        for name in TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON step")
        for name in FUNCTIONS:
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def rebuild_counts(conn: Connection) -> None:
    """Counts from scratch (creation, upgrade); writers of ``step`` must be stopped."""
    conn.exec_driver_sql("DELETE FROM step_count_delta")
    conn.exec_driver_sql("DELETE FROM step_count")
    cast = "::text" if conn.dialect.name == "postgresql" else ""
    conn.exec_driver_sql(
        "INSERT INTO step_count (municipality_id, status, n)"
        f" SELECT municipality_id, status{cast}, count(*) FROM step"
        f" GROUP BY municipality_id, status{cast}"
    )


def fold_counts(conn: Connection, municipality_ids: Iterable[int]) -> int:
    """Move the pending deltas of these municipalities into ``step_count``.

    Safe anywhere and at any time: it folds only the municipalities whose fold lock
    (a transaction-scoped advisory lock) it gets without waiting, so two folds never
    update the same counter row and a fold never waits for another. Writers of ``step``
    only append deltas and are never blocked. Returns how many municipalities were
    folded; a no-op (0) on SQLite, whose triggers update ``step_count`` directly.
    """
    ids = sorted(set(municipality_ids))
    if conn.dialect.name != "postgresql" or not ids:
        return 0
    got = [
        int(m)
        for (m,) in conn.execute(
            text(
                "SELECT m FROM unnest(CAST(:ids AS integer[])) AS m"
                " WHERE pg_try_advisory_xact_lock(:ns, m)"
            ),
            {"ids": ids, "ns": FOLD_LOCK_NAMESPACE},
        ).all()
    ]
    if got:
        conn.execute(
            text(
                "WITH moved AS (DELETE FROM step_count_delta WHERE municipality_id IN :ids"
                " RETURNING municipality_id, status, n)"
                " INSERT INTO step_count (municipality_id, status, n)"
                " SELECT municipality_id, status, sum(n) FROM moved"
                " GROUP BY municipality_id, status ORDER BY municipality_id, status"
                " ON CONFLICT (municipality_id, status)"
                " DO UPDATE SET n = step_count.n + excluded.n"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": got},
        )
        fold_marks(conn, got)  # and their oldest overdue dates, under the same locks
    return len(got)


def fold_backlog(engine: Engine, *, above: int = BACKLOG, batch: int = 200) -> int:
    """Fold every municipality when more than ``above`` deltas wait (e.g. after a bulk
    load by per-row statements, which appends one delta per row), in short transactions
    of ``batch`` municipalities. Readers call it so that they never sum a long backlog;
    a failure (e.g. a read-only role) is ignored: the counts read stay exact anyway.
    Returns how many municipalities were folded."""
    if engine.dialect.name != "postgresql":
        return 0
    try:
        with engine.connect() as conn:
            many = conn.exec_driver_sql(
                "SELECT 1 FROM (SELECT municipality_id FROM step_count_delta UNION ALL"
                " SELECT municipality_id FROM overdue_oldest_mark) AS pending"
                f" OFFSET {int(above)} LIMIT 1"
            ).first()
            if many is None:
                return 0
            mids = [
                int(m)
                for (m,) in conn.exec_driver_sql(
                    "SELECT municipality_id FROM step_count_delta"
                    " UNION SELECT municipality_id FROM overdue_oldest_mark"
                ).all()
            ]
        folded = 0
        for start in range(0, len(mids), batch):
            with engine.begin() as conn:
                folded += fold_counts(conn, mids[start : start + batch])
        # The folded deltas are dead rows that readers' index scans would still visit
        # until autovacuum comes: reclaim them now (a small table, milliseconds).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(
                "VACUUM (ANALYZE) step_count_delta, step_count, overdue_oldest_mark, overdue_oldest"
            )
        return folded
    except DBAPIError:
        return 0


def current_counts(municipality_ids: Any = None, *, dialect: str) -> Select[Any]:
    """(municipality_id, status, n) now: folded counts plus pending deltas, zeros left out.

    ``municipality_ids``: ``None`` for all, else a list or a subquery of ids. One
    statement, so it reads one snapshot of both tables. On SQLite (``dialect``) the
    triggers keep ``step_count`` itself exact and there are never deltas: it is read
    alone (a sum over a union of 17,500 counter rows cost 26 ms at 2,500 municipalities).
    """
    count = StepCount.__table__  # type: ignore[attr-defined]
    if dialect != "postgresql":
        alone = select(count.c.municipality_id, count.c.status, count.c.n).where(count.c.n != 0)
        if municipality_ids is not None:
            alone = alone.where(count.c.municipality_id.in_(municipality_ids))
        return alone
    parts = []
    for table in (count, StepCountDelta.__table__):  # type: ignore[attr-defined]
        part = select(table.c.municipality_id, table.c.status, table.c.n)
        if municipality_ids is not None:
            part = part.where(table.c.municipality_id.in_(municipality_ids))
        parts.append(part)
    both = union_all(*parts).subquery()
    total = func.sum(both.c.n)
    return (
        select(both.c.municipality_id, both.c.status, total)
        .group_by(both.c.municipality_id, both.c.status)
        .having(total != 0)
    )


POST_CREATE_HOOKS.append(install_count_triggers)
