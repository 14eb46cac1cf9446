"""``roadmap status`` reads SQLite through the DB-API (cli.status_read) exactly as the ORM.

The fast path is a shortcut: every test here compares it with the ORM path on the
same database (the printed bytes, the rows) or checks that it steps aside when the
database needs ``init_db`` (missing, unstamped, older revision, not SQLite).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

import cli.status_read as status_read
from cli.main import app
from models import Roadmap, Step, StepStatus
from models.db import init_db, make_engine, session_scope
from models.migrate import current_revision, head_revision, upgrade
from tests.factories import make_municipality

runner = CliRunner()
FIELDS = "id roadmap_id key period title kind due_date due_at timezone status depends_on".split()
CASES = [
    ["--as-of", "2025-07-01"],
    ["--as-of", "2025-07-01", "--json"],
    ["--as-of", "2025-03-17", "--year", "2025"],
    ["--as-of", "2026-02-02", "--year", "2026", "--json"],
    ["--as-of", "2026-02-02", "--year", "2031"],
    ["--as-of", "2025-12-30", "--upcoming", "0"],
    ["--as-of", "30.12.2025", "--upcoming", "50"],
]


def _load(cli_env: dict[str, str], engine: Engine) -> None:
    """Two roadmaps in a far zone (recurring steps, dependencies), a few closed steps."""
    with session_scope(engine) as s:
        make_municipality(s, code="irk", tz="Asia/Irkutsk", name="Иркутск [b]«x»[/b]")
    for template, year in (("moc-standard", "2025"), ("test-small", "2026")):
        done = runner.invoke(app, ["load", template, "-m", "irk", "-y", year], env=cli_env)
        assert done.exit_code == 0, done.output
    with session_scope(engine) as s:
        steps = s.exec(select(Step).order_by(col(Step.id))).all()
        for n, step in enumerate(steps[::4]):
            step.status = (StepStatus.done, StepStatus.waived)[n % 2]
            s.add(step)


def _orm_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(status_read, "read_status", lambda url, code, year: None)


@pytest.mark.parametrize("args", CASES)
def test_fast_path_prints_what_the_orm_path_prints(
    cli_env: dict[str, str],
    engine: Engine,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
) -> None:
    _load(cli_env, engine)
    taken: list[bool] = []
    real = status_read.read_status

    def spy(url: str, code: str, year: int | None) -> object:
        found = real(url, code, year)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(status_read, "read_status", spy)
    fast = runner.invoke(app, ["status", "-m", "irk", *args], env=cli_env, terminal_width=120)
    assert fast.exit_code == 0, fast.output
    assert taken == [db_url.startswith("sqlite")]  # PostgreSQL: the ORM path only
    _orm_only(monkeypatch)
    orm = runner.invoke(app, ["status", "-m", "irk", *args], env=cli_env, terminal_width=120)
    assert orm.exit_code == 0, orm.output
    assert fast.stdout == orm.stdout
    assert ("irk" if "--json" in args else "Иркутск") in fast.stdout


def test_unknown_municipality_is_the_same_russian_error(
    cli_env: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(cli_env, engine)
    fast = runner.invoke(app, ["status", "-m", "nowhere"], env=cli_env)
    _orm_only(monkeypatch)
    orm = runner.invoke(app, ["status", "-m", "nowhere"], env=cli_env)
    assert fast.exit_code == orm.exit_code == 2
    assert "муниципалитет «nowhere» не найден" in fast.stderr
    assert fast.stderr == orm.stderr and "Traceback" not in fast.output


@pytest.mark.backends("sqlite")  # the DB-API path reads SQLite only
def test_rows_equal_the_orm_steps_after_random_edits(
    cli_env: dict[str, str], engine: Engine, db_url: str
) -> None:
    _load(cli_env, engine)
    rng = random.Random(19)
    for _ in range(3):
        with session_scope(engine) as s:
            for step in rng.sample(list(s.exec(select(Step)).all()), 12):
                step.status = rng.choice(list(StepStatus))
                step.due_date = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(700))
                step.due_at = dt.datetime(2025, 3, 1, 15, 59, 59, rng.randrange(2), tzinfo=dt.UTC)
                step.depends_on = rng.sample(["npa-moc", "x", "report"], rng.randrange(3))
                s.add(step)
        for year in (None, 2025, 2026):
            read = status_read.read_status(db_url, "irk", year)
            assert read is not None
            place, rows = read
            with session_scope(engine) as s:
                query = select(Step).where(Step.municipality_id == place.id)
                if year is not None:
                    query = query.join(Roadmap, col(Roadmap.id) == Step.roadmap_id).where(
                        Roadmap.year == year
                    )
                steps = s.exec(query.order_by(col(Step.due_date), col(Step.key))).all()
            assert len(steps) > 0
            shown = [tuple(getattr(r, f) for f in FIELDS) for r in rows]
            assert shown == [tuple(getattr(st, f) for f in FIELDS) for st in steps]
            assert all(type(r.status) is StepStatus for r in rows)


def test_fast_path_steps_aside_when_the_database_needs_init(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    url = f"sqlite:///{path}"
    assert status_read.read_status(url, "irk", None) is None  # no file: init_db creates it
    eng = make_engine(url)
    upgrade(eng, "0001_baseline")  # an older release's database
    assert status_read.read_status(url, "irk", None) is None
    init_db(eng)
    with session_scope(eng) as s:
        make_municipality(s, code="irk")
    assert status_read.read_status(url, "irk", None) is not None
    with eng.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    assert status_read.read_status(url, "irk", None) is None
    eng.dispose()


def test_status_upgrades_an_older_database_first(blank_db_url: str) -> None:
    """First use of an older database goes through init_db (upgrade), then prints."""
    eng = make_engine(blank_db_url)
    upgrade(eng, "0001_baseline")
    with eng.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO municipality (code, name, region, timezone, created_at)"
                " VALUES ('old', 'Старое МО', '', 'Asia/Omsk', :at)"
            ),
            {"at": dt.datetime(2024, 1, 1)},
        )
    env = {"SOCZAKAZ_DATABASE_URL": blank_db_url}
    result = runner.invoke(app, ["status", "-m", "old", "--as-of", "2025-07-01"], env=env)
    assert result.exit_code == 0, result.output
    assert "Старое МО" in result.stdout and "шагов: 0" in result.stdout
    assert current_revision(eng) == head_revision()
    eng.dispose()


@pytest.mark.parametrize(
    ("url", "fast"),
    [
        ("sqlite:///{p}", True),
        ("sqlite+pysqlite:///{p}", True),
        ("sqlite:///{p}?mode=ro", False),
        ("sqlite:///{p}%20", False),
        ("sqlite://", False),
        ("sqlite:///:memory:", False),
        ("sqlite:///{p}.missing", False),
        ("postgresql+psycopg://postgres@127.0.0.1/test", False),
    ],
)
def test_only_plain_existing_sqlite_files_take_the_fast_path(
    tmp_path: Path, url: str, fast: bool
) -> None:
    path = tmp_path / "f.db"
    path.write_bytes(b"")
    found = status_read.sqlite_file(url.format(p=path))
    assert (found == str(path)) if fast else found is None


def test_header_time_equals_what_pendulum_printed() -> None:
    """The header's local time (zoneinfo) is what ``pendulum ... format()`` printed."""
    import pendulum

    from domain.calendar.time import zone

    rng = random.Random(7)
    zones = ["Europe/Kaliningrad", "Europe/Moscow", "Asia/Irkutsk", "Asia/Kamchatka", "UTC"]
    for _ in range(500):
        now = dt.datetime(2010, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
            seconds=rng.randrange(6 * 10**8)
        )
        tz = rng.choice(zones)
        old = pendulum.instance(now).in_timezone(tz).format("DD.MM.YYYY HH:mm")
        assert now.astimezone(zone(tz)).strftime("%d.%m.%Y %H:%M") == old


def test_a_file_that_is_no_database_goes_to_the_orm_path(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"not a database, " * 512)
    assert status_read.read_status(f"sqlite:///{path}", "irk", None) is None
