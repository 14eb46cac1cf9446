"""Revision 0004 (issue 18): a log written under 0003 gets its stored Merkle tree on upgrade.

The schema at 0003 is filled with two real chains (and one already broken by a gap), then
upgraded to head on SQLite and PostgreSQL: every complete subtree is there, the tree is
append-only, proofs and checkpoints made from the stored rows check offline, and the
application appends to the upgraded chains as if it had written them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from domain.audit import log as audit_log
from domain.audit.log import GENESIS_HASH, entry_hash
from domain.audit.merkle import MerkleTree, leaf_hash
from domain.audit.note import generate
from domain.audit.tree import check_proof, check_since, make_checkpoint, open_checkpoint, prove
from models.db import init_db, make_engine, session_scope
from models.migrate import current_revision, head_revision, upgrade

AT = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
SIZES = {"irk": 13, "_global": 4}


def _fill_0003(url: str) -> dict[str, list[str]]:
    """Chains written as the 0003 release wrote them; returns each chain's entry hashes."""
    engine = make_engine(url)
    upgrade(engine, "0003_records")
    hashes: dict[str, list[str]] = {}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO municipality (id, code, name, region, timezone, created_at) "
                "VALUES (1, 'irk', 'Город Иркутск', 'Иркутская область', 'Asia/Irkutsk', :at)"
            ),
            {"at": AT},
        )
        for chain, n in [*SIZES.items(), ("gap", 5)]:
            prev, hashes[chain] = GENESIS_HASH, []
            for seq in range(1, n + 1):
                at = AT + dt.timedelta(minutes=seq)
                payload = f'{{"n":{seq},"текст":"№{seq}"}}'
                h = entry_hash(
                    prev,
                    chain=chain,
                    seq=seq,
                    at=at,
                    actor="Иванова А.П.",
                    action="settings.changed",
                    entity="settings",
                    payload_text=payload,
                )
                if not (chain == "gap" and seq == 3):  # a chain already missing entry 3
                    conn.execute(
                        text(
                            "INSERT INTO auditentry (chain, municipality_id, seq, at, actor, "
                            "action, entity, payload, prev_hash, hash) VALUES (:c, :m, :s, :at, "
                            "'Иванова А.П.', 'settings.changed', 'settings', :p, :ph, :h)"
                        ),
                        {
                            "c": chain,
                            "m": 1 if chain == "irk" else None,
                            "s": seq,
                            "at": at if conn.dialect.name != "sqlite" else at.replace(tzinfo=None),
                            "p": payload,
                            "ph": prev,
                            "h": h,
                        },
                    )
                hashes[chain].append(h)
                prev = h
    engine.dispose()
    return hashes


def test_0003_log_gets_its_tree_and_proofs_work_after_upgrade(blank_db_url: str) -> None:
    hashes = _fill_0003(blank_db_url)
    engine = make_engine(blank_db_url)
    assert current_revision(engine) == "0003_records"
    init_db(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        for chain, n in SIZES.items():
            stored = {
                (lv, ix): bytes(h)
                for lv, ix, h in conn.execute(
                    text("SELECT level, idx, hash FROM auditnode WHERE chain = :c"), {"c": chain}
                )
            }
            expected = MerkleTree([leaf_hash(bytes.fromhex(h)) for h in hashes[chain]])
            complete = {
                (lv, ix): level[ix]
                for lv, level in enumerate(expected.levels)
                for ix in range(n >> lv)
            }
            assert stored == complete, chain  # every complete subtree, nothing else
        # The chain broken before the upgrade: its tree stops at the gap.
        gap = conn.execute(text("SELECT count(*) FROM auditnode WHERE chain = 'gap'")).scalar()
        assert gap == 3  # leaves 1, 2 and their parent
    signer = generate("soczakaz")
    with session_scope(engine) as s:
        note = make_checkpoint(s, "irk", signer)
        cp = open_checkpoint(note, [signer.verifier()], where="test")
        assert (
            cp.size == 13
            and cp.root == MerkleTree([leaf_hash(bytes.fromhex(h)) for h in hashes["irk"]]).root()
        )
        for seq in (1, 7, 13):
            assert check_proof(prove(s, "irk", seq), cp).startswith(f"запись №{seq}")
        assert check_since(s, note, [signer.verifier()]) == []
    # The application appends to the upgraded chain; the tree follows.
    with session_scope(engine, immediate=True) as s:
        audit_log.append(
            s, municipality_id=1, actor="Петрова", action="settings.changed", entity="x", payload={}
        )
    with session_scope(engine) as s:
        newer = open_checkpoint(make_checkpoint(s, "irk", signer), [signer.verifier()], where="t")
        assert newer.size == 14
        assert check_proof(prove(s, "irk", 14), newer)
        assert check_since(s, note, [signer.verifier()]) == []
    # The stored tree is append-only, like the log.
    for stmt in ("UPDATE auditnode SET idx = idx + 100", "DELETE FROM auditnode"):
        with pytest.raises((DBAPIError, IntegrityError), match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(stmt))
    engine.dispose()
