"""The server-log judge: every ERROR or traceback line counts, except Prefect 3.8's
retryable heartbeat snapshot conflict on SQLite (tests/prefect_server_log.py)."""

from __future__ import annotations

import pytest

from tests.prefect_server_log import judge, records

INFO = "18:40:01.100 | INFO    | prefect.server - Starting"
HEARTBEAT = (
    "18:42:12.922 | ERROR   | prefect.server.utilities.worker_channel - Worker channel "
    "heartbeat persistence failed: work_pool=soczakaz-process worker_name=ProcessWorker 2fa2"
)
LOCKED = [
    "Traceback (most recent call last):",
    '  File "aiosqlite/core.py", line 63, in _connection_worker_thread',
    "sqlite3.OperationalError: database is locked",
    "",
    "The above exception was the direct cause of the following exception:",
    "",
    "Traceback (most recent call last):",
    "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked",
    "[SQL: INSERT INTO worker (work_pool_id, name, last_heartbeat_time) VALUES (?, ?, ?)",
]
OTHER = [
    "Traceback (most recent call last):",
    "RuntimeError: Worker channel work pool no longer exists",
]
DOCKET = "18:44:13.605 | ERROR   | docket.dependencies - monitor_worker_health()"
LOCKED_ELSEWHERE = [
    "Traceback (most recent call last):",
    "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked",
    "[SQL: UPDATE flow_run SET state_id=? WHERE flow_run.id = ?",
]


def log(*parts: str | list[str]) -> str:
    lines: list[str] = []
    for p in parts:
        lines += p if isinstance(p, list) else [p]
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("text", "on_sqlite", "errors", "tolerated"),
    [
        (log(INFO), True, 0, 0),
        (log(INFO, HEARTBEAT, LOCKED, INFO), True, 0, 1),
        (log(HEARTBEAT, LOCKED, HEARTBEAT, LOCKED), True, 0, 2),
        (log(INFO, HEARTBEAT, LOCKED, INFO), False, 3, 0),  # PostgreSQL: never tolerated
        (log(HEARTBEAT, OTHER), True, 2, 0),  # another cause is an error
        (log(DOCKET, LOCKED_ELSEWHERE), True, 2, 0),  # another writer's lock is an error
        (log(HEARTBEAT, LOCKED, DOCKET), True, 1, 1),  # the next record is judged alone
        (log("Traceback (most recent call last):", "ValueError: x"), True, 1, 0),
    ],
)
def test_judge(text: str, on_sqlite: bool, errors: int, tolerated: int) -> None:
    verdict = judge(text, prefect_on_sqlite=on_sqlite)
    assert (len(verdict.errors), verdict.tolerated) == (errors, tolerated)


def test_records_keep_continuation_lines_with_their_record() -> None:
    recs = records(log("banner line", INFO, HEARTBEAT, LOCKED, DOCKET))
    assert [len(r.lines) for r in recs] == [1, 1, 1 + len(LOCKED), 1]
