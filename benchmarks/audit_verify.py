"""Merkle audit log at scale: verify against the read+hash floor, proofs from the DB (issue 18).

    python benchmarks/audit_verify.py [--n 1000000] [--db sqlite|postgresql]

Builds one chain of N entries and its stored tree (``auditnode``, as ``append`` writes it)
in a fresh database, then measures in the same run, on the same rows:

* ``floor``: read every row (the same query and cursor verify uses) and hash each entry
  once — the least any verification of the chain can do;
* ``verify``: ``verify --since`` of a checkpoint of all N entries (every entry hash, every
  leaf, the tree, the signed root, the stored tree's root) — goal ``verify <= 2 x floor``;
* ``chain verify``: the link/hash pass of ``roadmap audit verify`` (domain.audit.verify),
  for information;
* proofs: inclusion proofs of random entries and a consistency proof read from the
  database (O(log n) rows), each checked offline — goal ``< 10 ms`` at 1,000,000.

Ends with ``RESULT {json}``; the load average is part of it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.bench_common import PG_ADMIN, fresh_database, rss_mb
from domain.audit.log import GENESIS_HASH, entry_hash
from domain.audit.merkle import Frontier, leaf_hash, mth
from domain.audit.nodes import StoredTree
from domain.audit.note import Checkpoint, Signer, generate, parse_body, parse_note, sign_checkpoint
from domain.audit.tree import (
    _rows,
    check_consistency,
    check_proof,
    check_since,
    consistency_proof,
    digests,
    make_checkpoint,
    open_checkpoint,
    origin_of,
    prove,
)
from domain.audit.verify import verify_chain
from models.db import init_db, make_engine

T0 = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)
CHAIN = "bench"
T = TypeVar("T")
ENTRY_COLS = "chain, municipality_id, seq, at, actor, action, entity, payload, prev_hash, hash"


def entries(n: int) -> tuple[list[tuple[Any, ...]], list[tuple[str, int, int, bytes]]]:
    """Rows of the chain and of its stored tree, as the application would have written them."""
    prev, frontier = GENESIS_HASH, Frontier()
    rows: list[tuple[Any, ...]] = []
    nodes: list[tuple[str, int, int, bytes]] = []
    for seq in range(1, n + 1):
        at = T0 + dt.timedelta(seconds=seq)
        payload = f'{{"step":{seq % 977},"value":"№{seq}"}}'
        action, entity = "event.recorded", f"event:{seq}"
        h = entry_hash(
            prev,
            chain=CHAIN,
            seq=seq,
            at=at,
            actor="Иванова А.П.",
            action=action,
            entity=entity,
            payload_text=payload,
        )
        rows.append((CHAIN, None, seq, at, "Иванова А.П.", action, entity, payload, prev, h))
        nodes += [(CHAIN, lv, ix, nh) for lv, ix, nh in frontier.push(leaf_hash(bytes.fromhex(h)))]
        prev = h
    return rows, nodes


def fill(engine: Engine, n: int) -> None:
    rows, nodes = entries(n)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY auditentry ({ENTRY_COLS}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
            with cur.copy("COPY auditnode (chain, level, idx, hash) FROM STDIN") as copy:
                for r in nodes:
                    copy.write_row(r)
        else:
            cur.execute("BEGIN")  # the engine's SQLite connections are in driver autocommit
            marks = ", ".join("?" * 10)
            cur.executemany(
                f"INSERT INTO auditentry ({ENTRY_COLS}) VALUES ({marks})",
                [(*r[:3], r[3].strftime("%Y-%m-%d %H:%M:%S.%f"), *r[4:]) for r in rows],
            )
            cur.executemany(
                "INSERT INTO auditnode (chain, level, idx, hash) VALUES (?, ?, ?, ?)", nodes
            )
        raw.commit()
        if engine.dialect.name == "postgresql":
            cur.execute("ANALYZE auditentry")
            cur.execute("ANALYZE auditnode")
            raw.commit()
    finally:
        raw.close()


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", "--entries", type=int, default=1_000_000, dest="n")
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--proofs", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    n = args.n
    with tempfile.TemporaryDirectory() as tmp:
        url, schema = fresh_database(args.db, Path(tmp))
        engine = make_engine(url)
        try:
            result = run(engine, n, args.proofs, args.rounds)
        finally:
            engine.dispose()
            if schema is not None:
                import psycopg

                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")
    result["db"] = args.db
    result["rss_mb"] = round(rss_mb()[0], 1)
    result["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    print("RESULT " + json.dumps(result))


def run(engine: Engine, n: int, n_proofs: int, rounds: int) -> dict[str, Any]:
    init_db(engine)
    fill_s, _ = timed(lambda: fill(engine, n))
    signer = generate("soczakaz")
    with Session(engine) as s:
        cp_s, note = timed(lambda: make_checkpoint(s, CHAIN, signer))
    read_s = floor_s = verify_s = float("inf")
    for _ in range(rounds):  # alternate, keep the best of each: the machine's load moves
        with Session(engine) as s:
            t, count = timed(lambda: sum(1 for _ in _rows(s, CHAIN)))
            read_s = min(read_s, t)
        with Session(engine) as s:  # the floor: read every row, hash each entry once
            t, count = timed(lambda: sum(1 for _ in digests(_rows(s, CHAIN), CHAIN)))
            floor_s = min(floor_s, t)
        assert count == n
        with Session(engine) as s:
            t, problems = timed(lambda: check_since(s, note, [signer.verifier()]))
            verify_s = min(verify_s, t)
        assert problems == [], problems
    with Session(engine) as s:
        chain_s, report = timed(lambda: verify_chain(s, chain=CHAIN))
    assert report.entries == n and report.ok, report.problems[:1]

    cp = open_checkpoint(note, [signer.verifier()], where="bench")
    rng = random.Random(18)
    times: list[float] = []
    with Session(engine) as s:
        for _ in range(n_proofs):
            seq = rng.randint(1, n)
            t = time.perf_counter()
            doc = prove(s, CHAIN, seq)
            times.append(time.perf_counter() - t)
            check_proof(json.loads(json.dumps(doc)), cp)  # offline, O(log n)
        old = parse_body(parse_note(make_half(s, n, signer)).body)
        t = time.perf_counter()
        cons = consistency_proof(s, old, cp)
        cons_ms = (time.perf_counter() - t) * 1000
        check_consistency(old, cp, cons)
    times.sort()
    return {
        "entries": n,
        "rounds": rounds,
        "fill_s": round(fill_s, 2),
        "read_s": round(read_s, 3),
        "floor_s": round(floor_s, 3),
        "verify_s": round(verify_s, 3),
        "ratio": round(verify_s / floor_s, 3),
        "chain_verify_s": round(chain_s, 3),
        "chain_ratio": round(chain_s / floor_s, 3),
        "checkpoint_ms": round(cp_s * 1000, 3),
        "proof_ms": round(sum(times) / len(times) * 1000, 3),
        "proof_p95_ms": round(times[int(len(times) * 0.95)] * 1000, 3),
        "proof_max_ms": round(times[-1] * 1000, 3),
        "proof_hashes": len(doc["proof"]),
        "consistency_ms": round(cons_ms, 3),
        "consistency_hashes": len(cons),
    }


def make_half(s: Session, n: int, signer: Signer) -> str:
    """A signed checkpoint of the first third of the chain (for the consistency proof)."""
    size = max(1, n // 3)
    root = StoredTree(s, CHAIN).run(lambda g: mth(g, 0, size))
    return sign_checkpoint(Checkpoint(origin_of(CHAIN), size, root), signer)


if __name__ == "__main__":
    main()
