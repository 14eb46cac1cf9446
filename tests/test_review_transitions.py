"""Every (state, action) pair of the review state machine, legal and illegal."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from domain.errors import InputError, TransitionError
from domain.review import transitions as review
from domain.review.rules import (
    ACTION_LABELS,
    STATE_LABELS,
    TRANSITIONS,
    ReviewAction,
    check_transition,
    verdict_outcome,
)
from models import ExpertAssignment, ReviewCase
from models.db import session_scope
from models.review import ReviewState
from tests.review_fixtures import ACTOR, NOW, drive_to, make_world

S = ReviewState
A = ReviewAction
PAIRS = list(itertools.product(list(ReviewState), list(ReviewAction)))


def test_table_covers_every_state() -> None:
    assert set(TRANSITIONS) == set(ReviewState)
    assert set(STATE_LABELS) == set(ReviewState)
    assert set(ACTION_LABELS) == set(ReviewAction)
    # Every non-final state can be left; ARCHIVED is the only final one.
    assert [s for s, row in TRANSITIONS.items() if not row] == [S.ARCHIVED]


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_check_transition_pure(state: ReviewState, action: ReviewAction) -> None:
    if action in TRANSITIONS[state]:
        assert check_transition(state, action) == TRANSITIONS[state][action]
        return
    with pytest.raises(TransitionError) as err:
        check_transition(state, action, subject="заявка №1")
    msg = err.value.message
    assert msg.startswith("заявка №1: действие")
    assert f"«{ACTION_LABELS[action]}»" in msg
    assert f"«{STATE_LABELS[state]}»" in msg
    for allowed in TRANSITIONS[state]:
        assert ACTION_LABELS[allowed] in msg
    if not TRANSITIONS[state]:
        assert "конечное состояние" in msg


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (["positive", "positive"], S.POSITIVE),
        (["negative", "negative", "negative"], S.NEGATIVE),
        (["positive", "negative"], S.DISAGREEMENT),
        (["positive", None], None),
        ([], None),
    ],
)
def test_verdict_outcome(verdicts: list[str | None], expected: ReviewState | None) -> None:
    assert verdict_outcome(verdicts) == expected


def _perform(s: object, w: object, case: ReviewCase, action: ReviewAction) -> None:
    """Call the domain function of ``action`` with valid arguments."""
    from sqlmodel import Session

    from tests.review_fixtures import World

    assert isinstance(s, Session) and isinstance(w, World)
    cid = case.id or 0
    if action == A.submit:
        review.submit(s, case_id=cid, actor=ACTOR, now=NOW)
    elif action == A.formally_reject:
        review.formally_reject(s, case_id=cid, reason="нет плана", actor=ACTOR, now=NOW)
    elif action == A.assign_experts:
        review.assign_experts(s, case_id=cid, expert_ids=w.experts[:2], actor=ACTOR, now=NOW)
    elif action == A.start_review:
        review.start_review(s, case_id=cid, actor=ACTOR, now=NOW)
    elif action == A.record_verdict:
        expert = w.experts[0]
        if case.state == S.DISAGREEMENT:
            review.assign_tiebreaker(s, case_id=cid, expert_id=w.experts[2], actor=ACTOR, now=NOW)
            expert = w.experts[2]
        review.record_verdict(
            s, case_id=cid, expert_id=expert, verdict="positive", actor=ACTOR, now=NOW
        )
    elif action == A.assign_tiebreaker:
        review.assign_tiebreaker(s, case_id=cid, expert_id=w.experts[2], actor=ACTOR, now=NOW)
    elif action == A.request_revision:
        review.request_revision(s, case_id=cid, actor=ACTOR, now=NOW)
    elif action == A.council_decision:
        review.council_decision(
            s,
            case_id=cid,
            protocol_number="№7",
            protocol_date=dt.date(2025, 12, 12),
            actor=ACTOR,
            now=NOW,
        )
    elif action == A.send_to_regional_stage:
        review.send_to_regional_stage(s, case_id=cid, actor=ACTOR, now=NOW)
    elif action == A.put_in_register:
        review.put_in_register(s, case_id=cid, actor=ACTOR, now=NOW)
    elif action == A.archive:
        review.archive(s, case_id=cid, actor=ACTOR, now=NOW)


@pytest.mark.parametrize("state", list(ReviewState), ids=[s.value for s in ReviewState])
def test_every_action_in_state_on_db(engine: Engine, state: ReviewState) -> None:
    """From a real case in ``state``: legal actions land in the table's targets, illegal
    ones raise TransitionError and change nothing (the transaction rolls back)."""
    with session_scope(engine) as s:
        w = make_world(s)
    for action in ReviewAction:
        with session_scope(engine) as s:
            case = drive_to(s, w, state)
            case_id = case.id
        legal = action in TRANSITIONS[state]
        try:
            with session_scope(engine) as s:
                loaded = s.get(ReviewCase, case_id)
                assert loaded is not None
                _perform(s, w, loaded, action)
        except TransitionError as exc:
            assert not legal, f"{state}/{action} refused: {exc.message}"
            assert STATE_LABELS[state] in exc.message
        else:
            assert legal, f"{state}/{action} was accepted but is illegal"
        with session_scope(engine) as s:
            after = s.get(ReviewCase, case_id)
            assert after is not None
            if legal:
                assert after.state in TRANSITIONS[state][action]
            else:
                assert after.state == state


def test_assign_guards(engine: Engine) -> None:
    with session_scope(engine) as s:
        w = make_world(s)
        case = drive_to(s, w, S.SUBMITTED)
        cid = case.id or 0
    cases = [
        ([w.experts[0]], "не меньше 2 разных экспертов"),
        ([w.experts[0], w.experts[0]], "указан дважды"),
        ([w.experts[0], w.own_staff_expert], "сотрудник организации-разработчика"),
    ]
    for ids, fragment in cases:
        with pytest.raises(InputError, match=fragment), session_scope(engine) as s:
            review.assign_experts(s, case_id=cid, expert_ids=ids, actor=ACTOR, now=NOW)
    with session_scope(engine) as s:
        assert s.exec(select(ExpertAssignment)).all() == []
        got = s.get(ReviewCase, cid)
        assert got is not None and got.state == S.SUBMITTED
