"""The marks of a dispatch batch: outcomes of sends recorded on one kept connection.

A group whose sends all succeeded (nearly every group) is one statement on the
driver's own connection: ``UPDATE … SET status = 'sent' … WHERE id IN (…)``. Through
SQLAlchemy's Core execution that statement cost ≈ 0.17 ms of CPU per group (compiled
cache lookup, expanding IN, events, result set-up), the largest part of a message's
database work once the HTTP send was cheap. A group with a failure is recorded
through ``notifications.outbox.mark_failed`` as before (attempts, backoff, dead letters).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from models.outbox import OutboxMessage, OutboxStatus
from models.settings import Settings
from notifications.channels import Delivery
from notifications.outbox import mark_failed, mark_sent_many

Clock = Callable[[], dt.datetime]
Outcome = tuple[int, Delivery]
Record = Callable[[list[Outcome]], dict[int, str]]
OT: Any = OutboxMessage.__table__  # type: ignore[attr-defined]


class _SentMarks:
    """``UPDATE … status = 'sent'`` for a list of ids, straight on the DB-API connection
    (the same statement as ``outbox.mark_sent_many``; ``sent_at`` bound through the
    column's own type, so SQLite stores the same text as the ORM does)."""

    def __init__(self, conn: Connection) -> None:
        dialect = conn.dialect
        self.pg = dialect.name == "postgresql"
        self.raw: Any = conn.connection.driver_connection
        self.dbapi_error: type[Exception] = conn.dialect.loaded_dbapi.Error
        self.bind_at = OT.c.sent_at.type.dialect_impl(dialect).bind_processor(dialect) or (
            lambda v: v
        )
        table = dialect.identifier_preparer.format_table(OT)
        self.head = (
            f"UPDATE {table} SET status = 'sent', sent_at = {'%s' if self.pg else '?'}, "
            "last_error = NULL WHERE status <> 'sent' AND "
        )
        self.pg_sql = self.head + "id = ANY(%s)"

    def __call__(self, ids: list[int], now: dt.datetime) -> None:
        at = self.bind_at(now)
        if self.pg:  # autocommit: one statement, one round trip
            sql, params = self.pg_sql, (at, ids)
        else:
            sql = self.head + f"id IN ({','.join('?' * len(ids))})"
            params = (at, *ids)
        cur = self.raw.cursor()
        try:
            if self.pg:
                cur.execute(sql, params)
                return
            cur.execute("BEGIN IMMEDIATE")
            try:
                cur.execute(sql, params)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        except self.dbapi_error as exc:  # as SQLAlchemy would have raised it
            raise DBAPIError.instance(sql, params, exc, self.dbapi_error) from exc
        finally:
            cur.close()


@contextlib.contextmanager
def recorder(engine: Engine, settings: Settings, clock: Clock) -> Iterator[Record]:
    """Marks of one group on a connection kept for the batch. SQLite: one transaction
    per group (BEGIN IMMEDIATE). PostgreSQL: the connection is in autocommit, so a group
    of deliveries is one UPDATE, one round trip (each failure's mark commits on its
    own: a crash between them leaves the rest ``sending`` until their lease expires,
    then they are tried again), and it commits without waiting for the WAL flush: a
    dispatcher killed at any point still sees its marks committed; only a crash of the
    database server itself may forget the last few, and those messages are then sent
    again (a duplicate, never a loss)."""
    pg = engine.dialect.name == "postgresql"
    options: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"} if pg else {}
    with engine.execution_options(sqlite_begin="IMMEDIATE", **options).connect() as conn:
        if pg:  # session-level, reset below before the connection goes back to the pool
            conn.exec_driver_sql("SET synchronous_commit = off")
            conn.commit()  # ends SQLAlchemy's autobegun block (nothing is sent in autocommit)
        sent_marks = _SentMarks(conn)

        def record(batch: list[Outcome]) -> dict[int, str]:
            now = clock()
            sent = [i for i, d in batch if d.ok]
            if len(sent) == len(batch):
                sent_marks(sent, now)
                return dict.fromkeys(sent, "sent")
            out: dict[int, str] = {}
            with conn.begin():
                mark_sent_many(conn, ids=sent, now=now)
                out.update((i, "sent") for i in sent)
                for i, d in batch:
                    if not d.ok:
                        status = mark_failed(
                            conn, message_id=i, error=d.error, now=now, settings=settings
                        )
                        out[i] = "dead" if status == OutboxStatus.dead else "retry"
            return out

        try:
            yield record
        finally:
            if pg and not conn.invalidated:
                try:
                    conn.rollback()
                    conn.exec_driver_sql("RESET synchronous_commit")
                    conn.commit()
                except DBAPIError:  # never return the setting to the pool
                    conn.invalidate()
