"""``roadmap demo``: a fresh SQLite database with three municipalities in three zones."""

from __future__ import annotations

from pathlib import Path

import pendulum
import typer

from cli import status_cmd
from cli.common import console, handle_errors, settings
from cli.demo_data import DEMO_MUNICIPALITIES, seed_demo
from models.db import init_db, make_engine, session_scope
from models.migrate import stamp_head


def demo(
    db: Path = typer.Option(Path("soczakaz-demo.db"), "--db", help="Файл SQLite для демо (пересоздаётся)"),
    as_of: str | None = typer.Option(None, "--as-of", help="Дата «сегодня» демо ГГГГ-ММ-ДД"),
    out: Path = typer.Option(Path("demo-output"), "--out", help="Папка для отчётов и писем демо"),
) -> None:
    """Демо: база SQLite, три муниципалитета в разных часовых поясах, статус шагов."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    init_db(engine)
    stamp_head(engine)
    now = (
        pendulum.parse(as_of, tz="Europe/Moscow").set(hour=12)  # type: ignore[union-attr]
        if as_of
        else pendulum.now("UTC")
    )
    out.mkdir(parents=True, exist_ok=True)
    cfg = settings().model_copy(update={"database_url": url, "evidence_dir": out / "evidence"})
    with session_scope(engine, immediate=True) as s:
        summary = seed_demo(s, now=now, settings=cfg)
    console.print(f"[bold green]Демо-база создана:[/] {db}")
    for line in summary:
        console.print("  " + line)
    console.print()
    day = pendulum.instance(now).in_timezone("Europe/Moscow").to_date_string()
    with session_scope(engine) as s:
        for code, *_ in DEMO_MUNICIPALITIES:
            m, at, states = status_cmd.load_states(s, code, None, day, 7)
            status_cmd.render(m, at, states, upcoming=3)
            console.print()
    engine.dispose()
    console.print(
        "Дальше: [bold]export SOCZAKAZ_DATABASE_URL=" + url + "[/] и, например, "
        "[bold]roadmap status -m kaliningrad[/]"
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(handle_errors(demo))
