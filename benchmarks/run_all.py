"""Every benchmark of issue 19 in one sitting, one table of goals, one RESULT line.

    python benchmarks/run_all.py --quick     # small sizes, under 5 minutes
    python benchmarks/run_all.py --tiny      # smaller still: the CI test (< 3 minutes)
    python benchmarks/run_all.py             # full sizes (1M steps, 2,500 reports: ~an hour)

Each benchmark runs in its own process and is read from its ``RESULT {json}`` line
(or, for benchmarks that print only a table, from the table), so their internals can
change. Ratios are taken inside one benchmark run, so the machine's load moves both
sides; the load average is printed beside the table. A benchmark that fails leaves
its goals with ``ours: null`` and ``met: false`` and its output's tail is printed.
At reduced sizes the absolute goals of the full size are scaled where they scale
(reports: the 60 s for 2,500 documents becomes 24 ms per document).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PARTS = ("sweep", "dispatch", "web", "reports", "audit", "cli")
PACKAGES = (
    "models",
    "domain",
    "roadmaps",
    "notifications",
    "reports",
    "jobs",
    "tasks",
    "flows",
    "web",
    "cli",
)
# Sizes per mode: full = the sizes.
SIZES: dict[str, dict[str, list[str]]] = {
    "full": {
        "sweep": ["--steps", "1000000", "--municipalities", "2500"],
        "dispatch": [],
        "pages": ["--steps", "100000", "--per-municipality", "500"],
        "region": ["--steps", "1000000", "--per-municipality", "400", "--requests", "40"],
        "reports": ["--municipalities", "2500"],
        "audit": ["--n", "1000000"],
    },
    "quick": {
        "sweep": ["--steps", "40000", "--municipalities", "100"],
        "dispatch": ["--json", "3000", "--email", "60", "--baseline-json", "1500"],
        "pages": ["--steps", "10000", "--per-municipality", "500", "--requests", "60"],
        "region": ["--steps", "25000", "--per-municipality", "10", "--requests", "30"],
        "reports": ["--municipalities", "200", "--samples", "20"],
        "audit": ["--n", "100000"],
    },
    "tiny": {
        "sweep": ["--steps", "10000", "--municipalities", "50"],
        "dispatch": ["--json", "600", "--email", "20", "--baseline-json", "300"],
        # One web run for every page (250 municipalities of 10 steps).
        "pages": ["--steps", "2500", "--per-municipality", "10", "--requests", "15"],
        "region": [],
        "reports": ["--municipalities", "20", "--samples", "5"],
        "audit": ["--n", "20000"],
    },
}
REPORTS_FULL = 2500
REPORTS_TARGET_S = 60.0


def run(args: list[str], timeout: float) -> tuple[str, dict[str, Any] | None]:
    """Output and the last RESULT json of one benchmark process (None when absent)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        proc = subprocess.run(
            [PY, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env
        )
        out = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        return f"timeout after {timeout:.0f} s: {exc.cmd}", None
    found = [ln for ln in out.splitlines() if ln.startswith("RESULT ")]
    try:
        return out, json.loads(found[-1][7:]) if found else None
    except json.JSONDecodeError:
        return out, None


def goal(
    name: str, ours: float | None, baseline: float | None, target: str, **extra: Any
) -> dict[str, Any]:
    """target: '<=N' / '>=N' on the ratio ours/baseline, or 'abs<=N' / 'abs>=N' on ours."""
    absolute = target.startswith("abs")
    op, limit = target.removeprefix("abs")[:2], float(target.removeprefix("abs")[2:])
    ratio = None if ours is None or not baseline else round(ours / baseline, 3)
    value = ours if absolute else ratio
    met = value is not None and (value <= limit if op == "<=" else value >= limit)
    return {
        "name": name,
        "ours": None if ours is None else round(ours, 4),
        "baseline": None if baseline is None else round(baseline, 4),
        "ratio": ratio,
        "target": target,
        "met": bool(met),
        **extra,
    }


def _show(title: str, out: str, tail: int = 1800) -> None:
    print(f"--- {title}\n{out[-tail:].rstrip()}\n")


def sweep_goals(mode: str) -> list[dict[str, Any]]:
    goals = []
    for db in ("sqlite", "postgresql"):
        out, r = run(
            ["benchmarks/sweep.py", "--db", db, "--no-prefect", *SIZES[mode]["sweep"]], 3600
        )
        _show(f"sweep ({db})", out)
        r = r or {}
        steps = r.get("steps")
        goals.append(
            goal(
                f"next-day sweep / UPDATE-by-key floor ({db})",
                r.get("next_day_s"),
                r.get("next_day_floor_s"),
                "<=3",
                unit="s",
                size=steps,
            )
        )
        goals.append(
            goal(
                f"first sweep / full UPDATE floor ({db})",
                r.get("first_sweep_s"),
                r.get("floor_full_s"),
                "<=1.5",
                unit="s",
                size=steps,
            )
        )
    return goals


def dispatch_goals(mode: str) -> list[dict[str, Any]]:
    args = ["benchmarks/reminders.py", "--workers", "4", *SIZES[mode]["dispatch"]]
    out, r = run(args, 3600)
    _show("dispatch", out)
    r = r or {}
    faults = r["lost"] + r["duplicated"] if "lost" in r and "duplicated" in r else None
    return [
        goal(
            "json:// ours / bare apprise loop",
            r.get("json_rate"),
            r.get("json_baseline"),
            ">=1",
            unit="msg/s",
        ),
        goal(
            "json:// msg/s, 4 sender threads", r.get("json_rate"), None, "abs>=1000", unit="msg/s"
        ),
        goal(
            "e-mail ours / bare apprise loop",
            r.get("email_rate"),
            r.get("email_baseline"),
            ">=1",
            unit="msg/s",
        ),
        goal("messages lost + duplicated", faults, None, "abs<=0", unit="messages"),
    ]


# web.py prints one table per database: endpoint (36 columns), p50, p95, ratios.
PAGE_ROWS = {
    "overview": "overview /",
    "municipality page": "municipality /m/",
    "open-steps API": "API steps?status=open",
    "regional page": "region /region/",
}


def page_p95(
    out: str, result: dict[str, Any] | None, db: str, label: str
) -> tuple[float | None, float | None]:
    """(p95 ms of a page, /healthz p95 of the same run) for one database: from RESULT
    (``{db: {page: {"p95", "healthz_p95"}}}``) when it names the page, else the table."""
    if result:
        per_db = result.get(db, result)
        for key in (label, label.replace(" ", "_"), PAGE_ROWS[label].split()[0]):
            item = per_db.get(key) if isinstance(per_db, dict) else None
            if isinstance(item, dict) and isinstance(item.get("p95"), int | float):
                base = item.get("healthz_p95")
                return float(item["p95"]), float(base) if isinstance(base, int | float) else None
            if isinstance(item, int | float):
                return float(item), None
    section = ""
    for chunk in re.split(r"\n== ", "\n" + out):
        if chunk.startswith(db):
            section = chunk
    base = None
    for ln in section.splitlines():
        try:
            if ln.startswith("/healthz"):
                base = float(ln[36:].split()[1])
            if ln.startswith(PAGE_ROWS[label]):
                return float(ln[36:].split()[1]), base
        except (IndexError, ValueError):
            return None, None
    return None, None


def web_goals(mode: str) -> list[dict[str, Any]]:
    goals = []
    dbs = ["--db", "sqlite", "--db", "postgresql"]
    runs = [
        ("pages", ("overview", "municipality page", "open-steps API"), SIZES[mode]["pages"]),
        ("region", ("regional page",), SIZES[mode]["region"]),
    ]
    if not runs[1][2]:  # one run measures every page
        runs = [("pages", runs[0][1] + runs[1][1], runs[0][2])]
    for what, labels, size in runs:
        out, r = run(["benchmarks/web.py", *dbs, "--cache", "off", *size], 3600)
        _show(f"web {what}", out, 3000)
        steps = int(size[size.index("--steps") + 1])
        munis = steps // int(size[size.index("--per-municipality") + 1])
        for db in ("sqlite", "postgresql"):
            for label in labels:
                p95, healthz = page_p95(out, r, db, label)
                goals.append(
                    goal(
                        f"{label} p95, caches off ({db})",
                        p95,
                        healthz,
                        "abs<=200" if label == "regional page" else "abs<=50",
                        unit="ms",
                        size=f"{steps} steps / {munis} municipalities",
                    )
                )
    return goals


def reports_goals(mode: str) -> list[dict[str, Any]]:
    size = SIZES[mode]["reports"]
    n = int(size[size.index("--municipalities") + 1])
    out, r = run(["benchmarks/reports.py", *size], 3600)
    _show("reports", out)
    seconds = (r or {}).get("flow_s")
    if seconds is None:
        for ln in out.splitlines():
            if ln.startswith("soczakaz build-reports flow"):
                seconds = float(ln.split()[3])
    per_doc = None if seconds is None else seconds / n * 1000
    limit = REPORTS_TARGET_S / REPORTS_FULL * 1000
    return [
        goal(
            f"annual DOCX, ms per document ({n} documents; 60 s / 2,500)",
            per_doc,
            None,
            f"abs<={limit:g}",
            unit="ms",
            total_s=seconds,
        )
    ]


def audit_goals(mode: str) -> list[dict[str, Any]]:
    size = SIZES[mode]["audit"]
    out, r = run(["benchmarks/audit_verify.py", *size], 3600)
    _show("audit", out)
    r = r or {}
    n = r.get("entries", size[-1])
    return [
        goal(
            f"audit verify / read-and-hash floor ({n} entries)",
            r.get("verify_s"),
            r.get("floor_s"),
            "<=2",
            unit="s",
        ),
        goal(
            f"audit inclusion proof, ms ({n} entries)", r.get("proof_ms"), None, "abs<10", unit="ms"
        ),
    ]


def _wall_cpu(args: list[str], env: dict[str, str], repeat: int = 5) -> tuple[float, float]:
    """Best wall and best CPU (user + sys of the child) of ``repeat`` runs."""
    import resource

    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(args, env=env, capture_output=True, check=True, timeout=120)
        best = min(best, time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_cpu = min(best_cpu, cpu)
    return best, best_cpu


def _import_time(env: dict[str, str], module: str, repeat: int = 3) -> float:
    """Best ``python -X importtime`` cumulative seconds of ``module`` after cli.main."""
    best = float("inf")
    for _ in range(repeat):
        proc = subprocess.run(
            [PY, "-X", "importtime", "-c", f"import cli.main, {module}"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        for line in proc.stderr.splitlines():
            m = re.match(rf"import time:\s+\d+ \|\s+(\d+) \| {re.escape(module)}$", line)
            if m:
                best = min(best, int(m.group(1)) / 1e6)
    return best


def cli_goals(mode: str) -> list[dict[str, Any]]:
    """Wall time of the installed ``roadmap`` script, as people start it (best of 5).

    Also printed: CPU seconds (what load disturbs least) and the import time of the
    status command beyond ``cli.main`` (``python -X importtime``).
    """
    # Bytecode as an installed wheel has it: with PYTHONDONTWRITEBYTECODE=1 (set on this
    # machine) an editable checkout would recompile every changed module on each start.
    for package in PACKAGES:
        compileall.compile_dir(str(ROOT / package), quiet=1)
    home = Path(tempfile.mkdtemp(prefix="soczakaz-cli-"))
    env = {**os.environ, "HOME": str(home), "SOCZAKAZ_DATABASE_URL": f"sqlite:///{home}/c.db"}
    script = Path(PY).with_name("roadmap")
    roadmap = [str(script)] if script.exists() else [PY, "-m", "cli.main"]
    for args in (
        ["init"],
        ["municipality", "add", "bench", "--name", "Бенчмарк"],
        ["load", "moc-standard", "-m", "bench", "-y", "2025"],
    ):
        subprocess.run([*roadmap, *args], env=env, capture_output=True, timeout=300, check=True)
    base, base_cpu = _wall_cpu([PY, "-c", "pass"], env)
    helps, helps_cpu = _wall_cpu([*roadmap, "--help"], env)
    status, status_cpu = _wall_cpu(
        [*roadmap, "status", "-m", "bench", "--as-of", "2025-07-01"], env
    )
    imports = _import_time(env, "cli.status_cmd")
    print(
        f"--- cli\npython -c pass {base:.3f} s, roadmap --help {helps:.3f} s, status {status:.3f} s"
        f"\nCPU: python -c pass {base_cpu:.3f} s, --help {helps_cpu:.3f} s,"
        f" status {status_cpu:.3f} s; import cli.status_cmd beyond cli.main {imports:.3f} s\n"
    )
    return [
        goal(
            "roadmap --help wall (best of 5; baseline python -c pass)",
            helps,
            base,
            "abs<=0.3",
            unit="s",
        ),
        goal(
            "roadmap status wall (best of 5; baseline python -c pass)",
            status,
            base,
            "abs<=0.5",
            unit="s",
        ),
    ]


def fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:g}"


def table(goals: list[dict[str, Any]]) -> str:
    lines = [
        f"{'goal':64} {'ours':>10} {'baseline':>10} {'ratio':>7} {'target':>9} {'load':>5}  met"
    ]
    for g in goals:
        lines.append(
            f"{g['name'][:64]:64} {fmt(g['ours']):>10} {fmt(g['baseline']):>10} "
            f"{fmt(g['ratio']):>7} {g['target']:>9} {g.get('load', 0):>5.1f}  "
            + ("yes" if g["met"] else "NO" if g["ours"] is not None else "не измерено")
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sized = ap.add_mutually_exclusive_group()
    sized.add_argument("--quick", action="store_true", help="small sizes, < 5 minutes")
    sized.add_argument("--tiny", action="store_true", help="smaller still (the CI test)")
    ap.add_argument("--only", action="append", choices=PARTS)
    args = ap.parse_args()
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    load_before = [round(x, 2) for x in os.getloadavg()]
    t0 = time.perf_counter()
    goals: list[dict[str, Any]] = []
    for part in args.only or PARTS:
        started = time.perf_counter()
        found = globals()[f"{part}_goals"](mode)
        for g in found:  # the load average of the minute the figure was taken in
            g["load"] = round(os.getloadavg()[0], 2)
        goals += found
        print(f"({part}: {time.perf_counter() - started:.0f} s)\n")
    load_after = [round(x, 2) for x in os.getloadavg()]
    print(table(goals))
    elapsed = time.perf_counter() - t0
    print(
        f"mode {mode}; load average before {load_before}, after {load_after}; {elapsed:.0f} s in all"
    )
    print(
        "RESULT "
        + json.dumps(
            {
                "goals": goals,
                "mode": mode,
                "load": [load_before, load_after],
                "seconds": round(elapsed),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
