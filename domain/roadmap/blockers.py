"""Blocked steps: unfinished dependencies, recomputed only for roadmaps that changed.

Blockers do not depend on time, only on a roadmap's rows; the triggers of
``models.sweep_state`` log the roadmap of every relevant change in ``sweep_pending``.
The sweep reads the log of its municipalities (``read_pending``), recomputes the
blockers of those roadmaps into a temporary table (``fill_blockers``), marks the
blocked steps (``mark_blocked``) and deletes exactly the entries it read
(``forget_pending``), so a change committed meanwhile waits for the next sweep.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.engine import Connection

from models.types import UTCDateTime

CLOSED_SQL = "('done', 'waived')"

_BLOCKERS_FROM = {
    # CROSS JOIN fixes SQLite's join order: s, its dependency keys, then the
    # (roadmap_id, key, period) index for d — not every step of the roadmap per key.
    # ix_step_dependent (partial: steps with dependencies) is forced: without statistics
    # SQLite would read every step of the roadmap.
    "sqlite": "FROM step AS s INDEXED BY ix_step_dependent"
    " CROSS JOIN json_each(s.depends_on) AS j CROSS JOIN step AS d"
    " ON d.roadmap_id = s.roadmap_id AND d.key = j.value",
    # OFFSET 0 keeps the lateral subquery a per-key probe of (roadmap_id, key, period)
    # instead of a hash join over every step of the roadmap.
    "postgresql": "FROM step AS s CROSS JOIN LATERAL json_array_elements_text(s.depends_on)"
    " AS j(value) CROSS JOIN LATERAL (SELECT dd.status, dd.recurrence, dd.period, dd.due_date"
    " FROM step AS dd WHERE dd.roadmap_id = s.roadmap_id AND dd.key = j.value OFFSET 0) AS d",
}

# A dependency occurrence blocks when it is open and is either the one-time step,
# the occurrence of the same period, or (no such occurrence) any occurrence due on
# or before the dependent step.
_BLOCKERS_WHERE = f"""
WHERE s.municipality_id IN :ids AND s.roadmap_id IN :rids
  AND s.status NOT IN {CLOSED_SQL}
  AND {{has_deps}}
  AND d.status NOT IN {CLOSED_SQL}
  AND (d.recurrence = 'once' OR d.period = s.period OR (
        d.due_date <= s.due_date AND NOT EXISTS (
          SELECT 1 FROM step AS d2 WHERE d2.roadmap_id = s.roadmap_id
            AND d2.key = j.value AND d2.period = s.period)))
"""

# The sorted, distinct open keys of each blocked step, computed once per step.
_KEYS_AGG = {
    "sqlite": "SELECT step_id, json_group_array(dep_key) FROM (SELECT DISTINCT step_id,"
    " dep_key FROM sweep_blocker ORDER BY step_id, dep_key) GROUP BY step_id",
    "postgresql": "SELECT step_id, json_agg(DISTINCT dep_key ORDER BY dep_key)::text"
    " FROM sweep_blocker GROUP BY step_id",
}
_JSON_DIFFERS = {
    "postgresql": "coalesce(step.blocked_by::jsonb, '[]'::jsonb) IS DISTINCT FROM k.keys::jsonb",
}
# Steps without dependencies are skipped on the stored text, before any JSON parsing.
_HAS_DEPS = {
    "sqlite": "s.depends_on <> '[]' AND json_array_length(s.depends_on) > 0",
    "postgresql": "s.depends_on::text <> '[]' AND json_array_length(s.depends_on) > 0",
}
_TEMP_TABLE = {
    "postgresql": (
        "CREATE TEMP TABLE IF NOT EXISTS sweep_blocker"
        " (step_id integer NOT NULL, dep_key text NOT NULL) ON COMMIT DELETE ROWS",
        "CREATE INDEX IF NOT EXISTS sweep_blocker_step ON sweep_blocker (step_id)",
        "CREATE TEMP TABLE IF NOT EXISTS sweep_blocked"
        " (step_id integer PRIMARY KEY, keys text NOT NULL) ON COMMIT DELETE ROWS",
    ),
    "sqlite": (
        "CREATE TEMP TABLE IF NOT EXISTS sweep_blocker"
        " (step_id INTEGER NOT NULL, dep_key TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS temp.sweep_blocker_step ON sweep_blocker (step_id)",
        "CREATE TEMP TABLE IF NOT EXISTS sweep_blocked"
        " (step_id INTEGER PRIMARY KEY, keys TEXT NOT NULL)",
    ),
}


def expanding(sql: str, *names: str) -> TextClause:
    return text(sql).bindparams(*(bindparam(n, expanding=True) for n in names))


def id_lists(conn: Connection, sql: str, *names: str) -> TextClause:
    """``sql`` whose ``IN :name`` take lists of integer ids.

    PostgreSQL gets one array parameter (``= ANY(CAST(:name AS integer[]))``): an
    expanded list of 200 ids costs the driver and the planner more than the UPDATE
    of a quiet day's rows. SQLite (no arrays) gets expanded ``IN`` lists.
    """
    if conn.dialect.name != "postgresql":
        return expanding(sql, *names)
    for name in names:
        sql, n = re.subn(rf"\bIN :{name}\b", f"= ANY(CAST(:{name} AS integer[]))", sql)
        if not n:
            raise ValueError(f"no 'IN :{name}' in the statement")
    return text(sql)


def read_pending(conn: Connection, municipality_ids: list[int]) -> list[tuple[int, int, int]]:
    """(log entry id, roadmap id, municipality id) logged for the municipalities."""
    rows: Any = conn.execute(
        id_lists(
            conn,
            "SELECT id, roadmap_id, municipality_id FROM sweep_pending"
            " WHERE municipality_id IN :ids",
            "ids",
        ),
        {"ids": municipality_ids},
    ).all()
    return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]


def forget_pending(conn: Connection, entry_ids: list[int]) -> None:
    """Delete exactly the log entries that were read (newer ones stay for next time)."""
    if not entry_ids:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("DELETE FROM sweep_pending WHERE id = ANY(CAST(:ids AS integer[]))"),
            {"ids": entry_ids},
        )
        return
    for i in range(0, len(entry_ids), 30_000):  # SQLite's limit of bound variables
        conn.execute(
            expanding("DELETE FROM sweep_pending WHERE id IN :ids", "ids"),
            {"ids": entry_ids[i : i + 30_000]},
        )


def fill_blockers(conn: Connection, municipality_ids: list[int], roadmap_ids: list[int]) -> None:
    """Open dependency keys of every open step of the roadmaps into ``sweep_blocker``."""
    dialect = conn.dialect.name
    for ddl in _TEMP_TABLE[dialect]:
        conn.execute(text(ddl))
    conn.execute(text("DELETE FROM sweep_blocker"))
    conn.execute(
        id_lists(
            conn,
            "INSERT INTO sweep_blocker (step_id, dep_key) SELECT DISTINCT s.id, j.value "
            + _BLOCKERS_FROM[dialect]
            + _BLOCKERS_WHERE.format(has_deps=_HAS_DEPS[dialect]),
            "ids",
            "rids",
        ),
        {"ids": municipality_ids, "rids": roadmap_ids},
    )


def clear_blockers(conn: Connection) -> None:
    conn.execute(text("DELETE FROM sweep_blocker"))
    conn.execute(text("DELETE FROM sweep_blocked"))


def mark_blocked(conn: Connection, municipality_ids: list[int], now: Any) -> int:
    """Steps with open dependencies -> blocked, with the sorted keys in ``blocked_by``."""
    dialect = conn.dialect.name
    conn.execute(text("DELETE FROM sweep_blocked"))
    conn.execute(text("INSERT INTO sweep_blocked (step_id, keys) " + _KEYS_AGG[dialect]))
    if dialect == "postgresql":
        conn.execute(text("ANALYZE sweep_blocked"))  # temporary tables have no statistics
        # The step rows are found by primary key from the ids of sweep_blocked (an
        # array computed once): joined on `k.step_id = step.id` alone, the planner
        # chose a merge join over a full scan of step_pkey, 500 ms per batch at 1M
        # steps for 8,000 blocked rows (26 ms now; first sweep 4.5 -> 3.0 s in all).
        sql = f"""
UPDATE step SET status = 'blocked', blocked_by = k.keys::json,
  status_changed_at = CASE WHEN step.status = 'blocked' THEN step.status_changed_at ELSE :now END
FROM sweep_blocked AS k
WHERE step.id = ANY(ARRAY(SELECT step_id FROM sweep_blocked)) AND k.step_id = step.id
  AND step.municipality_id IN :ids AND (step.status <> 'blocked' OR {_JSON_DIFFERS[dialect]})
"""
    else:  # SQLite: walk the blocked steps by key, look their keys up by primary key
        keys = "(SELECT k.keys FROM sweep_blocked AS k WHERE k.step_id = step.id)"
        sql = f"""
UPDATE step SET status = 'blocked', blocked_by = {keys},
  status_changed_at = CASE WHEN status = 'blocked' THEN status_changed_at ELSE :now END
WHERE id IN (SELECT step_id FROM sweep_blocked) AND municipality_id IN :ids
  AND (status <> 'blocked' OR json(coalesce(blocked_by, '[]')) <> json({keys}))
"""
    stmt = id_lists(conn, sql, "ids").bindparams(bindparam("now", type_=UTCDateTime))
    result = conn.execute(stmt, {"ids": municipality_ids, "now": now})
    return int(result.rowcount or 0)
