"""``roadmap status`` starts fast: on a SQLite file at head it reads through the DB-API.

Measured as people start it (a fresh interpreter, the installed ``roadmap`` script),
like ``roadmap --help`` in tests/test_cli_import_time.py, whose load scaling it uses.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from tests.test_cli_import_time import ROADMAP, ROOT, _crowd, _env

# Wall of `roadmap status` on SQLite: 2x the 0.5 s target; CPU ~0.5 s at load 5.
STATUS_BUDGET_S = 1.0
STATUS_CPU_BUDGET_S = 1.0
# Never imported by `roadmap status` on a SQLite file at head (cli.status_read: DB-API).
NOT_ON_STATUS = (
    "sqlmodel",
    "sqlalchemy",
    "models.registry",
    "models.core",
    "models.outbox",
    "models.review",
    "models.roadmap",
    "models.evidence",
    "models.people",
    "models.records",
    "models.status_counts",
    "models.db",
    "domain.lookup",
    "alembic",
    "sqlalchemy.dialects.sqlite",
    "prefect",
    "reports",
    "fastapi",
)


def _status_db(tmp_path: Path) -> dict[str, str]:
    """A SQLite file at head with one municipality and a few steps (as people have it)."""
    from models.db import init_db, make_engine, session_scope
    from models.roadmap import StepStatus
    from tests.factories import make_municipality, make_roadmap, make_step

    url = f"sqlite:///{tmp_path / 'status.db'}"
    engine = make_engine(url)
    init_db(engine)
    with session_scope(engine) as s:
        m = make_municipality(s, code="irk", tz="Asia/Irkutsk")
        r = make_roadmap(s, municipality=m, year=2025)
        make_step(s, roadmap=r, key="a", due=dt.date(2025, 3, 14))
        make_step(s, roadmap=r, key="b", due=dt.date(2025, 7, 2), depends_on=["a"])
        make_step(s, roadmap=r, key="c", due=dt.date(2025, 3, 3), status=StepStatus.done)
    engine.dispose()
    return {**_env(), "SOCZAKAZ_DATABASE_URL": url, "HOME": str(tmp_path)}


def test_status_on_sqlite_reads_without_the_orm(tmp_path: Path) -> None:
    env = _status_db(tmp_path)
    code = (
        "import sys, json\n"
        "from typer.testing import CliRunner\n"
        "from cli.main import app\n"
        "r = CliRunner().invoke(app, ['status', '-m', 'irk', '--as-of', '2025-07-01'])\n"
        "assert r.exit_code == 0, r.output\n"
        "assert 'заблокировано: 1' in r.stdout, r.stdout\n"
        f"print(json.dumps([m for m in {NOT_ON_STATUS!r} if m in sys.modules]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_status_wall_time_fits_the_budget(tmp_path: Path) -> None:
    """Wall and CPU time of a real ``roadmap status`` in a fresh process (best of three)."""
    env = _status_db(tmp_path)
    args = [str(ROADMAP), "status", "-m", "irk", "--as-of", "2025-07-01"]
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, text=True, timeout=60, env=env)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
        assert proc.returncode == 0, proc.stderr
        assert "шагов: 3" in proc.stdout
    wall_budget = STATUS_BUDGET_S * _crowd()
    print(
        f"roadmap status: best of 3 {best_wall:.3f} s wall (budget {wall_budget:.2f} s at "
        f"load {os.getloadavg()[0]:.1f}), {best_cpu:.3f} s CPU (budget {STATUS_CPU_BUDGET_S} s)"
    )
    assert best_cpu < STATUS_CPU_BUDGET_S, f"roadmap status used {best_cpu:.2f} s of CPU"
    assert best_wall < wall_budget, f"roadmap status took {best_wall:.2f} s"
