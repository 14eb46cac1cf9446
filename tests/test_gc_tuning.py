"""A serving process settles its heap once (web/gc_tuning.py): the objects its imports
leave behind are frozen, so a full collection no longer walks them mid-request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import gc, json, time
from models.settings import Settings
from web.app import create_app
app = create_app(Settings())
def full_ms():
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter(); gc.collect(); best = min(best, time.perf_counter() - t0)
    return best * 1000
before, frozen_before = full_ms(), gc.get_freeze_count()
from web.gc_tuning import settle_heap
frozen = settle_heap()
print(json.dumps({"before": before, "after": full_ms(), "frozen_before": frozen_before,
                  "frozen": frozen, "threshold": gc.get_threshold()[0]}))
"""


def run_python(code: str, tmp: Path) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SOCZAKAZ_")},
        "SOCZAKAZ_DATABASE_URL": f"sqlite:///{tmp / 'gc.db'}",
        "SOCZAKAZ_EVIDENCE_DIR": str(tmp / "ev"),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_settle_heap_freezes_what_the_imports_leave_and_full_collections_get_cheap(
    tmp_path: Path,
) -> None:
    got = json.loads(run_python(PROBE, tmp_path))
    assert got["frozen_before"] == 0 and got["frozen"] > 50_000, got
    assert got["threshold"] == 10_000
    assert got["after"] * 5 < got["before"], got  # e.g. 45 ms -> 0.5 ms


def test_the_asgi_entry_point_settles_its_heap(tmp_path: Path) -> None:
    out = run_python(
        "import gc, web.asgi; print(gc.get_freeze_count(), gc.get_threshold()[0])", tmp_path
    )
    frozen, threshold = map(int, out.split())
    assert frozen > 50_000 and threshold == 10_000
