"""Cost of validating and instantiating the standard template, next to same-run baselines.

    python benchmarks/roadmap_load.py --municipalities 50 --db sqlite

Baselines: ``yaml.safe_load`` of the same text (parsing only, no checks) and a raw
executemany INSERT of the same step rows (no calendar, no ORM).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import yaml
from sqlalchemy import insert
from sqlmodel import select

from models import Municipality, Step
from models.db import init_db, make_engine, session_scope
from roadmaps.instantiate import instantiate
from roadmaps.loader import parse_template, read_template
from roadmaps.planning import plan


def _best(fn: object, n: int) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--municipalities", type=int, default=50)
    ap.add_argument("--db", default="sqlite", help="sqlite or a SQLAlchemy URL")
    args = ap.parse_args()
    loaded = read_template("moc-standard")
    text = loaded.source_text

    t_yaml = _best(lambda: yaml.safe_load(text), 20)
    t_parse = _best(lambda: parse_template(text, source_name="moc-standard.yaml"), 20)
    print(f"yaml.safe_load (floor)   {t_yaml * 1000:8.2f} ms")
    print(f"validate (all checks)    {t_parse * 1000:8.2f} ms   ({t_parse / t_yaml:.1f}× floor)")

    url = args.db
    tmp = tempfile.TemporaryDirectory()
    if url == "sqlite":
        url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    engine = make_engine(url)
    init_db(engine)
    n = args.municipalities
    with session_scope(engine) as s:
        munis = []
        for i in range(2 * n):
            m = Municipality(code=f"b{i}", name=f"МО {i}", timezone="Asia/Irkutsk")
            s.add(m)
            munis.append(m)
        s.flush()
        ids = [m.id for m in munis]
    rows_per = len(plan(loaded.spec, year=2025, tz="Asia/Irkutsk"))

    t0 = time.perf_counter()
    for mid in ids[:n]:
        with session_scope(engine) as s:
            row = s.get(Municipality, mid)
            assert row is not None
            m = row
            instantiate(s, spec=loaded.spec, source_text=text, municipality=m, year=2025)
    t_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    for mid in ids[:n]:
        with session_scope(engine) as s:
            row = s.get(Municipality, mid)
            assert row is not None
            m = row
            instantiate(s, spec=loaded.spec, source_text=text, municipality=m, year=2025)
    t_again = time.perf_counter() - t0

    # Baseline: the same number of step rows inserted raw (reusing roadmap 1's rows).
    with session_scope(engine) as s:
        template_rows = [
            {c: getattr(r, c) for c in Step.model_fields if c != "id"}
            for r in s.exec(select(Step).where(Step.roadmap_id == 1)).all()
        ]
    t0 = time.perf_counter()
    for k in range(n):
        with session_scope(engine) as s:
            s.execute(
                insert(Step),
                [
                    {
                        **r,
                        "period": f"{r['period']}#{k}",
                        "status_changed_at": dt.datetime.now(dt.UTC),
                    }
                    for r in template_rows
                ],
            )
    t_raw = time.perf_counter() - t0

    print(f"steps per roadmap        {rows_per}")
    print(f"raw INSERT (floor)       {t_raw:8.3f} s for {n} roadmaps")
    print(f"instantiate              {t_ours:8.3f} s   ({t_ours / t_raw:.1f}× floor)")
    print(f"instantiate again (no-op){t_again:8.3f} s   ({t_again / t_raw:.1f}× floor)")
    engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
