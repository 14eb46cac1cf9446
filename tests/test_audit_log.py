"""The audit log's append: hash chain per municipality, serialised appends, append-only."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from domain.audit import log as audit_log
from domain.audit.log import GENESIS_HASH, append, canonical, entry_hash
from domain.audit.verify import verify_chain
from models import AuditEntry
from models.db import session_scope
from tests.factories import make_municipality

AT = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)


def _entries(engine: Engine, chain: str) -> list[AuditEntry]:
    with session_scope(engine) as s:
        return list(
            s.exec(
                select(AuditEntry).where(AuditEntry.chain == chain).order_by(col(AuditEntry.seq))
            )
        )


def _assert_chain_valid(entries: list[AuditEntry]) -> None:
    prev = GENESIS_HASH
    for i, e in enumerate(entries, start=1):
        assert e.seq == i
        assert e.prev_hash == prev
        assert e.hash == entry_hash(
            prev,
            chain=e.chain,
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            action=e.action,
            entity=e.entity,
            payload_text=e.payload,
        )
        prev = e.hash


def test_canonical_json_is_sorted_compact_and_keeps_cyrillic() -> None:
    payload = {"б": 1, "a": [dt.date(2025, 3, 1), "приказ №85/1"], "z": {"y": 2, "x": None}}
    assert canonical(payload) == '{"a":["2025-03-01","приказ №85/1"],"z":{"x":null,"y":2},"б":1}'
    with pytest.raises(ValueError):
        canonical({"at": dt.datetime(2025, 1, 1)})  # naive


def test_append_builds_a_chain_from_genesis(engine: Engine) -> None:
    with session_scope(engine, immediate=True) as s:
        m = make_municipality(s, code="krylovsky")
        mid = m.id
        first = append(
            s,
            municipality_id=mid,
            actor="Иванова",
            action="step.completed",
            entity="step:1",
            payload={"act_number": "№233"},
            at=AT,
        )
        second = append(
            s,
            municipality_id=mid,
            actor="Иванова",
            action="step.reopened",
            entity="step:1",
            payload={"reason": "опечатка"},
            at=AT + dt.timedelta(hours=1),
        )
    assert (first.chain, first.seq, first.prev_hash) == ("krylovsky", 1, GENESIS_HASH)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    # The hand-assembled canonical form equals canonical() of the whole entry.
    body = canonical(
        {
            "chain": "krylovsky",
            "seq": 1,
            "at": "2025-03-14T09:30:00.000000Z",
            "actor": "Иванова",
            "action": "step.completed",
            "entity": "step:1",
            "payload": {"act_number": "№233"},
        }
    )
    assert first.hash == hashlib.sha256((GENESIS_HASH + "\n" + body).encode()).hexdigest()
    stored = _entries(engine, "krylovsky")
    assert [e.hash for e in stored] == [first.hash, second.hash]
    assert stored[0].at == AT  # round-trips aware UTC on both backends
    _assert_chain_valid(stored)


def test_chains_are_per_municipality_and_global(engine: Engine) -> None:
    with session_scope(engine, immediate=True) as s:
        a = make_municipality(s, code="a-mo")
        b = make_municipality(s, code="b-mo")
        for i in range(3):
            append(s, municipality_id=a.id, actor="x", action="t", entity="", payload={"i": i})
        append(s, municipality_id=b.id, actor="x", action="t", entity="", payload={})
        g = append(
            s,
            municipality_id=None,
            actor="admin",
            action="settings.changed",
            entity="settings",
            payload={"due_soon_working_days": 5},
        )
    assert g.chain == "_global" and g.seq == 1
    assert [e.seq for e in _entries(engine, "a-mo")] == [1, 2, 3]
    assert [e.seq for e in _entries(engine, "b-mo")] == [1]
    _assert_chain_valid(_entries(engine, "a-mo"))


def test_append_refuses_naive_time_and_unknown_municipality(engine: Engine) -> None:
    from domain.errors import NotFoundError

    with session_scope(engine) as s:
        with pytest.raises(ValueError):
            append(
                s,
                municipality_id=None,
                actor="x",
                action="t",
                entity="",
                payload={},
                at=dt.datetime(2025, 1, 1),
            )
        with pytest.raises(NotFoundError):
            append(s, municipality_id=999, actor="x", action="t", entity="", payload={})


def test_append_is_rolled_back_with_the_callers_transaction(engine: Engine) -> None:
    with session_scope(engine) as s:
        mid = make_municipality(s).id
    with pytest.raises(RuntimeError), session_scope(engine, immediate=True) as s:
        append(s, municipality_id=mid, actor="x", action="t", entity="", payload={})
        raise RuntimeError("boom")
    assert _entries(engine, "krylovsky") == []


def test_concurrent_appends_keep_the_chain_valid_without_gaps(engine: Engine) -> None:
    with session_scope(engine) as s:
        mid = make_municipality(s).id
    threads, per_thread = 4, 15
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(per_thread):
                with session_scope(engine, immediate=True) as s:
                    append(
                        s,
                        municipality_id=mid,
                        actor=f"w{n}",
                        action="t",
                        entity="",
                        payload={"i": i},
                    )
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    entries = _entries(engine, "krylovsky")
    assert len(entries) == threads * per_thread
    _assert_chain_valid(entries)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE auditentry SET actor = 'mallory'",
        "DELETE FROM auditentry",
        "TRUNCATE auditentry",
        "DELETE FROM auditcheckpoint",
    ],
)
def test_the_log_is_append_only_in_the_database(engine: Engine, statement: str) -> None:
    if engine.dialect.name == "sqlite" and statement.startswith("TRUNCATE"):
        statement = "DELETE FROM auditentry WHERE seq > 0"  # SQLite has no TRUNCATE
    with session_scope(engine) as s:
        mid = make_municipality(s).id
        append(s, municipality_id=mid, actor="x", action="t", entity="", payload={})
        s.add(audit_log_checkpoint_row())
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql(statement)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM auditentry")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM auditcheckpoint")).scalar_one() == 1


def audit_log_checkpoint_row() -> object:
    from models import AuditCheckpoint

    return AuditCheckpoint(chain="krylovsky", seq=1, hash="0" * 64, public_key="k", signature="s")


def test_module_exposes_the_contract() -> None:
    import inspect

    sig = inspect.signature(audit_log.append)
    assert list(sig.parameters) == [
        "session",
        "municipality_id",
        "actor",
        "action",
        "entity",
        "payload",
        "at",
    ]


def test_verify_chain_reports_ok_and_a_broken_entry(engine: Engine) -> None:
    with session_scope(engine) as s:
        mid = make_municipality(s).id
        for i in range(3):
            append(s, municipality_id=mid, actor="x", action="t", entity="", payload={"i": i})
    with session_scope(engine) as s:
        report = verify_chain(s, chain="krylovsky")
    assert report.ok and report.entries == 3
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            conn.exec_driver_sql("DROP TRIGGER auditentry_no_update")
        conn.exec_driver_sql("UPDATE auditentry SET payload = '{\"i\":9}' WHERE seq = 2")
    with session_scope(engine) as s:
        report = verify_chain(s, chain="krylovsky")
    assert not report.ok and "запись №2" in str(report.problems[0])
