"""Late experts and late revisions: reminders, escalation to the МОЦ head, dedupe."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from domain.review import transitions as review
from models import ExpertAssignment, OutboxMessage, ReviewCase
from models.db import session_scope
from models.review import ReviewState
from models.settings import Settings
from notifications.review_reminders import review_tick
from tests.review_fixtures import ACTOR, NOW, World, drive_to, make_world

S = ReviewState


def msk(day: int, month: int = 11, hour: int = 10) -> dt.datetime:
    return pendulum.datetime(2025, month, day, hour, 0, tz="Europe/Moscow").in_timezone("UTC")


def _setup(engine: Engine) -> tuple[World, int, int]:
    """A case under review where expert 1 answered and expert 2 did not, plus a case
    sent to revision; both at NOW = Mon 17.11.2025 10:00 МСК."""
    with session_scope(engine) as s:
        w = make_world(s)
        late_case = drive_to(s, w, S.UNDER_REVIEW)
        review.record_verdict(
            s,
            case_id=late_case.id or 0,
            expert_id=w.experts[0],
            verdict="positive",
            actor=ACTOR,
            now=NOW,
        )
        revision = drive_to(s, w, S.REVISION)
        a = s.exec(
            select(ExpertAssignment).where(
                ExpertAssignment.case_id == late_case.id, ExpertAssignment.expert_id == w.experts[1]
            )
        ).one()
        return w, a.id or 0, revision.id or 0


def _rows(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_expert_deadline_is_working_days_at_local_end_of_day(engine: Engine) -> None:
    _w, aid, revision_id = _setup(engine)
    with session_scope(engine) as s:
        a = s.get(ExpertAssignment, aid)
        assert a is not None
        # 5 working days after Mon 17.11.2025 -> Mon 24.11.2025, 23:59:59 МСК.
        assert a.due_at == pendulum.datetime(2025, 11, 24, 23, 59, 59, tz="Europe/Moscow")
        case = s.get(ReviewCase, revision_id)
        assert case is not None and case.revision_due_at is not None
        # 10 working days -> Mon 01.12.2025.
        assert case.revision_due_at == pendulum.datetime(
            2025, 12, 1, 23, 59, 59, tz="Europe/Moscow"
        )


def test_tick_reminds_then_escalates_once(engine: Engine, settings: Settings) -> None:
    w, aid, revision_id = _setup(engine)

    def tick(at: dt.datetime) -> dict[str, int]:
        with session_scope(engine) as s:
            return review_tick(
                s, municipality_ids=[w.municipality.id or 0], now=at, settings=settings
            )

    zero = {
        "late_experts": 0,
        "late_revisions": 0,
        "escalated": 0,
        "reminders": 0,
        "escalations": 0,
    }
    assert tick(msk(24, hour=20)) == zero  # the deadline day itself is not late
    first = tick(msk(25, hour=7))
    assert first == {**zero, "late_experts": 1, "reminders": 1}
    rows = _rows(engine)
    assert len(rows) == 1
    r = rows[0]
    assert r.dedupe_key == f"review:{aid}:late:2025-11-24"
    assert r.target == "json://127.0.0.1:9/e2" and r.channel == "webhook"
    assert r.rule == "review:late"
    assert "Просрочено экспертное заключение" in r.subject and "24 ноября 2025" in r.subject
    assert "Здравствуйте, Эксперт 2!" in r.body_text
    # 07:00 МСК is before working hours: the reminder waits until 09:00 МСК.
    assert r.not_before == pendulum.datetime(2025, 11, 25, 9, 0, tz="Europe/Moscow")

    assert tick(msk(25, hour=11))["reminders"] == 0  # dedupe: same lateness, no new row
    second = tick(msk(26))
    assert second["escalations"] == 1 and second["reminders"] == 0
    esc = _rows(engine)[-1]
    assert esc.person_id == w.head.id and esc.rule == "review:escalate"
    assert esc.dedupe_key == f"review:{aid}:escalate:2025-11-24:p{w.head.id}"
    assert "Эксперт Эксперт 2 не представил заключение" in esc.body_text
    assert "просрочка 2 рабочих дня" in esc.body_text
    assert tick(msk(27))["escalations"] == 0

    # The revision due Mon 01.12 is late on 02.12; the organisation contact is reminded.
    dec = tick(msk(2, month=12))
    assert dec["late_revisions"] == 1
    rev = [m for m in _rows(engine) if m.dedupe_key.startswith("review-revision:")]
    assert [m.dedupe_key for m in rev] == [f"review-revision:{revision_id}:r1:late:2025-12-01"]
    assert rev[0].target == "json://127.0.0.1:9/ddt"
    assert "Срок доработки программы" in rev[0].body_text


def test_answered_experts_are_not_reminded(engine: Engine, settings: Settings) -> None:
    w, aid, _ = _setup(engine)
    with session_scope(engine) as s:
        a = s.get(ExpertAssignment, aid)
        assert a is not None
        review.record_verdict(
            s,
            case_id=a.case_id,
            expert_id=w.experts[1],
            verdict="positive",
            actor=ACTOR,
            now=msk(24),
        )
    with session_scope(engine) as s:
        counts = review_tick(
            s, municipality_ids=[w.municipality.id or 0], now=msk(26), settings=settings
        )
    assert counts["late_experts"] == 0 and counts["reminders"] == 0
    assert all(not m.dedupe_key.startswith("review:") for m in _rows(engine))


@pytest.mark.slow
def test_review_tick_flow_under_prefect(
    engine: Engine, settings: Settings, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.review_tick import review_tick as review_tick_flow

    monkeypatch.setenv("SOCZAKAZ_DATABASE_URL", settings.database_url)
    w, aid, _ = _setup(engine)
    first = review_tick_flow(now=msk(26))
    assert first["late_experts"] == 1
    assert first["reminders"] == 1 and first["escalations"] == 1
    keys = sorted(m.dedupe_key for m in _rows(engine))
    assert keys == sorted(
        [f"review:{aid}:late:2025-11-24", f"review:{aid}:escalate:2025-11-24:p{w.head.id}"]
    )
    second = review_tick_flow(now=msk(26, hour=15))
    assert second["late_experts"] == 1 and second["escalated"] == 1
    assert second["reminders"] == 0 and second["escalations"] == 0
    assert len(_rows(engine)) == 2
