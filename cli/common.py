"""What every command shares: settings, engine, console, JSON output, errors."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from domain.errors import SoczakazError
from models.settings import Settings, SettingsInvalid, get_settings

if TYPE_CHECKING:  # SQLModel and every table load when a command opens the database
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from models import Municipality

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def settings() -> Settings:
    """The settings of this environment (models.settings.get_settings: rebuilt when the
    SOCZAKAZ_* environment differs between invocations)."""
    return get_settings()


def engine(cfg: Settings | None = None) -> Engine:
    from models.db import get_engine

    eng = get_engine((cfg or settings()).database_url)
    return eng


def ensure_schema(eng: Engine) -> None:
    from models.db import init_db

    init_db(eng)


@contextmanager
def transaction(*, immediate: bool = False) -> Iterator[Session]:
    from models.db import init_db, session_scope

    eng = engine()
    init_db(eng)
    with session_scope(eng, immediate=immediate) as s:
        yield s


def fail(message: str, *, code: int = 2) -> typer.Exit:
    # soft_wrap: an error is one line, whatever the terminal width (grep-able, testable).
    # The message may carry user text ('[/bold]' in a name): escaped, never markup.
    err_console.print(f"[bold red]Ошибка:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn user errors into a clear message and exit code 2 (no traceback)."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SettingsInvalid as exc:  # names the variable, never its value
            raise fail(exc.message) from None
        except SoczakazError as exc:
            for line in exc.details:
                err_console.print(line, highlight=False, markup=False, soft_wrap=True)
            raise fail(exc.message) from None

    return wrapper


def get_municipality(s: Session, code: str) -> Municipality:
    """``--municipality CODE`` (domain.lookup, the one lookup module)."""
    from domain import lookup

    return lookup.municipality(s, code, field="--municipality")


def parse_date(value: str, *, field: str) -> dt.date:
    """``DD.MM.YYYY`` or ISO ``YYYY-MM-DD`` (one reader for CLI, API and import)."""
    from domain.inputs import parse_date as read_date

    try:
        return read_date(value, field=field)
    except SoczakazError as exc:
        raise typer.BadParameter(exc.message) from None


def now_utc() -> dt.datetime:
    import pendulum

    return pendulum.now("UTC")


def _default(o: Any) -> Any:
    if isinstance(o, dt.datetime | dt.date):
        return o.isoformat()
    if hasattr(o, "model_dump"):
        return o.model_dump(mode="json")
    raise TypeError(type(o).__name__)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")
