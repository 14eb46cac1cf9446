"""Re-planning: shift a deadline, knock-on keeps working-day offsets, dry-run writes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from cli.main import app
from domain import lookup
from domain.errors import InputError, TransitionError
from domain.roadmap.replan import apply_shift, plan_shift
from models import AuditEntry, Municipality, Recurrence, Step, StepStatus
from models.db import session_scope
from tests.factories import make_municipality, make_step
from tests.sweep_helpers import roadmap_for

D = dt.date
runner = CliRunner()


def find_step(s: Session, *, municipality_id: int, year: int, ref: str) -> Step:
    """The step ``ref`` (KEY or KEY@PERIOD) through the one lookup module."""
    m = s.get(Municipality, municipality_id)
    assert m is not None
    return lookup.step(s, municipality=m, ref=ref, year=year)


def _chain(engine: Engine) -> int:
    """npa (14 Mar) -> poloz (+5 wd) -> certs (+10 wd); done-step after poloz; a quarter pair."""
    with session_scope(engine) as s:
        m = make_municipality(s, code="krylovsky", tz="Asia/Irkutsk")
        r = roadmap_for(s, municipality=m, year=2025)
        make_step(s, roadmap=r, key="npa", due=D(2025, 3, 14))
        make_step(
            s,
            roadmap=r,
            key="poloz",
            due=D(2025, 3, 21),
            due_rule={"after": "npa", "working_days": 5},
        )
        make_step(
            s,
            roadmap=r,
            key="certs",
            due=D(2025, 4, 4),
            due_rule={"after": "poloz", "working_days": 10},
        )
        make_step(
            s,
            roadmap=r,
            key="closed",
            due=D(2025, 3, 24),
            status=StepStatus.done,
            due_rule={"after": "poloz", "working_days": 1},
        )
        make_step(
            s,
            roadmap=r,
            key="other",
            due=D(2025, 3, 24),
            due_rule={"after": "certs-x", "working_days": 1},
        )
        for label, due in (("2025-Q1", D(2025, 4, 7)), ("2025-Q2", D(2025, 7, 7))):
            make_step(
                s,
                roadmap=r,
                key="ind",
                period=label,
                recurrence=Recurrence.quarterly,
                due=due,
                due_rule={"period_end": True, "working_days": 5},
            )
            make_step(
                s,
                roadmap=r,
                key="rep",
                period=label,
                recurrence=Recurrence.quarterly,
                due=due + dt.timedelta(days=2),
                due_rule={"after": "ind", "working_days": 2},
            )
        assert m.id is not None
        return m.id


def _dates(engine: Engine) -> dict[str, dt.date]:
    with Session(engine) as s:
        return {
            f"{r.key}@{r.period}" if r.period else r.key: r.due_date
            for r in s.exec(select(Step)).all()
        }


def test_knock_on_keeps_working_day_offsets_across_may_holidays(engine: Engine) -> None:
    mid = _chain(engine)
    with Session(engine) as s:
        plan = plan_shift(
            s, step=find_step(s, municipality_id=mid, year=2025, ref="npa"), to=D(2025, 4, 28)
        )
    got = [(c.label, c.old_date, c.new_date) for c in plan.changes]
    # 28 Apr + 5 working days (1-4 May off): 29, 30 Apr, 5, 6, 7 May; then +10 (8-11 off).
    assert got == [
        ("npa", D(2025, 3, 14), D(2025, 4, 28)),
        ("poloz", D(2025, 3, 21), D(2025, 5, 7)),
        ("certs", D(2025, 4, 4), D(2025, 5, 23)),
    ]
    assert [(c.label, c.new_date) for c in plan.kept] == [("closed", D(2025, 5, 12))]


def test_day_off_target_moves_to_next_working_day_and_period_pairs(engine: Engine) -> None:
    mid = _chain(engine)
    with Session(engine) as s:
        plan = plan_shift(
            s,
            step=find_step(s, municipality_id=mid, year=2025, ref="ind@2025-Q2"),
            to=D(2025, 7, 12),
        )  # Saturday
    assert [(c.label, c.new_date) for c in plan.changes] == [
        ("ind@2025-Q2", D(2025, 7, 14)),
        ("rep@2025-Q2", D(2025, 7, 16)),
    ]
    assert "запрошено 2025-07-12" in plan.changes[0].reason


def test_dry_run_writes_nothing_and_real_run_writes_with_audit(engine: Engine) -> None:
    mid = _chain(engine)
    before = _dates(engine)
    with session_scope(engine) as s:
        plan_shift(
            s, step=find_step(s, municipality_id=mid, year=2025, ref="npa"), to=D(2025, 4, 28)
        )
    assert _dates(engine) == before
    now = dt.datetime(2025, 3, 10, 3, tzinfo=dt.UTC)
    with session_scope(engine) as s:
        plan = plan_shift(
            s, step=find_step(s, municipality_id=mid, year=2025, ref="npa"), to=D(2025, 4, 28)
        )
        moved = apply_shift(s, plan=plan, actor="Иванова А.П.", now=now)
    assert len(moved) == 3
    after = _dates(engine)
    assert (after["npa"], after["poloz"], after["certs"]) == (
        D(2025, 4, 28),
        D(2025, 5, 7),
        D(2025, 5, 23),
    )
    assert after["closed"] == before["closed"] and after["ind@2025-Q1"] == before["ind@2025-Q1"]
    with Session(engine) as s:
        step = s.exec(select(Step).where(Step.key == "poloz")).one()
        assert step.due_at == dt.datetime(2025, 5, 7, 15, 59, 59, tzinfo=dt.UTC)
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "deadline.shift")).one()
    payload = json.loads(entry.payload)
    assert entry.actor == "Иванова А.П." and payload["to"] == "2025-04-28"
    assert [k["step"] for k in payload["knock_on"]] == ["poloz", "certs"]


def test_closed_or_ambiguous_steps_are_refused(engine: Engine) -> None:
    mid = _chain(engine)
    with Session(engine) as s:
        with pytest.raises(TransitionError, match="закрыт"):
            plan_shift(
                s, step=find_step(s, municipality_id=mid, year=2025, ref="closed"), to=D(2025, 4, 1)
            )
        with pytest.raises(InputError, match="ind@2025-Q1"):
            find_step(s, municipality_id=mid, year=2025, ref="ind")


def test_cli_shift_dry_run_then_real(engine: Engine, cli_env: dict[str, str]) -> None:
    _chain(engine)
    before = _dates(engine)
    args = ["shift", "npa", "--municipality", "krylovsky", "--year", "2025", "--to", "2025-04-28"]
    dry = runner.invoke(app, [*args, "--dry-run"], env=cli_env)
    assert dry.exit_code == 0, dry.output
    assert "пробный запуск" in dry.output and "07.05.2025" in dry.output
    assert _dates(engine) == before
    as_json = runner.invoke(app, [*args, "--dry-run", "--json"], env=cli_env)
    data = json.loads(as_json.stdout)
    assert [c["label"] for c in data["changes"]] == ["npa", "poloz", "certs"]
    real = runner.invoke(app, args, env=cli_env)
    assert real.exit_code == 0, real.output
    assert _dates(engine)["certs"] == D(2025, 5, 23)
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(AuditEntry)).one() == 1
    bad = runner.invoke(
        app,
        ["shift", "nope", "-m", "krylovsky", "--year", "2025", "--to", "2025-04-28"],
        env=cli_env,
    )
    assert bad.exit_code == 2 and "не найден" in bad.output
    bad_date = runner.invoke(app, [*args[:-1], "31.04.2025"], env=cli_env)
    assert bad_date.exit_code == 2 and "ГГГГ-ММ-ДД" in bad_date.output
