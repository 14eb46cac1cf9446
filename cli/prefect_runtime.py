"""Running Prefect for the ``roadmap`` commands: quiet, no telemetry, no orphan server.

Call :func:`prepare_environment` before ``prefect`` is imported: it turns analytics
off and sends Prefect's log lines to its own file (``$PREFECT_HOME/logs/soczakaz.log``)
instead of the console. :func:`prefect_api` then gives a Prefect API for one command:
``PREFECT_API_URL`` when configured, the server of a running ``roadmap up``, or a
local server started here as a child process that waits as long as
``SOCZAKAZ_PREFECT_STARTUP_TIMEOUT_SECONDS`` (the first start creates Prefect's
database) and dies with us, even on SIGKILL (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from cli.child_process import ChildProcess
from models.settings import Settings

QUIET_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # no telemetry heartbeat from the server
    "DO_NOT_TRACK": "1",
}
UP_STATE_FILE = "soczakaz-up.json"  # written by `roadmap up`: {"api_url": ..., "pid": ...}

LOGGING_YAML = """\
# Written by soczakaz (cli/prefect_runtime.py): Prefect logs go to this file, not the console.
version: 1
disable_existing_loggers: False
formatters:
  standard:
    (): prefect.logging.formatters.PrefectFormatter
    format: "%(asctime)s.%(msecs)03d | %(levelname)-7s | %(name)s - %(message)s"
    flow_run_fmt: "%(asctime)s.%(msecs)03d | %(levelname)-7s | Flow run %(flow_run_name)r - %(message)s"
    task_run_fmt: "%(asctime)s.%(msecs)03d | %(levelname)-7s | Task run %(task_run_name)r - %(message)s"
    datefmt: "%Y-%m-%d %H:%M:%S"
handlers:
  file:
    class: logging.handlers.RotatingFileHandler
    filename: "{log_file}"
    maxBytes: 10485760
    backupCount: 3
    encoding: utf-8
    formatter: standard
  api:
    level: 0
    class: prefect.logging.handlers.APILogHandler
  worker_api:
    level: 0
    class: prefect.logging.handlers.WorkerAPILogHandler
loggers:
  prefect: {{level: INFO}}
  prefect.extra: {{level: INFO, handlers: [api, file], propagate: false}}
  prefect.flow_runs: {{level: NOTSET, handlers: [api]}}
  prefect.task_runs: {{level: NOTSET, handlers: [api]}}
  prefect.workers: {{level: NOTSET, handlers: [worker_api]}}
  prefect._internal: {{level: ERROR, handlers: [file], propagate: false}}
  uvicorn: {{level: WARNING, handlers: [file], propagate: false}}
  fastapi: {{level: WARNING, handlers: [file], propagate: false}}
root:
  level: WARNING
  handlers: [file]
"""


def prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()


def prefect_imported() -> bool:
    return "prefect" in sys.modules


def prepare_environment() -> Path:
    """Quiet Prefect for this process and its children; returns the log file.

    Values already in the environment win (an operator may want Prefect on the console).
    """
    for key, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)
    logs = prefect_home() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_file = logs / "soczakaz.log"
    if "PREFECT_LOGGING_SETTINGS_PATH" not in os.environ:
        config = prefect_home() / "soczakaz-logging.yml"
        text = LOGGING_YAML.format(log_file=str(log_file).replace('"', '\\"'))
        if not config.exists() or config.read_text(encoding="utf-8") != text:
            config.write_text(text, encoding="utf-8")
        os.environ["PREFECT_LOGGING_SETTINGS_PATH"] = str(config)
    return log_file


class PrefectStartError(RuntimeError):
    """The local Prefect server did not come up (message in Russian)."""


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def wait_healthy(child: ChildProcess, api_url: str, timeout: float) -> float:
    """Seconds until ``api_url`` answered; PrefectStartError if it died or timed out."""
    started = time.monotonic()
    while not healthy(api_url):
        if not child.alive():
            raise PrefectStartError(
                f"сервер Prefect завершился с кодом {child.proc.returncode} при запуске; "
                f"подробности в {child.log}"
            )
        if time.monotonic() - started > timeout:
            child.stop()
            raise PrefectStartError(
                f"сервер Prefect не ответил за {timeout:.0f} с (увеличьте "
                f"SOCZAKAZ_PREFECT_STARTUP_TIMEOUT_SECONDS); подробности в {child.log}"
            )
        time.sleep(0.25)
    return time.monotonic() - started


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def running_up_api() -> str | None:
    """The API of a `roadmap up` running with the same PREFECT_HOME, if it answers."""
    path = prefect_home() / UP_STATE_FILE
    try:
        url = str(json.loads(path.read_text(encoding="utf-8"))["api_url"])
    except (OSError, ValueError, KeyError):
        return None
    return url if healthy(url) else None


def start_api_server(timeout: float) -> tuple[ChildProcess, str, float]:
    """Prefect's API (no UI, no background services) on a free loopback port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_LOGGING_SETTINGS_PATH"}
    env.update(PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1", PREFECT__SERVER_FINAL="1")
    args = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]
    child = ChildProcess(args, env=env, log=prefect_home() / "logs" / "soczakaz-api.log")
    url = f"http://127.0.0.1:{port}/api"
    return child, url, wait_healthy(child, url, timeout)


@contextlib.contextmanager
def prefect_api(
    timeout: float, *, notify: Callable[[str], None] | None = None
) -> Iterator[str | None]:
    """A Prefect API for the duration of one command (see the module docstring).

    Yields the URL used, or None when Prefect was already set up in this process
    (tests with Prefect's harness).
    """
    if prefect_imported():
        from prefect.settings import PREFECT_API_URL

        if PREFECT_API_URL.value():
            yield None
            return
    prepare_environment()
    configured = os.environ.get("PREFECT_API_URL") or running_up_api()
    if configured:
        os.environ["PREFECT_API_URL"] = configured
        yield configured
        return
    if notify:
        first = not (prefect_home() / "prefect.db").exists()
        notify(
            "Запускается локальный сервер Prefect"
            + (" (первый запуск создаёт его базу, до минуты)…" if first else "…")
        )
    child, url, _ = start_api_server(timeout)
    os.environ["PREFECT_API_URL"] = url
    try:
        yield url
    finally:
        drain_prefect_clients()
        os.environ.pop("PREFECT_API_URL", None)
        child.stop()


def drain_prefect_clients(timeout: float = 15.0) -> None:
    """Send Prefect's queued logs and events before its API goes away."""
    if not prefect_imported():
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            service.drain_all(timeout=timeout)


@contextlib.contextmanager
def prefect_api_for(cfg: Settings) -> Iterator[str | None]:
    """:func:`prefect_api` for a CLI command: progress on stderr, a Russian error, exit 1."""
    from cli.common import err_console, fail

    def note(text: str) -> None:
        err_console.print(text, style="dim", highlight=False)

    try:
        with prefect_api(cfg.prefect_startup_timeout_seconds, notify=note) as url:
            yield url
    except PrefectStartError as exc:
        raise fail(str(exc), code=1) from None


def warn_loopback_links(cfg: Settings) -> None:
    """Print the base-URL warning of the settings, if any (stderr, Russian)."""
    from cli.common import err_console

    text = cfg.loopback_link_warning()
    if text:
        err_console.print(f"[yellow]Внимание:[/] {text}", highlight=False, soft_wrap=True)
