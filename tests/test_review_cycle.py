"""Whole review stories: disagreement and a third expert, revision rounds, the round
limit, audit entries, report counts, and closing the campaign step with the protocol."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit.verify import verify
from domain.errors import ConflictError, InputError, TransitionError
from domain.review import transitions as review
from domain.review.campaign import close_campaign, create_campaign
from models import AuditEntry, Evidence, ExpertAssignment, ReviewCase, Step, StepKind, StepStatus
from models.db import session_scope
from models.review import ReviewState
from models.settings import Settings
from tests.factories import make_roadmap, make_step
from tests.review_fixtures import ACTOR, NOW, World, drive_to, make_world, new_case, step

S = ReviewState


def _state(engine: Engine, case_id: int) -> ReviewCase:
    with session_scope(engine) as s:
        c = s.get(ReviewCase, case_id)
        assert c is not None
        return c


def test_disagreement_is_decided_by_a_third_expert(engine: Engine) -> None:
    with session_scope(engine) as s:
        w = make_world(s)
        cid = drive_to(s, w, S.DISAGREEMENT).id or 0
    e1, e2, e3, e4 = w.experts
    refusals: list[tuple[type[Exception], Callable[[Session], object], str]] = [
        (
            InputError,
            lambda s: review.record_verdict(
                s, case_id=cid, expert_id=e3, verdict="positive", actor=ACTOR, now=NOW
            ),
            "не назначен",
        ),
        (
            ConflictError,
            lambda s: review.record_verdict(
                s, case_id=cid, expert_id=e1, verdict="negative", actor=ACTOR, now=NOW
            ),
            "уже дал заключение",
        ),
        (
            InputError,
            lambda s: review.assign_tiebreaker(s, case_id=cid, expert_id=e2, actor=ACTOR, now=NOW),
            "другой эксперт",
        ),
        (
            InputError,
            lambda s: review.assign_tiebreaker(
                s, case_id=cid, expert_id=w.own_staff_expert, actor=ACTOR, now=NOW
            ),
            "сотрудник организации-разработчика",
        ),
    ]
    for exc, action, fragment in refusals:
        with pytest.raises(exc, match=fragment), session_scope(engine) as s:
            action(s)
    with session_scope(engine) as s:
        review.assign_tiebreaker(s, case_id=cid, expert_id=e3, actor=ACTOR, now=NOW)
    with (
        pytest.raises(ConflictError, match="третий эксперт уже назначен"),
        session_scope(engine) as s,
    ):
        review.assign_tiebreaker(s, case_id=cid, expert_id=e4, actor=ACTOR, now=NOW)
    assert _state(engine, cid).state == S.DISAGREEMENT
    with session_scope(engine) as s:
        review.record_verdict(
            s,
            case_id=cid,
            expert_id=e3,
            verdict="negative",
            comment="нет оценочных материалов",
            actor=ACTOR,
            now=NOW,
        )
    case = _state(engine, cid)
    assert case.state == S.NEGATIVE and case.expert_outcome == "negative"
    with session_scope(engine) as s:
        rows = s.exec(select(ExpertAssignment).where(ExpertAssignment.case_id == cid)).all()
        assert sorted((r.expert_id, r.tiebreaker, r.verdict) for r in rows) == [
            (e1, False, "positive"),
            (e2, False, "negative"),
            (e3, True, "negative"),
        ]


def test_two_revision_rounds_then_positive(engine: Engine) -> None:
    with session_scope(engine) as s:
        w = make_world(s, max_rounds=3)
        cid = drive_to(s, w, S.REVISION).id or 0
    for name in [
        "submit",
        "assign",
        "start",
        "v0-",
        "v1-",
        "revise",
        "submit",
        "assign",
        "start",
        "v0+",
        "v1+",
        "council",
    ]:
        with session_scope(engine) as s:
            step(s, w, cid, name)
    case = _state(engine, cid)
    assert (case.state, case.round, case.revision_due_at) == (S.COUNCIL_DECISION, 3, None)
    with session_scope(engine) as s:
        rounds = s.exec(select(ExpertAssignment.round).where(ExpertAssignment.case_id == cid)).all()
        assert sorted(rounds) == [1, 1, 2, 2, 3, 3]
        counts = review.campaign_counts(s, campaign_id=w.campaign.id or 0)
        assert counts == {
            "applied": 1,
            "reviewed": 1,
            "positive": 1,
            "negative": 0,
            "regional_stage": 0,
            "in_register": 0,
        }
        actions = s.exec(
            select(AuditEntry.action)
            .where(AuditEntry.entity == f"review_case:{cid}")
            .order_by(col(AuditEntry.seq))
        ).all()
    # open + submit + 2 x (assign, start, 2 verdicts, revision, submit) + assign, start,
    # 2 verdicts, council.
    assert actions[:2] == ["review.open", "review.submit"]
    assert actions.count("review.request_revision") == 2
    assert actions.count("review.record_verdict") == 6
    assert actions[-1] == "review.council_decision" and len(actions) == 2 + 2 * 6 + 5


def test_round_limit_refuses_revision(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        w = make_world(s, max_rounds=2)
        cid = drive_to(s, w, S.REVISION).id or 0
        for name in ["submit", "assign", "start", "v0-", "v1-"]:
            step(s, w, cid, name)
    with (
        pytest.raises(TransitionError, match=r"исчерпано число раундов \(2 из 2\)"),
        session_scope(engine) as s,
    ):
        review.request_revision(s, case_id=cid, actor=ACTOR, now=NOW)
    with pytest.raises(TransitionError, match="не может одобрить"), session_scope(engine) as s:
        review.council_decision(
            s,
            case_id=cid,
            protocol_number="№4",
            protocol_date=dt.date(2025, 12, 11),
            approved=True,
            actor=ACTOR,
            now=NOW,
        )
    with session_scope(engine) as s:
        d = review.council_decision(
            s,
            case_id=cid,
            protocol_number="№4",
            protocol_date=dt.date(2025, 12, 11),
            actor=ACTOR,
            now=NOW,
        )
        assert d.approved is False
    with (
        pytest.raises(TransitionError, match="решение МОС отрицательное"),
        session_scope(engine) as s,
    ):
        review.send_to_regional_stage(s, case_id=cid, actor=ACTOR, now=NOW)
    with session_scope(engine) as s:
        review.archive(s, case_id=cid, actor=ACTOR, now=NOW, reason="отказ МОС")
        assert review.campaign_counts(s, campaign_id=w.campaign.id or 0) == {
            "applied": 1,
            "reviewed": 1,
            "positive": 0,
            "negative": 1,
            "regional_stage": 0,
            "in_register": 0,
        }
        report = verify(
            s,
            municipality_code=w.municipality.code,
            evidence_root=settings.evidence_dir,
            key_path=settings.audit_signing_key,
        )
        assert report.ok, report.problems
        # open, submit, round 1 (assign, start, 2 verdicts, revision), round 2 (submit,
        # assign, start, 2 verdicts), council, archive; refusals left no entry.
        assert report.entries == 2 + 5 + 5 + 2


def _campaign_with_step(engine: Engine) -> tuple[World, int]:
    with session_scope(engine) as s:
        w = make_world(s)
        rm = make_roadmap(s, municipality=w.municipality)
        st = make_step(
            s, roadmap=rm, key="nok", kind=StepKind.expert_review, due=dt.date(2025, 12, 15)
        )
        c = create_campaign(
            s,
            municipality_id=w.municipality.id or 0,
            title="НОК-2",
            year=2025,
            starts_on=dt.date(2025, 11, 15),
            ends_on=dt.date(2025, 12, 15),
            step_id=st.id,
        )
        w.campaign = c
        return w, st.id or 0


def test_close_campaign_completes_step_with_protocol(engine: Engine, settings: Settings) -> None:
    w, step_id = _campaign_with_step(engine)
    with session_scope(engine) as s:
        pos = drive_to(s, w, S.POSITIVE)
        drive_to(s, w, S.IN_REGISTER)
        new_case(s, w)  # a DRAFT never submitted: not counted, does not block closing
    kw = {
        "campaign_id": w.campaign.id or 0,
        "protocol_number": "№6",
        "protocol_date": dt.date(2025, 12, 12),
        "file_bytes": b"%PDF-1.4 protocol",
        "file_name": "protocol-6.pdf",
        "actor": ACTOR,
        "settings": settings,
        "now": NOW + dt.timedelta(days=28),
    }
    with (
        pytest.raises(ConflictError, match="1 заявок ещё без решения МОС"),
        session_scope(engine) as s,
    ):
        close_campaign(s, **kw)  # type: ignore[arg-type]
    with session_scope(engine) as s:
        step(s, w, pos.id or 0, "council")
        ev = close_campaign(s, **kw)  # type: ignore[arg-type]
        assert ev is not None
    with session_scope(engine) as s:
        st = s.get(Step, step_id)
        assert st is not None and st.status == StepStatus.done
        saved = s.exec(select(Evidence).where(Evidence.step_id == step_id)).one()
        assert saved.file_name == "protocol-6.pdf"
        assert saved.effective_date == dt.date(2025, 12, 12)
    with pytest.raises(ConflictError, match="уже закрыта"), session_scope(engine) as s:
        close_campaign(s, **kw)  # type: ignore[arg-type]


def test_campaign_refuses_a_step_of_another_kind(engine: Engine) -> None:
    with session_scope(engine) as s:
        w = make_world(s)
        rm = make_roadmap(s, municipality=w.municipality)
        st = make_step(s, roadmap=rm, key="npa")
        with pytest.raises(InputError, match="не шаг экспертизы"):
            create_campaign(
                s,
                municipality_id=w.municipality.id or 0,
                title="x",
                year=2025,
                starts_on=dt.date(2025, 11, 1),
                ends_on=dt.date(2025, 12, 1),
                step_id=st.id,
            )
