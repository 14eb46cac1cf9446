"""Top-level commands: init, validate, load, status."""

from __future__ import annotations

import typer

from cli.common import console, engine, handle_errors, settings
from models.db import init_db
from models.migrate import stamp_head


def init() -> None:
    """Создать схему базы данных (повторный запуск ничего не меняет)."""
    cfg = settings()
    eng = engine(cfg)
    init_db(eng)
    stamp_head(eng)
    console.print(f"База данных готова: [bold]{eng.url.render_as_string()}[/]")


def register(app: typer.Typer) -> None:
    app.command("init")(handle_errors(init))
