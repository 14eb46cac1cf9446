"""The CLI starts fast: importing ``cli.main`` loads no heavy library eagerly.

Measured as people start it: a fresh interpreter, ``python -X importtime``. The
modules below belong to single commands (Prefect flows, report rendering, e-mail
and webhook delivery, migrations) and must be imported inside those commands.
The time budget is generous (CI machines are loaded); the module check is strict.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Imported by a command when it runs, never by ``import cli.main``.
LAZY = ("prefect", "reports", "apprise", "alembic", "docxtpl", "openpyxl", "fastapi", "uvicorn")
BUDGET_S = 3.0  # cumulative import time of cli.main; ~0.6 s on a quiet machine


def _import_cli() -> tuple[float, list[str]]:
    code = (
        "import sys, json; import cli.main; "
        f"print(json.dumps([m for m in {LAZY!r} if m in sys.modules]))"
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
    )
    cumulative = next(
        int(m.group(1))
        for line in proc.stderr.splitlines()
        if (m := re.match(r"import time:\s+\d+ \|\s+(\d+) \| cli\.main$", line))
    )
    return cumulative / 1e6, json.loads(proc.stdout.strip().splitlines()[-1])


def test_cli_main_imports_no_heavy_library_and_fits_the_budget() -> None:
    seconds, loaded = _import_cli()
    assert loaded == [], f"import cli.main loaded {loaded}: import them inside the command"
    assert seconds < BUDGET_S, f"import cli.main took {seconds:.2f} s (budget {BUDGET_S} s)"


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
