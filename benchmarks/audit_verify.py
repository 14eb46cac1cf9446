"""Verify speed of the Merkle audit log against the floor of reading + hashing once (issue 18).

    python benchmarks/audit_verify.py [--n 1000000]

Builds one chain of N entries in a temporary SQLite database, then measures in the same run:
the floor (SELECT every row, each entry hashed once with ``entry_hash``), the Merkle verify (recompute every entry
hash, leaf hashes, all tree levels, root) and inclusion/consistency proofs on the built tree.
Ends with ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel

import models  # noqa: F401  (registers the tables)
from domain.audit.log import GENESIS_HASH, entry_hash
from domain.audit.merkle import verify_inclusion
from domain.audit.tree import _at, chain_tree

T0 = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)


def fill(session: Session, n: int) -> None:
    prev, batch = GENESIS_HASH, []
    for seq in range(1, n + 1):
        at = T0 + dt.timedelta(seconds=seq)
        payload = f'{{"step":{seq % 977},"value":"№{seq}"}}'
        h = entry_hash(
            prev,
            chain="bench",
            seq=seq,
            at=at,
            actor="Иванова А.П.",
            action="step.completed",
            entity=f"step:{seq}",
            payload_text=payload,
        )
        batch.append(
            {
                "s": seq,
                "at": at.replace(tzinfo=None),
                "e": f"step:{seq}",
                "p": payload,
                "ph": prev,
                "h": h,
            }
        )
        prev = h
        if len(batch) == 50_000 or seq == n:
            session.execute(
                text(
                    "INSERT INTO auditentry (chain, municipality_id, seq, at, actor, action, entity, "
                    "payload, prev_hash, hash) VALUES ('bench', NULL, :s, :at, 'Иванова А.П.', "
                    "'step.completed', :e, :p, :ph, :h)"
                ),
                batch,
            )
            batch = []
    session.commit()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    n = ap.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/bench.db")
        SQLModel.metadata.create_all(engine)
        with Session(engine) as s:
            t = time.perf_counter()
            fill(s, n)
            fill_s = time.perf_counter() - t
        with Session(engine) as s:
            t = time.perf_counter()
            rows = s.execute(
                text(
                    "SELECT seq, at, actor, action, entity, payload, prev_hash, "
                    "hash FROM auditentry WHERE chain = 'bench' ORDER BY seq"
                )
            )
            for r in rows:  # the floor: every entry hashed once, as the chain defines it
                entry_hash(
                    r.prev_hash,
                    chain="bench",
                    seq=r.seq,
                    at=_at(r.at),
                    actor=r.actor,
                    action=r.action,
                    entity=r.entity,
                    payload_text=r.payload,
                )
            floor_s = time.perf_counter() - t
        with Session(engine) as s:
            t = time.perf_counter()
            tree, _ = chain_tree(s, "bench")
            root = tree.root()
            verify_s = time.perf_counter() - t
        reps = 1000
        t = time.perf_counter()
        for i in range(reps):
            idx = (i * 7919) % n
            proof = tree.inclusion_proof(idx)
            assert verify_inclusion(tree.levels[0][idx], idx, n, proof, root)
        proof_ms = (time.perf_counter() - t) / reps * 1000
        t = time.perf_counter()
        cons = tree.consistency_proof(n // 3, n)
        cons_ms = (time.perf_counter() - t) * 1000
    result = {
        "entries": n,
        "fill_s": round(fill_s, 2),
        "floor_s": round(floor_s, 3),
        "verify_s": round(verify_s, 3),
        "ratio": round(verify_s / floor_s, 2),
        "proof_ms": round(proof_ms, 3),
        "proof_hashes": len(proof),
        "consistency_ms": round(cons_ms, 3),
        "consistency_hashes": len(cons),
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
