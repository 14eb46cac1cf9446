"""enqueue_due_reminders on both databases, with explicit (frozen) instants."""

from __future__ import annotations

import datetime as dt

import pendulum
from sqlalchemy.engine import Engine
from sqlmodel import select

from models import OutboxMessage, Roadmap, Role, StepStatus
from models.db import session_scope
from models.settings import Settings
from notifications.reminders import enqueue_due_reminders
from tests.factories import (
    make_municipality,
    make_organisation,
    make_person,
    make_roadmap,
    make_step,
)

D = dt.date


def _rows(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as s:
        q = select(OutboxMessage).order_by(OutboxMessage.__table__.c.id)  # type: ignore[attr-defined]
        return [m for (m,) in s.execute(q)]


def _sweep(engine: Engine, settings: Settings, ids: list[int], now: dt.datetime) -> int:
    with session_scope(engine) as s:
        return enqueue_due_reminders(s, municipality_ids=ids, now=now, settings=settings)


def test_owner_reminder_once_per_rule_in_recipient_zone(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, tz="Europe/Moscow", name="Крыловский район")
        org = make_organisation(s, municipality=m, code="ddt")
        contact = make_person(
            s,
            municipality=m,
            organisation=org,
            role=Role.org_contact,
            full_name="Петров Пётр",
            notify=["json://127.0.0.1:9/hook", "console://"],
            timezone="Asia/Kamchatka",
        )
        make_person(s, municipality=m, role=Role.moc_head, notify=["console://"])
        r = make_roadmap(s, municipality=m)
        step = make_step(
            s,
            roadmap=r,
            key="report",
            title="Отчёт о реализации социального заказа",
            due=D(2025, 3, 14),
            owner_role="org_contact",
            organisation_id=org.id,
            evidence_required=["act_number", "file"],
        )
        make_step(s, roadmap=r, key="done", due=D(2025, 3, 14), status=StepStatus.done)
        ids = [m.id or 0]
    # Thursday 13 March, 17:30 Moscow = Friday 02:30 Kamchatka: before:1 fires (Moscow date).
    now = pendulum.datetime(2025, 3, 13, 17, 30, tz="Europe/Moscow")
    assert _sweep(engine, settings, ids, now) == 2
    assert _sweep(engine, settings, ids, now) == 0
    assert _sweep(engine, settings, ids, now.add(hours=2)) == 0  # same day, same keys
    rows = _rows(engine)
    assert {r.rule for r in rows} == {"before:1"}
    assert {r.person_id for r in rows} == {contact.id}
    assert {r.channel for r in rows} == {"webhook", "console"}
    assert all(r.step_id == step.id for r in rows)
    # Kamchatka working hours start at 09:00 local on Friday = Thursday 21:00 UTC.
    assert {r.not_before for r in rows} == {pendulum.datetime(2025, 3, 13, 21, 0, tz="UTC")}
    assert rows[0].subject == (
        "Напоминание: «Отчёт о реализации социального заказа» — до 14 марта 2025 г."
    )
    assert "Здравствуйте, Петров Пётр!" in rows[0].body_text
    assert "Ответственный: МБУДО DDT" in rows[0].body_text
    assert "Что нужно приложить: номер акта, файл." in rows[0].body_text
    # The step link is signed for its recipient (web/step_links.py opens /steps/ID).
    assert f"{settings.base_url}/auth/step/" in rows[0].body_short
    assert rows[0].dedupe_key.startswith(f"r:{step.id}::before:1:{contact.id}:")
    assert rows[0].dedupe_key.endswith(":2025-03-14")


def test_escalations_reach_moc_head_and_regional_rmc(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, tz="Asia/Irkutsk")
        org = make_organisation(s, municipality=m)
        make_person(
            s, municipality=m, organisation=org, role=Role.org_contact, notify=["console://org"]
        )
        head = make_person(s, municipality=m, role=Role.moc_head, notify=["console://head"])
        rmc = make_person(
            s, municipality=None, role=Role.rmc, full_name="РМЦ Кубани", notify=["console://rmc"]
        )
        r = make_roadmap(s, municipality=m)
        make_step(
            s,
            roadmap=r,
            key="npa",
            due=D(2025, 3, 14),
            owner_role="org_contact",
            organisation_id=org.id,
            status=StepStatus.overdue,
        )
        ids = [m.id or 0]
    # 3 working days after 14 March = 19 March: after:3 to the owner + escalation to МОЦ head.
    assert _sweep(engine, settings, ids, pendulum.datetime(2025, 3, 19, 12, tz="Asia/Irkutsk")) == 2
    rows = _rows(engine)
    by_rule = {r.rule: r for r in rows}
    assert set(by_rule) == {"after:3", "escalate:moc_head"}
    esc = by_rule["escalate:moc_head"]
    assert esc.person_id == head.id
    assert esc.subject.startswith("Эскалация: просрочен шаг «Шаг npa»")
    assert "просрочка 3 рабочих дня; срок был установлен до 14 марта 2025 г." in esc.body_text
    # 10 working days after -> 28 March: РМЦ (regional person without municipality).
    assert _sweep(engine, settings, ids, pendulum.datetime(2025, 3, 28, 12, tz="Asia/Irkutsk")) == 1
    last = _rows(engine)[-1]
    assert (last.rule, last.person_id) == ("escalate:rmc", rmc.id)
    assert "Вы получили это письмо как контактное лицо РМЦ" in last.body_text
    # Nothing on a non-working day.
    assert _sweep(engine, settings, ids, pendulum.datetime(2025, 3, 22, 12, tz="Asia/Irkutsk")) == 0


def test_policy_from_roadmap_parameters(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s)
        make_person(s, municipality=m, role=Role.moc_head, notify=["console://"])
        r = make_roadmap(s, municipality=m)
        r.parameters = {
            "reminder_policies": {
                "strict": {"before": [2], "on_day": False, "after": [], "escalate_after": {}}
            }
        }
        s.add(r)
        make_step(s, roadmap=r, key="a", due=D(2025, 3, 14), reminder_policy="strict")
        make_step(s, roadmap=r, key="b", due=D(2025, 3, 14))  # default policy: no before:2
        ids = [m.id or 0]
    now = pendulum.datetime(2025, 3, 12, 10, tz="Europe/Moscow")
    assert _sweep(engine, settings, ids, now) == 1
    (row,) = _rows(engine)
    assert row.rule == "before:2" and "«Шаг a»" in row.subject
    # on_day is off for "strict": only "b" gets a message on 14 March.
    assert (
        _sweep(engine, settings, ids, pendulum.datetime(2025, 3, 14, 10, tz="Europe/Moscow")) == 1
    )
    assert "«Шаг b»" in _rows(engine)[-1].subject


def test_digest_person_gets_one_message_per_day(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s)
        head = make_person(
            s, municipality=m, role=Role.moc_head, notify=["console://"], digest=True
        )
        r = make_roadmap(s, municipality=m)
        make_step(s, roadmap=r, key="a", title="Приказ о МОЦ", due=D(2025, 3, 14))
        make_step(
            s,
            roadmap=r,
            key="b",
            title="Отчёт в РМЦ",
            due=D(2025, 3, 10),
            status=StepStatus.overdue,
        )
        make_step(s, roadmap=r, key="c", title="Не сегодня", due=D(2025, 4, 30))
        ids = [m.id or 0]
    # 13 March: before:1 for "a", after:3 and escalate:moc_head for "b".
    now = pendulum.datetime(2025, 3, 13, 19, tz="Europe/Moscow")
    assert _sweep(engine, settings, ids, now) == 1
    assert _sweep(engine, settings, ids, now) == 0
    (row,) = _rows(engine)
    assert row.rule == "digest" and row.person_id == head.id and row.step_id is None
    assert row.subject == "Сводка напоминаний на 13 марта 2025 г.: 3 шага"
    assert "«Приказ о МОЦ»" in row.body_text and "«Отчёт в РМЦ»" in row.body_text
    assert "Не сегодня" not in row.body_text
    assert row.not_before == pendulum.datetime(2025, 3, 14, 6, 0, tz="UTC")  # Fri 09:00 MSK


def test_many_municipalities_in_one_call(engine: Engine, settings: Settings) -> None:
    ids = []
    with session_scope(engine) as s:
        template_id = None
        for i, tz in enumerate(["Europe/Kaliningrad", "Asia/Kamchatka", "Europe/Moscow"]):
            m = make_municipality(s, code=f"m{i}", tz=tz)
            make_person(s, municipality=m, role=Role.moc_head, notify=[f"console://{i}"])
            if template_id is None:
                r = make_roadmap(s, municipality=m)
                template_id = r.template_id
            else:
                r = Roadmap(
                    municipality_id=m.id or 0,
                    template_id=template_id,
                    template_key="test",
                    year=2025,
                )
                s.add(r)
                s.flush()
            make_step(s, roadmap=r, key="x", due=D(2025, 3, 14))
            ids.append(m.id or 0)
    # 13 March 15:30 UTC: already Friday 14 in Kamchatka (on_day), Thursday elsewhere.
    now = pendulum.datetime(2025, 3, 13, 15, 30, tz="UTC")
    assert _sweep(engine, settings, ids, now) == 3
    assert sorted(r.rule for r in _rows(engine)) == ["before:1", "before:1", "on_day"]
