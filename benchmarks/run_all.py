"""Every benchmark of issue 19 in one sitting, one table of goals, one RESULT line.

    python benchmarks/run_all.py --quick     # small sizes, under 5 minutes
    python benchmarks/run_all.py             # full sizes (1M steps, 2,500 reports: ~an hour)

Each benchmark runs in its own process and ends with ``RESULT {json}`` (web.py and
reports.py, owned elsewhere, are read from their printed table when they print no
RESULT). Ratios are taken inside one benchmark run, so the machine's load moves
both sides; the load average is printed beside the table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def run(args: list[str], timeout: float) -> tuple[str, dict[str, Any] | None]:
    """Output and the RESULT json of one benchmark process (None when absent/failed)."""
    try:
        proc = subprocess.run(
            [PY, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        out = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        return f"timeout after {timeout:.0f} s: {exc.cmd}", None
    found = [ln for ln in out.splitlines() if ln.startswith("RESULT ")]
    return out, json.loads(found[-1][7:]) if found else None


def goal(name: str, ours: float | None, baseline: float | None, target: str) -> dict[str, Any]:
    """target: '<=N' / '>=N' on the ratio ours/baseline, or 'abs<=N' / 'abs>=N' on ours."""
    if ours is None:
        return {
            "name": name,
            "ours": None,
            "baseline": baseline,
            "ratio": None,
            "target": target,
            "met": False,
        }
    absolute = target.startswith("abs")
    value = ours if absolute or not baseline else ours / baseline
    op, limit = target.removeprefix("abs")[:2], float(target.removeprefix("abs")[2:])
    met = value <= limit if op == "<=" else value >= limit
    ratio = None if absolute or not baseline else round(ours / baseline, 3)
    return {
        "name": name,
        "ours": round(ours, 4),
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "met": bool(met),
    }


def sweep_goals(quick: bool) -> list[dict[str, Any]]:
    size = ["--steps", "40000", "--municipalities", "100"] if quick else []
    goals = []
    for db in ("sqlite", "postgresql"):
        out, r = run(["benchmarks/sweep.py", "--db", db, "--no-prefect", *size], 3600)
        print(out[-1500:])
        r = r or {}
        goals.append(
            goal(
                f"next-day sweep / UPDATE-by-key floor ({db})",
                r.get("next_day_s"),
                r.get("next_day_floor_s"),
                "<=3",
            )
        )
        goals.append(
            goal(
                f"first sweep / full UPDATE floor ({db})",
                r.get("first_sweep_s"),
                r.get("floor_full_s"),
                "<=1.5",
            )
        )
    return goals


def dispatch_goals(quick: bool) -> list[dict[str, Any]]:
    size = ["--json", "3000", "--email", "60", "--baseline-json", "1500", "--baseline-email", "60"]
    out, r = run(["benchmarks/reminders.py", *(size if quick else [])], 3600)
    print(out[-1500:])
    r = r or {}
    faults = r["lost"] + r["duplicated"] if r else None
    mail = goal(
        "e-mail ours / bare apprise loop", r.get("email_rate"), r.get("email_baseline"), ">=1"
    )
    return [
        goal("json:// ours / bare apprise loop", r.get("json_rate"), r.get("json_baseline"), ">=1"),
        goal("json:// msg/s with 4 sender threads", r.get("json_rate"), None, "abs>=1000"),
        mail,
        goal("messages lost + duplicated", faults, None, "abs<=0"),
    ]


def _wall(args: list[str], env: dict[str, str], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(args, env=env, capture_output=True, check=True, timeout=120)
        best = min(best, time.perf_counter() - t0)
    return best


def cli_goals() -> list[dict[str, Any]]:
    home = Path(tempfile.mkdtemp(prefix="soczakaz-cli-"))
    env = {**os.environ, "HOME": str(home), "SOCZAKAZ_DATABASE_URL": f"sqlite:///{home}/c.db"}
    roadmap = [PY, "-m", "cli.main"]
    env["PYTHONPATH"] = str(ROOT)
    subprocess.run([*roadmap, "init"], env=env, capture_output=True, timeout=300)
    add = [*roadmap, "municipality", "add", "bench", "--name", "Бенчмарк"]
    subprocess.run(add, env=env, capture_output=True, timeout=300)
    base = _wall([PY, "-c", "pass"], env)
    helps = _wall([*roadmap, "--help"], env)
    status = _wall([*roadmap, "status", "-m", "bench"], env)
    print(f"python -c pass {base:.3f} s, roadmap --help {helps:.3f} s, status {status:.3f} s")
    return [
        goal("roadmap --help wall, s (best of 5)", helps, round(base, 3), "abs<=0.3"),
        goal("roadmap status wall, s (best of 5)", status, round(base, 3), "abs<=0.5"),
    ]


def web_goals(quick: bool) -> list[dict[str, Any]]:
    size = ["--steps", "10000", "--requests", "60"] if quick else []
    out, r = run(["benchmarks/web.py", "--db", "sqlite", "--cache", "off", *size], 1800)
    print(out[-2500:])
    goals = []
    for label, prefix in (
        ("overview", "overview /"),
        ("municipality page", "municipality /m/"),
        ("open-steps API", "API steps?status=open"),
    ):
        p95 = float(r[label]) if r and label in r else None
        for ln in out.splitlines():
            if p95 is None and ln.startswith(prefix):
                p95 = float(ln[36:].split()[1])
        goals.append(goal(f"{label} p95 ms, caches off", p95, None, "abs<=50"))
    return goals


def reports_goals(quick: bool) -> list[dict[str, Any]]:
    size = ["--municipalities", "200", "--samples", "20"] if quick else []
    out, r = run(["benchmarks/reports.py", *size], 3600)
    print(out[-1500:])
    seconds = (r or {}).get("flow_s")
    if seconds is None:
        for ln in out.splitlines():
            if ln.startswith("soczakaz build-reports flow"):
                seconds = float(ln.split()[3])
    n = 200 if quick else 2500
    return [goal(f"{n} annual DOCX, s", seconds, None, "abs<=60")]


def fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:g}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--only", action="append", choices=["sweep", "dispatch", "cli", "web", "reports"]
    )
    args = ap.parse_args()
    chosen = args.only or ["sweep", "dispatch", "cli", "web", "reports"]
    load_before = [round(x, 2) for x in os.getloadavg()]
    t0 = time.perf_counter()
    goals: list[dict[str, Any]] = []
    for part in chosen:
        if part == "cli":
            goals += cli_goals()
        else:
            goals += globals()[f"{part}_goals"](args.quick)
    load_after = [round(x, 2) for x in os.getloadavg()]
    print(f"\n{'goal':52} {'ours':>10} {'baseline':>10} {'ratio':>7} {'target':>10}  met")
    for g in goals:
        print(
            f"{g['name']:52} {fmt(g['ours']):>10} {fmt(g['baseline']):>10} "
            f"{fmt(g['ratio']):>7} {g['target']:>10}  {'yes' if g['met'] else 'NO'}"
        )
    print(
        f"load average before {load_before}, after {load_after}; "
        f"{time.perf_counter() - t0:.0f} s in all"
    )
    print("RESULT " + json.dumps({"goals": goals, "load": [load_before, load_after]}))


if __name__ == "__main__":
    main()
