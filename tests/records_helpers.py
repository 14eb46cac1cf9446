"""Running ``roadmap`` as people do (a subprocess with a fresh HOME) for records tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROADMAP = str(Path(sys.executable).with_name("roadmap"))


class Cli:
    """``roadmap`` in a subprocess against one test database, each call on a fresh HOME."""

    def __init__(self, env: dict[str, str], home: Path) -> None:
        keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ") if k in os.environ}
        home.mkdir(parents=True, exist_ok=True)
        self.env = keep | env | {"HOME": str(home), "COLUMNS": "200"}
        self.cwd = home

    def run(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [ROADMAP, *args],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == code, (args, done.returncode, done.stdout, done.stderr)
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)
