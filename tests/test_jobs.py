"""jobs/: the composed scheduled jobs run the same way with and without Prefect."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli.main import app
from domain.calendar.time import as_of_instant, day_start_utc, end_of_day_utc, local_date
from jobs.batching import chunks, total
from models.db import session_scope
from tests.factories import make_municipality, make_step
from tests.sweep_helpers import roadmap_for

runner = CliRunner()


def test_as_of_is_noon_moscow_and_the_same_date_everywhere() -> None:
    at = as_of_instant(dt.date(2025, 12, 31))
    assert at == dt.datetime(2025, 12, 31, 9, tzinfo=dt.UTC)
    for tz in ("Europe/Kaliningrad", "Europe/Moscow", "Asia/Irkutsk", "Asia/Kamchatka"):
        assert local_date(at, tz) == dt.date(2025, 12, 31)
    assert day_start_utc(dt.date(2025, 3, 1), "Asia/Irkutsk") == dt.datetime(
        2025, 2, 28, 16, tzinfo=dt.UTC
    )
    assert end_of_day_utc(dt.date(2025, 3, 1), "Europe/Moscow") == dt.datetime(
        2025, 3, 1, 20, 59, 59, tzinfo=dt.UTC
    )


def test_batches_and_totals() -> None:
    assert chunks([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert total([{"a": 1}, {"a": 2, "b": 1}], batches=2) == {"a": 3, "b": 1, "batches": 2}


def test_cli_sweep_without_prefect_runs_the_same_job(
    engine: Engine, cli_env: dict[str, str]
) -> None:
    with session_scope(engine) as s:
        for code, tz in (("kld", "Europe/Kaliningrad"), ("kam", "Asia/Kamchatka")):
            m = make_municipality(s, code=code, tz=tz)
            make_step(
                s, roadmap=roadmap_for(s, municipality=m), key="q4", due=dt.date(2025, 12, 31)
            )
    res = runner.invoke(
        app, ["sweep", "--as-of", "2025-12-31", "--without-prefect", "--json"], env=cli_env
    )
    assert res.exit_code == 0, res.output
    counts = json.loads(res.stdout)
    assert counts["due"] == 2 and counts["batches"] == 1 and counts["municipalities"] == 2
