"""Verify time of a 1,000,000-entry audit log, against same-run baselines.

    python benchmarks/audit_verify.py --entries 1000000 --db sqlite --db postgresql

Builds the chains by bulk insert with precomputed hashes (executemany on SQLite,
COPY on PostgreSQL), then measures, each in a fresh child process (so peak RSS is
the verifier's own):

* hash floor   — plain ``hashlib.sha256`` over exactly the bytes verify hashes,
                 prebuilt in memory (pure hashing, no database, no parsing);
* read floor   — streaming every row through the same driver, no hashing;
* verify       — ``domain.audit.verify.verify`` (chains, checkpoints, evidence).

Prints the ratios verify/hash floor and verify/(read + hash floor) and peak RSS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.audit.log import GENESIS_HASH, canonical, entry_hash, format_at  # noqa: E402
from models.db import init_db, make_engine  # noqa: E402

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"
BASE = dt.datetime(2025, 1, 9, 6, 0, tzinfo=dt.UTC)
ACTIONS = ("step.status_changed", "step.due_shifted", "review.transition", "settings.changed")
COLUMNS = "chain, municipality_id, seq, at, actor, action, entity, payload, prev_hash, hash"


def entries(n: int, chains: int) -> Iterator[tuple[object, ...]]:
    """Rows of ``chains`` interleaved chains, ``n`` entries in all, hashes precomputed."""
    per = n // chains
    for c in range(chains):
        chain, prev = f"mo-{c:03d}", GENESIS_HASH
        for seq in range(1, per + 1):
            at = BASE + dt.timedelta(seconds=seq * 7 + c)
            action = ACTIONS[seq % len(ACTIONS)]
            payload = canonical({"step_id": seq % 997, "from": "2025-03-14", "to": "2025-03-17",
                                 "reason": "перенос по решению МОЦ", "n": seq})  # fmt: skip
            entity = f"step:{seq % 997}"
            h = entry_hash(prev, chain=chain, seq=seq, at=at, actor="Иванова А.П.",
                           action=action, entity=entity, payload_text=payload)  # fmt: skip
            yield (chain, None, seq, at, "Иванова А.П.", action, entity, payload, prev, h)
            prev = h


def message(row: tuple[object, ...]) -> bytes:
    """Exactly the bytes verify feeds to SHA-256 for this row."""
    chain, _m, seq, at, actor, action, entity, payload, prev, _h = row
    body = canonical({"action": action, "actor": actor, "at": format_at(at),  # type: ignore[arg-type]
                      "chain": chain, "entity": entity, "payload": json.loads(str(payload)),
                      "seq": seq})  # fmt: skip
    return (str(prev) + "\n" + body).encode()


def build(url: str, n: int, chains: int) -> float:
    engine = make_engine(url)
    init_db(engine)
    t0 = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if url.startswith("sqlite"):
            batch: list[tuple[object, ...]] = []
            sql = f"INSERT INTO auditentry ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)"
            cur.execute("BEGIN")
            for row in entries(n, chains):
                at = row[3].astimezone(dt.UTC).replace(tzinfo=None)  # type: ignore[attr-defined]
                batch.append((*row[:3], at.isoformat(sep=" ", timespec="microseconds"), *row[4:]))
                if len(batch) == 50_000:
                    cur.executemany(sql, batch)
                    batch.clear()
            cur.executemany(sql, batch)
            cur.execute("COMMIT")
        else:
            with cur.copy(f"COPY auditentry ({COLUMNS}) FROM STDIN") as copy:
                for row in entries(n, chains):
                    copy.write_row(row)
            raw.commit()
            cur.execute("ANALYZE auditentry")
            raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return time.perf_counter() - t0


def hash_floor(n: int, chains: int) -> float:
    """Pure hashlib time over the same messages, prebuilt in chunks (build time excluded)."""
    total, chunk = 0.0, []
    for row in entries(n, chains):
        chunk.append(message(row))
        assert len(chunk) > 1 or hashlib.sha256(chunk[0]).hexdigest() == row[-1]
        if len(chunk) == 100_000:
            total += _time_hash(chunk)
            chunk = []
    return total + _time_hash(chunk)


def _time_hash(chunk: list[bytes]) -> float:
    sha = hashlib.sha256
    t0 = time.perf_counter()
    for m in chunk:
        sha(m).hexdigest()
    return time.perf_counter() - t0


def child(mode: str, url: str, tmp: str) -> None:
    from sqlalchemy import text

    from domain.audit.verify import verify
    from models.db import session_scope

    engine = make_engine(url)
    t0 = time.perf_counter()
    with session_scope(engine) as s:
        if mode == "read":
            rows = s.execute(text(f"SELECT id, {COLUMNS} FROM auditentry ORDER BY chain, seq"),
                             execution_options={"yield_per": 5000})  # fmt: skip
            count = sum(1 for _ in rows)
            ok = True
        else:
            report = verify(s, municipality_code=None, evidence_root=Path(tmp) / "evidence",
                            key_path=Path(tmp) / "audit.key")  # fmt: skip
            count, ok = report.entries, report.ok
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "entries": count, "ok": ok, "rss_mb": rss}))


def run_child(mode: str, url: str, tmp: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--url", url, "--tmp", tmp],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def bench(db: str, n: int, chains: int, floor: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        schema = ""
        if db == "sqlite":
            url = f"sqlite:///{tmp}/bench.db"
        else:
            import psycopg

            schema = "bench_" + uuid.uuid4().hex[:8]
            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            url = PG_DSN.replace("postgresql://", "postgresql+psycopg://", 1)
            url += f"?options=-csearch_path%3D{schema}"
        try:
            built = build(url, n, chains)
            read = run_child("read", url, tmp)
            ver = run_child("verify", url, tmp)
        finally:
            if schema:
                import psycopg

                with psycopg.connect(PG_DSN, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")
    assert ver["ok"] and ver["entries"] == n, ver
    v = ver["seconds"]
    print(f"\n[{db}] {n:,} entries in {chains} chains (bulk build {built:.1f} s)")
    print(f"  hash floor (hashlib, same bytes)  {floor:8.2f} s")
    print(f"  read floor (stream rows)          {read['seconds']:8.2f} s")
    print(
        f"  soczakaz audit verify             {v:8.2f} s   "
        f"({v / floor:.1f}x hash floor, {v / (floor + read['seconds']):.1f}x read+hash floor)"
    )
    print(f"  verify rate                       {n / v:,.0f} entries/s")
    print(f"  peak RSS: verify {ver['rss_mb']:.0f} MB, read floor {read['rss_mb']:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--chains", type=int, default=10)
    ap.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    ap.add_argument("--child", choices=["read", "verify"])
    ap.add_argument("--url")
    ap.add_argument("--tmp")
    a = ap.parse_args()
    if a.child:
        child(a.child, a.url, a.tmp)
        return
    n = a.entries - a.entries % a.chains
    floor = hash_floor(n, a.chains)
    for db in a.db or ["sqlite", "postgresql"]:
        bench(db, n, a.chains, floor)


if __name__ == "__main__":
    main()
