"""``roadmap up [--demo]``: the Prefect server, every scheduled deployment and the
dashboard in one command; Ctrl-C (SIGINT) or SIGTERM stops all of it.

Children run in their own process groups and die with this process (even on
SIGKILL); Prefect's output goes to files under ``$PREFECT_HOME/logs``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from types import FrameType

import httpx
import typer

from cli.child_process import ChildProcess
from cli.common import console, err_console, fail, handle_errors, settings
from cli.prefect_runtime import (
    UP_STATE_FILE,
    PrefectStartError,
    healthy,
    prefect_home,
    prepare_environment,
    wait_healthy,
    warn_loopback_links,
)
from cli.up_serve import DeploymentSpec, flow_name, read_specs
from models.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def sign_in_link(cfg: Settings, base_url: str) -> str | None:
    """A one-time sign-in link (valid an hour) for the demo МОЦ head, opening the page
    of their municipality; None when the database has no МОЦ head. The head of a
    municipality with a НОК campaign comes first, so the demo shows every capability
    (as ``roadmap demo`` does)."""
    from sqlmodel import col, select

    from cli.common import transaction
    from models import Municipality, Person, ReviewCampaign, Role
    from web.auth_links import login_link

    has_nok = (
        select(col(ReviewCampaign.id))
        .where(col(ReviewCampaign.municipality_id) == col(Municipality.id))
        .exists()
    )
    with transaction() as s:
        row = s.exec(
            select(Person, Municipality)
            .join(Municipality, col(Municipality.id) == Person.municipality_id)
            .where(Person.role == Role.moc_head, col(Person.disabled_at).is_(None))
            .order_by(has_nok.desc(), col(Person.id))
        ).first()
        if row is None or row[0].id is None:
            return None
        head, m = row
        assert head.id is not None
        return login_link(s, head.id, f"/m/{m.code}", base_url=base_url, minutes=60)


def absolute_sqlite_url(url: str) -> None:
    """A relative SQLite file is made absolute (against the current folder) before the
    children start, so every process of `roadmap up` uses the same file."""
    prefix = "sqlite:///"
    rest = url[len(prefix) :]
    if url.startswith(prefix) and not rest.startswith("/") and not rest.startswith(":memory:"):
        os.environ["SOCZAKAZ_DATABASE_URL"] = prefix + str(Path(rest).resolve())


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _fill_demo(stack: contextlib.ExitStack) -> None:
    """`roadmap demo` into ./soczakaz-demo.db and ./demo-output; this process (and so
    every child) then uses that database, and a local inbox receives its reminders."""
    from cli import demo_cmd
    from cli.demo_sink import http_inbox

    db, out = Path("soczakaz-demo.db").resolve(), Path("demo-output").resolve()
    width = console.width
    console.width = 1000  # one line per summary line, whatever the terminal
    try:
        with console.capture() as captured:
            demo_cmd.demo(db=db, as_of=None, out=out)
    finally:
        console.width = width
    summary = captured.get().split("\n\n", 1)[0]
    for line in summary.splitlines():
        console.print(line.rstrip(), highlight=False, soft_wrap=True, markup=False)
    sink = stack.enter_context(http_inbox(out / "inbox.jsonl"))
    os.environ.update(
        SOCZAKAZ_DATABASE_URL=f"sqlite:///{db}",
        SOCZAKAZ_EVIDENCE_DIR=str(out / "evidence"),
        SOCZAKAZ_AUDIT_SIGNING_KEY=str(out / "audit-signing.key"),
        SOCZAKAZ_CHANNELS=json.dumps({"demo": sink}),
    )


def _wait_deployments(api: str, specs: list[DeploymentSpec], served: ChildProcess) -> None:
    names = {f"{flow_name(s)}/{s.name}" for s in specs}
    deadline = time.monotonic() + 180
    while True:
        if not served.alive():
            raise PrefectStartError(f"развёртывания не запустились; подробности в {served.log}")
        with contextlib.suppress(httpx.HTTPError, ValueError):
            flows = httpx.post(f"{api}/flows/filter", json={}, timeout=5).json()
            by_id = {f["id"]: f["name"] for f in flows}
            deps = httpx.post(f"{api}/deployments/filter", json={}, timeout=5).json()
            if names <= {f"{by_id.get(d['flow_id'])}/{d['name']}" for d in deps}:
                return
        if time.monotonic() > deadline:
            raise PrefectStartError(f"развёртывания не появились за 180 с; см. {served.log}")
        time.sleep(1)


def up(
    demo: bool = typer.Option(False, "--demo", help="сначала заполнить демо-данные"),
    host: str = typer.Option("127.0.0.1", help="адрес панели"),
    port: int = typer.Option(8000, help="порт панели"),
    prefect_port: int = typer.Option(4200, "--prefect-port", help="порт сервера Prefect"),
    prefect_file: Path = typer.Option(REPO / "prefect.yaml", "--prefect-file", help="prefect.yaml"),
) -> None:
    """Запустить всё: сервер Prefect, расписания из prefect.yaml и веб-панель (Ctrl-C — стоп)."""
    from models.db import get_engine, init_db
    from web.server import dashboard_url, start_in_thread

    if not prefect_file.is_file():
        raise fail(f"файл развёртываний не найден: {prefect_file} (укажите --prefect-file)")
    specs = read_specs(prefect_file)
    configured_api = os.environ.get("PREFECT_API_URL")
    for p in (port, *(() if configured_api else (prefect_port,))):
        if not _port_free(host if p == port else "127.0.0.1", p):
            raise fail(f"порт {p} занят (другая программа или уже запущенный roadmap up)")
    log_file = prepare_environment()
    logs = log_file.parent
    stop = threading.Event()
    children: list[ChildProcess] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    with contextlib.ExitStack() as stack:
        if demo:
            _fill_demo(stack)
        os.environ.setdefault("SOCZAKAZ_BASE_URL", f"http://{host}:{port}")
        absolute_sqlite_url(settings().database_url)
        cfg = settings()
        init_db(get_engine(cfg.database_url))
        warn_loopback_links(cfg)
        old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        stack.callback(lambda: [signal.signal(s, h) for s, h in old.items()])
        try:
            if configured_api:
                api, ui = (
                    configured_api.rstrip("/"),
                    configured_api.rstrip("/").removesuffix("/api"),
                )
                if not healthy(api):
                    raise PrefectStartError(f"сервер Prefect {api} (PREFECT_API_URL) не отвечает")
            else:
                api, ui = f"http://127.0.0.1:{prefect_port}/api", f"http://127.0.0.1:{prefect_port}"
                console.print("Запускается сервер Prefect…", style="dim")
                server = ChildProcess(
                    [
                        sys.executable,
                        "-m",
                        "prefect",
                        "server",
                        "start",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(prefect_port),
                    ],
                    env={
                        k: v for k, v in os.environ.items() if k != "PREFECT_LOGGING_SETTINGS_PATH"
                    },
                    log=logs / "server.log",
                )
                stack.callback(server.stop)
                children.append(server)
                wait_healthy(server, api, cfg.prefect_startup_timeout_seconds)
            state = prefect_home() / UP_STATE_FILE
            state.write_text(json.dumps({"api_url": api, "pid": os.getpid()}), encoding="utf-8")
            stack.callback(lambda: state.unlink(missing_ok=True))
            served = ChildProcess(
                [sys.executable, "-m", "cli.up_serve", str(prefect_file)],
                env={k: v for k, v in os.environ.items() if k != "PREFECT_LOGGING_SETTINGS_PATH"}
                | {"PREFECT_API_URL": api},
                log=logs / "serve.log",
                cwd=Path.cwd(),
            )
            stack.callback(served.stop)
            children.append(served)
            _wait_deployments(api, specs, served)
        except PrefectStartError as exc:
            raise fail(str(exc), code=1) from None
        web = start_in_thread(cfg, host=host, port=port, settle=True)
        stack.callback(web.stop)
        board = dashboard_url(f"http://{host}:{port}")
        console.print("[bold green]soczakaz запущен[/] (Ctrl-C — остановить всё)", highlight=False)
        console.print(f"  Панель:      {board}", highlight=False)
        # The link points where this dashboard listens unless a public base URL is set.
        public = cfg.base_url if "SOCZAKAZ_BASE_URL" in os.environ else board
        link = sign_in_link(cfg, public) if demo else None
        if link:
            console.print(
                f"  Вход руководителя МОЦ (ссылка на 1 час): {link}",
                highlight=False,
                soft_wrap=True,
            )
        console.print(f"  Prefect UI:  {ui}/", highlight=False)
        console.print(f"  Расписания ({len(specs)}), без отдельного воркера:", highlight=False)
        for s in specs:
            console.print(f"    {flow_name(s)}/{s.name}: {s.schedule_ru()}", highlight=False)
        console.print(f"  Журналы Prefect: {logs}", highlight=False)
        while not stop.wait(1.0):
            dead = [c for c in children if not c.alive()]
            if dead:
                err_console.print(
                    f"[bold red]Ошибка:[/] процесс завершился сам; см. {dead[0].log}",
                    highlight=False,
                )
                raise typer.Exit(1)
        console.print("Останавливается…", style="dim")
    console.print("Остановлено: панель, расписания и сервер Prefect.")


def register(app: typer.Typer) -> None:
    app.command("up")(handle_errors(up))
