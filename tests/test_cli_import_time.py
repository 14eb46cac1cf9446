"""The CLI starts fast: importing ``cli.main`` loads no heavy library eagerly.

Measured as people start it: a fresh interpreter, ``python -X importtime`` for the
import cost of ``cli.main`` and the wall time of ``roadmap --help``. Commands are
registered lazily (``cli.lazy_group``): the modules below belong to single commands
and are imported only when that command runs. Budgets are 2x the issue-19 targets
(--help <= 0.3 s wall on a quiet machine) so that a loaded CI machine passes and a
regression (an eager import of SQLModel or Prefect, ~0.5-1 s) still fails; the best
of three runs is taken so that one load spike does not decide.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.lazy_group import LazyGroup, Placeholder, load, load_commands

ROOT = Path(__file__).resolve().parents[1]
ROADMAP = Path(sys.executable).with_name("roadmap")
# Imported by a command when it runs, never by ``import cli.main`` or ``roadmap --help``.
LAZY = (
    "prefect",
    "reports",
    "apprise",
    "alembic",
    "docxtpl",
    "openpyxl",
    "fastapi",
    "uvicorn",
    "jinja2",
    "sqlmodel",
    "sqlalchemy",
    "pendulum",
    "models",
    "cli.common",
)
IMPORT_BUDGET_S = 0.15  # cumulative import of cli.main: 0.04-0.05 s (even at load 7.5)
HELP_BUDGET_S = 0.6  # wall of `roadmap --help`: 2x the 0.3 s target
# ``import cli.status_cmd`` beyond cli.main: 0.18 s at load 7.8 (0.28 s while it still
# imported pydantic-settings and click); `roadmap status` <= 0.5 s is issue 19's target.
STATUS_IMPORT_BUDGET_S = 0.25
# Never imported by `roadmap status` on SQLite (the ORM, the settings library, asyncio).
STATUS_LAZY = ("pydantic_settings", "asyncio", "click", "sqlalchemy", "sqlmodel", "alembic")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "80"}


def _crowd() -> float:
    """How many runnable processes share a core beyond one (a loaded CI machine)."""
    return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


def _import_cli(module: str = "cli.main", lazy: tuple[str, ...] = LAZY) -> tuple[float, list[str]]:
    code = (
        f"import sys, json; import cli.main, {module}; "
        f"print(json.dumps([m for m in {lazy!r} if m in sys.modules]))"
    )
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
        check=True,
    )
    cumulative = next(
        int(m.group(1))
        for line in proc.stderr.splitlines()
        if (m := re.match(rf"import time:\s+\d+ \|\s+(\d+) \| {re.escape(module)}$", line))
    )
    return cumulative / 1e6, json.loads(proc.stdout.strip().splitlines()[-1])


def test_cli_main_imports_no_heavy_library_and_fits_the_budget() -> None:
    runs = [_import_cli() for _ in range(3)]
    seconds = min(s for s, _ in runs)
    loaded = runs[0][1]
    budget = IMPORT_BUDGET_S * _crowd()
    print(f"import cli.main: best of 3 {seconds:.3f} s (budget {budget:.2f} s)")
    assert loaded == [], f"import cli.main loaded {loaded}: import them inside the command"
    assert seconds < budget, f"import cli.main took {seconds:.2f} s"


def test_status_command_imports_fit_the_budget() -> None:
    """What ``roadmap status`` adds to cli.main (python -X importtime, best of three)."""
    runs = [_import_cli("cli.status_cmd", STATUS_LAZY) for _ in range(3)]
    seconds = min(s for s, _ in runs)
    budget = STATUS_IMPORT_BUDGET_S * _crowd()
    print(
        f"import cli.status_cmd beyond cli.main: best of 3 {seconds:.3f} s (budget {budget:.2f} s)"
    )
    assert runs[0][1] == [], f"import cli.status_cmd loaded {runs[0][1]}"
    assert seconds < budget, f"import cli.status_cmd took {seconds:.2f} s"


def test_help_wall_time_fits_the_budget() -> None:
    """Wall and CPU time of ``roadmap --help`` in a fresh process (best of three).

    CPU time (user + sys of the child) barely moves with the machine's load: its
    budget is fixed. The wall budget is 2x the target, stretched by the load beyond
    one runnable process per core (a shared CI machine), and the figure is printed.
    """
    assert ROADMAP.exists(), ROADMAP
    best_wall, best_cpu, out = float("inf"), float("inf"), ""
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [str(ROADMAP), "--help"], capture_output=True, text=True, timeout=60, env=_env()
        )
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
        assert proc.returncode == 0, proc.stderr
        out = proc.stdout
    wall_budget = HELP_BUDGET_S * _crowd()
    print(
        f"roadmap --help: best of 3 {best_wall:.3f} s wall (budget {wall_budget:.2f} s at "
        f"load {os.getloadavg()[0]:.1f}), {best_cpu:.3f} s CPU (budget {HELP_BUDGET_S} s)"
    )
    assert "status" in out and "Статус шагов муниципалитета" in out
    assert best_cpu < HELP_BUDGET_S, f"roadmap --help used {best_cpu:.2f} s of CPU"
    assert best_wall < wall_budget, f"roadmap --help took {best_wall:.2f} s"


def test_help_runs_without_heavy_libraries() -> None:
    code = (
        "import sys, json\n"
        "from typer.testing import CliRunner\n"
        "from cli.main import app\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        f"print(json.dumps([m for m in {LAZY!r} if m in sys.modules]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_status_imports_no_prefect_reports_or_web() -> None:
    code = (
        "import sys, json\n"
        "from typer.testing import CliRunner\n"
        "from cli.main import app\n"
        "r = CliRunner().invoke(app, ['status', '--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(json.dumps([m for m in ('prefect', 'reports', 'apprise', 'fastapi', 'jinja2',"
        " 'alembic', 'docxtpl') if m in sys.modules]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_lazy_help_equals_the_eager_help(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry's listing text is the commands' own help: lazy and loaded agree."""
    from cli.main import REGISTRY, app

    runner = CliRunner()
    lazy = runner.invoke(app, ["--help"], terminal_width=100)
    assert lazy.exit_code == 0, lazy.output
    group = typer.main.get_group(app)
    assert all(isinstance(group.commands[e.name], Placeholder) for e in REGISTRY)
    names = {e.name for e in REGISTRY}
    for entry in REGISTRY:
        real = load(entry)
        first = inspect.cleandoc(real.help or "").split("\n\n")[0]
        assert entry.help == first, f"{entry.name}: registry help differs from the command's"
        assert not real.hidden
        # Every command a module registers is a registry row (none silently dropped).
        assert set(load_commands(entry.module, entry.name)) <= names, entry.module
    # The same screen with every command loaded for real, as the eager app printed it.
    monkeypatch.setattr(LazyGroup, "get_command", lambda self, ctx, name: self.real(name))
    eager = runner.invoke(app, ["--help"], terminal_width=100)
    assert eager.exit_code == 0, eager.output
    assert lazy.output == eager.output
    for entry in REGISTRY:
        assert re.search(rf"│ {re.escape(entry.name)} ", lazy.output), entry.name


def test_sub_app_commands_are_picked_up_when_the_group_runs() -> None:
    """``roadmap audit --help`` lists the commands audit modules register (lazy group)."""
    result = CliRunner().invoke(
        __import__("cli.main").main.app, ["audit", "--help"], terminal_width=100
    )
    assert result.exit_code == 0, result.output
    from cli.audit_cmd import app as audit_app

    for name, _ in typer.main.get_group(audit_app).commands.items():
        assert name in result.output
    assert "verify" in result.output


def test_the_working_day_calendar_loads_one_country_of_holidays() -> None:
    """``holidays.country_holidays("RU")`` would import ~250 countries (~0.3-0.5 s)."""
    code = (
        "import sys, datetime as dt\n"
        "from domain.calendar.workdays import is_working_day\n"
        "assert not is_working_day(dt.date(2025, 1, 1)) and is_working_day(dt.date(2025, 1, 9))\n"
        "print(sum(m.startswith('holidays.countries') for m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert int(proc.stdout.strip().splitlines()[-1]) <= 1
