"""``benchmarks/run_all.py`` runs every benchmark and reports every goal of issue 19.

The tiny size keeps this under three minutes on a quiet machine: the figures are not
judged here (fixed costs dominate at this size), only that each benchmark ran, was
parsed and produced a number for each goal, in the documented RESULT shape.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Every goal of issue 19 (and the audit speed of issue 18), by the start of its name.
GOALS = (
    "next-day sweep / UPDATE-by-key floor (sqlite)",
    "first sweep / full UPDATE floor (sqlite)",
    "next-day sweep / UPDATE-by-key floor (postgresql)",
    "first sweep / full UPDATE floor (postgresql)",
    "json:// ours / bare apprise loop",
    "json:// msg/s, 4 sender threads",
    "e-mail ours / bare apprise loop",
    "messages lost + duplicated",
    "overview p95, caches off (sqlite)",
    "municipality page p95, caches off (sqlite)",
    "open-steps API p95, caches off (sqlite)",
    "regional page p95, caches off (sqlite)",
    "overview p95, caches off (postgresql)",
    "municipality page p95, caches off (postgresql)",
    "open-steps API p95, caches off (postgresql)",
    "regional page p95, caches off (postgresql)",
    "annual DOCX, ms per document",
    "audit verify / read-and-hash floor",
    "audit inclusion proof, ms",
    "roadmap --help wall",
    "roadmap status wall",
)


@pytest.mark.slow
@pytest.mark.postgres
def test_run_all_tiny_reports_every_goal() -> None:
    proc = subprocess.run(
        [sys.executable, "benchmarks/run_all.py", "--tiny"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    # The benchmarks' own RESULT lines are echoed above; run_all's is the last line.
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("RESULT "), out[-3000:]
    result = json.loads(last.removeprefix("RESULT "))
    goals = result["goals"]
    assert result["mode"] == "tiny"
    for g in goals:
        assert set(g) >= {"name", "ours", "baseline", "ratio", "target", "met"}, g
        assert isinstance(g["met"], bool)
        assert g["target"][:2] in ("<=", ">=", "ab"), g
    names = [g["name"] for g in goals]
    for wanted in GOALS:
        found = [g for g in goals if g["name"].startswith(wanted)]
        assert len(found) == 1, f"{wanted!r} not among {names}"
        assert isinstance(found[0]["ours"], int | float), f"{wanted}: no figure\n{out[-4000:]}"
    # A ratio goal carries its baseline from the same run, and the ratio of the two.
    for g in goals:
        if not g["target"].startswith("abs"):
            assert g["baseline"] and g["ratio"] == pytest.approx(
                g["ours"] / g["baseline"], rel=0.01
            )
        if g["met"]:
            assert g["ours"] is not None
    # The table is printed before the RESULT line, one row per goal.
    table_rows = [
        ln for ln in proc.stdout.splitlines() if ln.startswith(tuple(n[:40] for n in names))
    ]
    assert len(table_rows) >= len(goals)
