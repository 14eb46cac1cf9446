"""Run the dashboard with uvicorn: in the foreground (CLI) or in a thread (demo, tests)."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn

from models.settings import Settings
from web.app import create_app
from web.gc_tuning import settle_heap


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class RunningServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_in_thread(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = 15.0,
    clock: Callable[[], dt.datetime] | None = None,
    settle: bool = False,
) -> RunningServer:
    """Start the dashboard in a background thread; returns its base URL and a stop().
    ``settle``: this process serves until it exits (web/gc_tuning.py)."""
    port = port or free_port(host)
    app = create_app(settings, clock=clock)
    if settle:
        settle_heap()
    config = uvicorn.Config(app, host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="soczakaz-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"веб-сервер не запустился на {host}:{port}")
        time.sleep(0.05)
    return RunningServer(f"http://{host}:{port}", server, thread)


def dashboard_url(base_url: str) -> str:
    """The overview URL (sign-in goes through a one-time link, never a URL token)."""
    return f"{base_url.rstrip('/')}/"


def serve_forever(settings: Settings, *, host: str, port: int, workers: int = 1) -> None:
    if workers > 1:
        uvicorn.run("web.asgi:app", host=host, port=port, workers=workers, log_level="info")
    else:
        app = create_app(settings)
        settle_heap()  # each worker of web.asgi does the same
        uvicorn.run(app, host=host, port=port, log_level="info")
