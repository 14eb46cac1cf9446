"""Reading a `prefect server start` log as records: a record is a timestamped line and
the lines after it (a traceback, chained exceptions) up to the next timestamped line.

One record is tolerated, and only when Prefect's own database is SQLite: Prefect 3.8's
worker channel persists a heartbeat in a DEFERRED transaction that reads the work pool
and then upserts the worker row. When another connection commits between the two,
SQLite refuses the upgrade to a write at once (SQLITE_BUSY_SNAPSHOT: the busy timeout
does not apply) and the server logs «Worker channel heartbeat persistence failed» with
`database is locked`. Prefect closes the channel as retryable and the worker reconnects;
the tests that tolerate such a record also prove a heartbeat is persisted after it.
Anything else in that record (another exception, another statement) is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RECORD_START = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} \| ")
ERROR_LINE = re.compile(r"\|\s*ERROR\s*\||\bTraceback\b")
HEARTBEAT_FAILED = (
    "| ERROR   | prefect.server.utilities.worker_channel - "
    "Worker channel heartbeat persistence failed: "
)
SQLITE_LOCKED = "sqlite3.OperationalError) database is locked\n[SQL: INSERT INTO worker "


@dataclass(frozen=True)
class LogRecord:
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def error_lines(self) -> list[str]:
        return [ln for ln in self.lines if ERROR_LINE.search(ln)]

    def is_sqlite_heartbeat_snapshot_conflict(self) -> bool:
        return HEARTBEAT_FAILED in self.lines[0] and SQLITE_LOCKED in self.text


def records(log: str) -> list[LogRecord]:
    found: list[list[str]] = [[]]
    for line in log.splitlines():
        if RECORD_START.match(line):
            found.append([])
        found[-1].append(line)
    return [LogRecord(tuple(r)) for r in found if r]


@dataclass(frozen=True)
class ServerLogVerdict:
    errors: list[str]
    tolerated: int


def judge(log: str, *, prefect_on_sqlite: bool) -> ServerLogVerdict:
    """ERROR and traceback lines of a server log, less the tolerated records."""
    errors: list[str] = []
    tolerated = 0
    for rec in records(log):
        if prefect_on_sqlite and rec.is_sqlite_heartbeat_snapshot_conflict():
            tolerated += 1
        else:
            errors += rec.error_lines()
    return ServerLogVerdict(errors, tolerated)
