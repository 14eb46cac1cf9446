"""Instantiation: due dates on the working-day calendar, idempotency, reload policy."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.errors import InputError
from models import AuditEntry, Municipality, Roadmap, RoadmapTemplate, Step
from models.db import session_scope
from roadmaps.instantiate import InstantiateResult, instantiate
from roadmaps.loader import parse_template, read_template
from tests.factories import make_municipality

UTC = dt.UTC


def _load(
    s: Session,
    m: Municipality,
    *,
    name: str = "test-small",
    year: int = 2025,
    params: dict[str, str] | None = None,
) -> InstantiateResult:
    loaded = read_template(name)
    return instantiate(
        s,
        spec=loaded.spec,
        source_text=loaded.source_text,
        municipality=m,
        year=year,
        params=params,
    )


def _steps(s: Session, m: Municipality) -> dict[tuple[str, str], Step]:
    rows = s.exec(select(Step).where(Step.municipality_id == m.id)).all()
    return {(r.key, r.period): r for r in rows}


def _count(s: Session, model: type) -> int:
    return int(s.exec(select(func.count()).select_from(model)).one())


@pytest.mark.parametrize(
    ("tz", "utc_time"),
    [
        ("Europe/Kaliningrad", dt.time(21, 59, 59)),
        ("Europe/Moscow", dt.time(20, 59, 59)),
        ("Asia/Irkutsk", dt.time(15, 59, 59)),
        ("Asia/Kamchatka", dt.time(11, 59, 59)),
    ],
)
def test_due_dates_follow_calendar_in_the_zone(engine: Engine, tz: str, utc_time: dt.time) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="m1", tz=tz)
        result = _load(s, m)
        steps = _steps(s, m)
    assert result.created == len(steps) == 3 + 1 + 4 + 12
    expected = {
        # 2024-09-01 is a Sunday -> Monday (art. 193)
        ("npa-moc", ""): dt.date(2024, 9, 2),
        ("params-calc", ""): dt.date(2024, 10, 1),
        # 10 working days after 2024-10-01
        ("params-approve", ""): dt.date(2024, 10, 15),
        ("annual-report", "2025"): dt.date(2026, 1, 15),
        # 5th working day after the quarter: 31.03.2025 is a Monday
        ("quarterly-report", "2025-Q1"): dt.date(2025, 4, 7),
        # New Year holidays 2026 run to 11 January
        ("quarterly-report", "2025-Q4"): dt.date(2026, 1, 16),
        # May holidays 2025: 1–4 and 8–11 May
        ("invoices", "2025-04"): dt.date(2025, 5, 7),
        # Saturday 1 Nov 2025 is a working day; 3 and 4 Nov are days off
        ("invoices", "2025-10"): dt.date(2025, 11, 6),
    }
    for key, day in expected.items():
        step = steps[key]
        assert step.due_date == day, key
        assert step.timezone == tz
        assert step.due_at.tzinfo is not None
        got = step.due_at.astimezone(UTC)
        assert got.time() == utc_time, key
        # end of the local day: the UTC instant may fall on the same or the previous date
        assert got.date() in (day, day - dt.timedelta(days=1))


def test_standard_template_transfers_and_negative_period_offsets(engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="kld", tz="Europe/Kaliningrad")
        result = _load(s, m, name="moc-standard")
        steps = _steps(s, m)
    assert result.created == len(steps) >= 50
    # 31.12.2024 was a day off by transfer -> first working day of 2025 is 9 January
    assert steps[("params-approve", "2025")].due_date == dt.date(2025, 1, 9)
    # 5 working days before 31.12.2025 (a day off by transfer): 24 December
    assert steps[("trainings", "2025-Q4")].due_date == dt.date(2025, 12, 24)
    # after nok-campaign (15.12.2025, Monday) + 5 working days
    assert steps[("mos-meeting-nok", "2025")].due_date == dt.date(2025, 12, 22)
    assert steps[("rmc-quarterly-report", "2025-Q3")].due_date == dt.date(2025, 10, 7)
    nok = steps[("nok-campaign", "2025")]
    assert nok.kind == "expert_review" and nok.depends_on == ["nok-announcement"]
    assert nok.evidence_required[0] == "protocol_number"
    invoices = [k for k in steps if k[0] == "pfdo-invoices"]
    assert len(invoices) == 12
    inv = steps[("pfdo-invoices", "2025-01")]
    assert inv.reminder_policy == "monthly" and inv.owner_role == "org_contact"
    assert inv.due_rule == {"period_end": True, "working_days": 5, "after_period_end": 5}


def test_stored_rule_fields(engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="m2")
        _load(s, m)
        steps = _steps(s, m)
        roadmap = s.exec(select(Roadmap)).one()
    approve = steps[("params-approve", "")]
    assert approve.due_rule == {"after": "params-calc", "working_days": 10}
    assert approve.depends_on == ["params-calc"]
    assert approve.evidence_required == ["act_type", "act_number", "act_date", "issuer"]
    assert approve.recurrence == "once" and approve.status == "planned"
    assert steps[("params-calc", "")].reminder_policy == "strict"
    assert roadmap.parameters["params_calc_date"] == "2024-10-01"
    policies = roadmap.parameters["reminder_policies"]
    assert set(policies) == {"default", "strict"}
    assert policies["strict"]["before"] == [5, 1]
    assert policies["default"]["escalate_after"] == {"moc_head": 3, "rmc": 10}
    assert roadmap.template_key == "test-small" and roadmap.year == 2025


def test_parameters_can_be_overridden(engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="m3")
        _load(s, m, params={"params_calc_date": "{year-1}-11-01"})
        steps = _steps(s, m)
    assert steps[("params-calc", "")].due_date == dt.date(2024, 11, 1)
    # the dependent rule moves with it: 10 working days after 01.11.2024, counting the
    # working Saturday 2 Nov and skipping the holiday 4 Nov
    assert steps[("params-approve", "")].due_date == dt.date(2024, 11, 15)


def test_loading_again_changes_nothing(engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="m4")
        first = _load(s, m)
    with session_scope(engine) as s:
        before = {k: (r.id, r.due_at) for k, r in _steps(s, m).items()}
        audits = _count(s, AuditEntry)
        second = _load(s, m)
    with session_scope(engine) as s:
        after = {k: (r.id, r.due_at) for k, r in _steps(s, m).items()}
        assert _count(s, RoadmapTemplate) == 1
        assert _count(s, Roadmap) == 1
        assert _count(s, AuditEntry) == audits == 1
    assert first.created == 20 and first.roadmap_created and first.template_created
    assert (second.created, second.unchanged) == (0, 20)
    assert not second.roadmap_created and not second.template_created
    assert second.stale == second.orphaned == second.warnings == []
    assert before == after


def test_bad_parameters_write_nothing(engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="m5")
    for params, fragment in [
        ({"nope": "2025-01-01"}, "неизвестный параметр «nope»"),
        ({"params_calc_date": "2025-02-30"}, "не существует"),
        ({"params_calc_date": "{other}"}, "не может ссылаться"),
    ]:
        with pytest.raises(InputError, match=fragment), session_scope(engine) as s:
            _load(s, s.get(Municipality, m.id), params=params)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="вне диапазона"), session_scope(engine) as s:
        _load(s, s.get(Municipality, m.id), year=1999)  # type: ignore[arg-type]
    with session_scope(engine) as s:
        assert _count(s, RoadmapTemplate) == _count(s, Roadmap) == _count(s, Step) == 0


def test_changed_template_adds_steps_and_reports_the_rest(engine: Engine) -> None:
    v1 = read_template("test-small").source_text
    v2 = (
        v1.replace("version: 1", "version: 2")
        .replace('due: {date: "{year+1}-01-15"}', 'due: {date: "{year+1}-01-20"}')
        .replace(
            "  - key: invoices\n    title: Счета за услуги по сертификатам ПФ\n    kind: report\n"
            "    owner: org_contact\n    recurrence: monthly\n"
            "    due: {period_end: true, working_days: 3}\n",
            "  - key: mos-meeting\n    title: Заседание МОС\n    kind: event\n"
            '    due: {date: "{year}-03-20"}\n',
        )
    )
    assert v2.count("mos-meeting") == 1 and "invoices" not in v2
    with session_scope(engine) as s:
        m = make_municipality(s, code="m6", tz="Asia/Irkutsk")
        instantiate(s, spec=parse_template(v1), source_text=v1, municipality=m, year=2025)
    with session_scope(engine) as s:
        result = instantiate(s, spec=parse_template(v2), source_text=v2, municipality=m, year=2025)
        steps = _steps(s, m)
        roadmap = s.exec(select(Roadmap)).one()
    assert result.created == 1 and result.unchanged == 8
    assert result.stale == ["annual-report@2025"]
    assert result.orphaned == [f"invoices@2025-{i:02d}" for i in range(1, 13)]
    assert result.template_created and not result.roadmap_created
    assert roadmap.template_id == result.template_id
    # existing rows are kept as they were
    assert steps[("annual-report", "2025")].due_date == dt.date(2026, 1, 15)
    assert steps[("mos-meeting", "")].due_date == dt.date(2025, 3, 20)
    assert len(steps) == 21


def test_edited_text_with_same_version_warns(engine: Engine) -> None:
    v1 = read_template("test-small").source_text
    v1b = v1 + "\n# правка без смены версии\n"
    with session_scope(engine) as s:
        m = make_municipality(s, code="m7")
        instantiate(s, spec=parse_template(v1), source_text=v1, municipality=m, year=2025)
        result = instantiate(
            s, spec=parse_template(v1b), source_text=v1b, municipality=m, year=2025
        )
    assert result.created == 0 and result.template_created
    assert result.warnings and "версия (1)" in result.warnings[0]


def test_two_municipalities_share_one_template_row(engine: Engine) -> None:
    with session_scope(engine) as s:
        a = make_municipality(s, code="a", tz="Europe/Kaliningrad")
        b = make_municipality(s, code="b", tz="Asia/Kamchatka")
        ra, rb = _load(s, a), _load(s, b)
        assert _count(s, RoadmapTemplate) == 1
        sa, sb = _steps(s, a), _steps(s, b)
    assert ra.template_id == rb.template_id and ra.roadmap_id != rb.roadmap_id
    key = ("npa-moc", "")
    assert sa[key].due_date == sb[key].due_date
    assert sa[key].due_at - sb[key].due_at == dt.timedelta(hours=10)


def test_spec_built_in_code_is_checked_before_planning(engine: Engine) -> None:
    from domain.errors import RoadmapError
    from roadmaps.schema import DueSpec, StepSpec, TemplateSpec

    spec = TemplateSpec(
        key="code",
        version=1,
        title="Из кода",
        steps=[
            StepSpec(key="a", title="A", kind="event", due=DueSpec(after="b")),
            StepSpec(key="b", title="B", kind="event", due=DueSpec(after="a")),
        ],
    )
    with pytest.raises(RoadmapError) as info, session_scope(engine) as s:
        m = make_municipality(s, code="c")
        instantiate(s, spec=spec, source_text="", municipality=m, year=2025)
    assert any("циклическая зависимость" in d for d in info.value.details)
    with session_scope(engine) as s:
        assert _count(s, Step) == _count(s, Municipality) == 0
