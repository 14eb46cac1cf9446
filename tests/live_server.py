"""``roadmap serve`` in a subprocess (uvicorn, access log on) for end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def serve(
    db_url: str, home: Path, port: int, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start the dashboard on 127.0.0.1:``port``; returns once /healthz answers."""
    full = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "TMPDIR": str(home / "tmp"),
        "SOCZAKAZ_DATABASE_URL": db_url,
        "SOCZAKAZ_EVIDENCE_DIR": str(home / "evidence"),
        "SOCZAKAZ_BASE_URL": f"http://127.0.0.1:{port}",
        **(env or {}),
    }
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "cli.main", "serve", "--port", str(port)]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    raise AssertionError(proc.communicate()[0].decode())


def stop(proc: subprocess.Popen[bytes]) -> str:
    """Stop the server (its own process group) and return everything it printed."""
    os.killpg(proc.pid, 15)
    return proc.communicate(timeout=20)[0].decode()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")
