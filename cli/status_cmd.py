"""``roadmap status``: what is overdue, due and next, in the municipality's zone."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import typer
from rich.markup import escape
from rich.table import Table

from cli.common import console, handle_errors, parse_date, print_json
from domain.calendar.time import as_of_instant, zone
from domain.roadmap.status_view import StepFacts, StepState, states_at
from domain.vocabulary import KIND_RU, STATUS_COUNT_RU, STATUS_RU, STATUS_STYLE
from models.enums import StepStatus

if TYPE_CHECKING:  # the ORM path (PostgreSQL, first use, the demo) imports them itself
    from sqlmodel import Session

    from models import Municipality, Step

ORDER = ["overdue", "due", "due_soon", "blocked", "planned", "done", "waived"]


class Place(Protocol):
    """A municipality as shown: ``models.Municipality`` or ``cli.status_read.Place``."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def timezone(self) -> str: ...


class ShownStep(StepFacts, Protocol):
    """A step as shown: ``models.Step`` or ``cli.status_read.StepRow``."""

    @property
    def id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def due_at(self) -> dt.datetime: ...


def moment(as_of: str | None, tz: str) -> dt.datetime:
    """The as-of instant of ``--as-of`` (12:00 Moscow, domain.calendar.time), or now."""
    if as_of is None:
        import pendulum  # only for the clock (the --as-of path needs none)

        return pendulum.now("UTC")
    return as_of_instant(parse_date(as_of, field="--as-of"))


def load_states(
    s: Session, code: str, year: int | None, as_of: str | None, window: int
) -> tuple[Municipality, dt.datetime, list[StepState[Step]]]:
    """Through the ORM (any database; also what ``roadmap demo`` prints)."""
    from sqlmodel import col, select

    from cli.common import get_municipality
    from models import Roadmap, Step

    m = get_municipality(s, code)
    query = select(Step).where(Step.municipality_id == m.id)
    if year is not None:
        query = query.join(Roadmap, col(Roadmap.id) == Step.roadmap_id).where(Roadmap.year == year)
    steps = s.exec(query.order_by(col(Step.due_date), col(Step.key))).all()
    now = moment(as_of, m.timezone)
    return m, now, states_at(steps, now=now, window_working_days=window)


def read_states(
    code: str, year: int | None, as_of: str | None, window: int
) -> tuple[Place, dt.datetime, Sequence[StepState[ShownStep]]]:
    """Plain SQLite rows when possible (cli.status_read), else the ORM in one transaction."""
    from cli.common import settings, transaction
    from cli.status_read import read_status

    read = read_status(settings().database_url, code, year)
    if read is None:
        with transaction() as s:
            return load_states(s, code, year, as_of, window)
    m, steps = read
    now = moment(as_of, m.timezone)
    return m, now, states_at(steps, now=now, window_working_days=window)


def _row(state: StepState[ShownStep]) -> list[str]:
    st = state.step
    style = STATUS_STYLE.get(state.status, "")
    label = STATUS_RU[state.status]
    if state.blocked_by:
        label += " (ждёт: " + escape(", ".join(state.blocked_by)) + ")"
    # User text (keys, titles from templates) is escaped: '[bold]' is printed, not markup.
    return [
        escape(st.key + (f" [{st.period}]" if st.period else "")),
        escape(st.title),
        escape(KIND_RU.get(st.kind, st.kind)),
        st.due_date.strftime("%d.%m.%Y"),
        f"[{style}]{label}[/]" if style else label,
    ]


def _table(title: str, states: Sequence[StepState[ShownStep]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for name in ("Шаг", "Название", "Вид", "Срок", "Статус"):
        table.add_column(name, overflow="fold")
    for state in states:
        table.add_row(*_row(state))
    return table


def render(
    m: Place, now: dt.datetime, states: Sequence[StepState[ShownStep]], *, upcoming: int
) -> None:
    local = now.astimezone(zone(m.timezone))
    counts = Counter(s.status.value for s in states)
    # The name is user text: '[bold]' in it is printed as is, never interpreted (issue 19).
    console.print(
        f"[bold]{escape(m.name)}[/] ({escape(m.code)}, {escape(m.timezone)}) —"
        f" на {local.strftime('%d.%m.%Y %H:%M')} местного времени; шагов: {len(states)}"
    )
    console.print("  ".join(f"{STATUS_COUNT_RU[StepStatus(k)]}: {counts.get(k, 0)}" for k in ORDER))
    overdue = [s for s in states if s.status == StepStatus.overdue]
    soon = [s for s in states if s.status in (StepStatus.due, StepStatus.due_soon)]
    blocked = [s for s in states if s.status == StepStatus.blocked]
    later = [s for s in states if s.status == StepStatus.planned][:upcoming]
    for title, group in (
        ("Просрочено", overdue),
        ("Срок сегодня и скоро", soon),
        ("Заблокировано", blocked),
        ("Далее по плану", later),
    ):
        if group:
            console.print(_table(f"{title} ({len(group)})", group))


def status(
    municipality: str = typer.Option(..., "--municipality", "-m", help="Код муниципалитета"),
    year: int | None = typer.Option(None, "--year", help="Год дорожной карты"),
    as_of: str | None = typer.Option(
        None, "--as-of", help="На дату ГГГГ-ММ-ДД (по умолчанию — сейчас)"
    ),
    upcoming: int = typer.Option(5, "--upcoming", min=0, help="Сколько плановых шагов показать"),
    as_json: bool = typer.Option(False, "--json", help="Вывести JSON"),
) -> None:
    """Статус шагов муниципалитета: просроченные, ближайшие, заблокированные."""
    from cli.common import settings

    window = settings().due_soon_working_days
    m, now, states = read_states(municipality, year, as_of, window)
    if as_json:
        print_json(
            {
                "municipality": m.code,
                "timezone": m.timezone,
                "as_of": now,
                "counts": dict(Counter(s.status.value for s in states)),
                "steps": [
                    {
                        "id": s.step.id,
                        "key": s.step.key,
                        "period": s.step.period,
                        "title": s.step.title,
                        "kind": s.step.kind,
                        "due_date": s.step.due_date,
                        "due_at": s.step.due_at,
                        "status": s.status.value,
                        "blocked_by": s.blocked_by,
                    }
                    for s in states
                ],
            }
        )
        return
    render(m, now, states, upcoming=upcoming)


def register(app: typer.Typer) -> None:
    app.command("status")(handle_errors(status))
