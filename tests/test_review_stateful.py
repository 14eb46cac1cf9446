"""Hypothesis stateful test: random sequences of review commands (legal or not) never
leave a case inconsistent with its assignments, verdicts, decisions and audit log."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from domain.errors import SoczakazError
from domain.review import transitions as review
from domain.review.rules import TRANSITIONS, ReviewAction
from models import AuditEntry, CouncilDecision, ExpertAssignment, ReviewCase
from models.db import session_scope
from models.review import ReviewState
from tests.review_fixtures import ACTOR, NOW, World, make_world, new_case

S = ReviewState
A = ReviewAction
_codes = itertools.count()
REACHED: set[ReviewState] = set()


def case_problems(s: Session, w: World, case: ReviewCase) -> list[str]:
    """Everything that would make ``case`` inconsistent (empty list when fine)."""
    out: list[str] = []
    q = w.campaign.quorum
    if not 1 <= case.round <= w.campaign.max_rounds:
        out.append(f"round {case.round} outside 1..{w.campaign.max_rounds}")
    rows = s.exec(select(ExpertAssignment).where(ExpertAssignment.case_id == case.id)).all()
    if any(a.round > case.round for a in rows):
        out.append("assignment of a future round")
    cur = [a for a in rows if a.round == case.round]
    regular = [a for a in cur if not a.tiebreaker]
    tie = [a for a in cur if a.tiebreaker]
    verdicts = [a.verdict for a in regular]
    decisions = s.exec(select(CouncilDecision).where(CouncilDecision.case_id == case.id)).all()
    st_ = case.state
    if len(tie) > 1:
        out.append("two tiebreakers")
    if st_ == S.DRAFT and (rows or case.submitted_at or case.round != 1):
        out.append("draft with history")
    if st_ != S.DRAFT and case.submitted_at is None and st_ != S.ARCHIVED:
        out.append("not submitted")
    if st_ in (S.SUBMITTED, S.FORMALLY_REJECTED) and cur:
        out.append("experts in a submitted round")
    if (
        st_
        in (S.EXPERTS_ASSIGNED, S.UNDER_REVIEW, S.POSITIVE, S.NEGATIVE, S.DISAGREEMENT, S.REVISION)
        and len(regular) < q
    ):
        out.append(f"{st_}: fewer than {q} experts")
    if st_ == S.EXPERTS_ASSIGNED and any(verdicts):
        out.append("verdict before the review started")
    if st_ == S.UNDER_REVIEW and None not in verdicts:
        out.append("every expert answered but the case is still under review")
    if st_ in (S.POSITIVE, S.NEGATIVE, S.DISAGREEMENT, S.REVISION) and None in verdicts:
        out.append(f"{st_} while an expert has not answered")
    if st_ == S.DISAGREEMENT and (len(set(verdicts)) != 2 or any(t.verdict for t in tie)):
        out.append("disagreement without mixed verdicts or with a decided tiebreaker")
    if st_ in (S.POSITIVE, S.NEGATIVE):
        want = "positive" if st_ == S.POSITIVE else "negative"
        decided_by = tie[0].verdict if tie else (verdicts[0] if len(set(verdicts)) == 1 else None)
        if decided_by != want or case.expert_outcome != want:
            out.append(f"{st_} not backed by the verdicts")
    if st_ == S.REVISION and (case.revision_due_at is None or case.expert_outcome != "negative"):
        out.append("revision without a deadline or a negative outcome")
    if st_ in (S.COUNCIL_DECISION, S.REGIONAL_STAGE, S.IN_REGISTER) and len(decisions) != 1:
        out.append("council stage without exactly one decision")
    if st_ in (S.REGIONAL_STAGE, S.IN_REGISTER) and not decisions[0].approved:
        out.append("regional stage after a refusal")
    if (case.regional_at is None) != (
        st_ not in (S.REGIONAL_STAGE, S.IN_REGISTER)
    ) and st_ != S.ARCHIVED:
        out.append("regional_at does not match the state")
    return out


class ReviewMachine(RuleBasedStateMachine):
    engine: Engine

    def __init__(self) -> None:
        super().__init__()
        with session_scope(self.engine) as s:
            self.w = make_world(s, code=f"m{next(_codes)}", max_rounds=2)
        self.cases: list[int] = []
        self.ok = 0  # successful, audited operations (case openings included)
        self.now = NOW

    def _run(
        self, action: ReviewAction | None, idx: int, fn: Callable[[Session, int], Any]
    ) -> None:
        cid = self.cases[idx % len(self.cases)]
        with session_scope(self.engine) as s:
            before = s.get(ReviewCase, cid)
            assert before is not None
            state = before.state
        self.now += dt.timedelta(hours=5)
        try:
            with session_scope(self.engine) as s:
                fn(s, cid)
        except SoczakazError:
            return
        self.ok += 1
        assert action is not None
        assert action in TRANSITIONS[state], f"{action} accepted in {state}"
        with session_scope(self.engine) as s:
            after = s.get(ReviewCase, cid)
            assert after is not None and after.state in TRANSITIONS[state][action]
            event(f"reached {after.state.value}")
            REACHED.add(after.state)

    @precondition(lambda self: len(self.cases) < 4)
    @rule()
    def open_case(self) -> None:
        with session_scope(self.engine) as s:
            self.cases.append(new_case(s, self.w, now=self.now).id or 0)
        self.ok += 1

    def _expert(self, i: int) -> int:
        pool = [*self.w.experts, self.w.own_staff_expert]
        return pool[i % len(pool)]

    @precondition(lambda self: self.cases)
    @rule(idx=st.integers(0, 3))
    def submit(self, idx: int) -> None:
        self._run(
            A.submit, idx, lambda s, c: review.submit(s, case_id=c, actor=ACTOR, now=self.now)
        )

    @precondition(lambda self: self.cases)
    @rule(idx=st.integers(0, 3))
    def formally_reject(self, idx: int) -> None:
        self._run(
            A.formally_reject,
            idx,
            lambda s, c: review.formally_reject(
                s, case_id=c, reason="нет плана", actor=ACTOR, now=self.now
            ),
        )

    @precondition(lambda self: self.cases)
    @rule(idx=st.integers(0, 3), who=st.lists(st.integers(0, 4), min_size=1, max_size=3))
    def assign(self, idx: int, who: list[int]) -> None:
        ids = [self._expert(i) for i in who]
        self._run(
            A.assign_experts,
            idx,
            lambda s, c: review.assign_experts(
                s, case_id=c, expert_ids=ids, actor=ACTOR, now=self.now
            ),
        )

    @precondition(lambda self: self.cases)
    @rule(idx=st.integers(0, 3))
    def start(self, idx: int) -> None:
        self._run(
            A.start_review,
            idx,
            lambda s, c: review.start_review(s, case_id=c, actor=ACTOR, now=self.now),
        )

    @precondition(lambda self: self.cases)
    @rule(idx=st.integers(0, 3), who=st.integers(0, 4), positive=st.booleans())
    def verdict(self, idx: int, who: int, positive: bool) -> None:
        self._run(
            A.record_verdict,
            idx,
            lambda s, c: review.record_verdict(
                s,
                case_id=c,
                expert_id=self._expert(who),
                verdict="positive" if positive else "negative",
                actor=ACTOR,
                now=self.now,
            ),
        )

    @precondition(lambda self: self.cases)
    @rule(idx=st.integers(0, 3), who=st.integers(0, 4))
    def tiebreaker(self, idx: int, who: int) -> None:
        self._run(
            A.assign_tiebreaker,
            idx,
            lambda s, c: review.assign_tiebreaker(
                s, case_id=c, expert_id=self._expert(who), actor=ACTOR, now=self.now
            ),
        )

    @precondition(lambda self: self.cases)
    @rule(idx=st.integers(0, 3))
    def revise(self, idx: int) -> None:
        self._run(
            A.request_revision,
            idx,
            lambda s, c: review.request_revision(s, case_id=c, actor=ACTOR, now=self.now),
        )

    @precondition(lambda self: self.cases)
    @rule(idx=st.integers(0, 3), approved=st.sampled_from([None, True, False]))
    def council(self, idx: int, approved: bool | None) -> None:
        self._run(
            A.council_decision,
            idx,
            lambda s, c: review.council_decision(
                s,
                case_id=c,
                protocol_number="№1",
                protocol_date=dt.date(2025, 12, 1),
                approved=approved,
                actor=ACTOR,
                now=self.now,
            ),
        )

    @precondition(lambda self: self.cases)
    @rule(idx=st.integers(0, 3))
    def regional(self, idx: int) -> None:
        self._run(
            A.send_to_regional_stage,
            idx,
            lambda s, c: review.send_to_regional_stage(s, case_id=c, actor=ACTOR, now=self.now),
        )

    @precondition(lambda self: self.cases)
    @rule(idx=st.integers(0, 3))
    def register(self, idx: int) -> None:
        self._run(
            A.put_in_register,
            idx,
            lambda s, c: review.put_in_register(s, case_id=c, actor=ACTOR, now=self.now),
        )

    @precondition(lambda self: self.cases)
    @rule(idx=st.integers(0, 3))
    def archive(self, idx: int) -> None:
        self._run(
            A.archive, idx, lambda s, c: review.archive(s, case_id=c, actor=ACTOR, now=self.now)
        )

    @precondition(lambda self: self.cases)
    @rule(idx=st.integers(0, 3), n=st.integers(1, 8), data=st.data())
    def advance(self, idx: int, n: int, data: st.DataObject) -> None:
        """Up to ``n`` legal moves with valid arguments, so random runs reach deep states."""
        for _ in range(n):
            self._advance_once(idx, data)

    def _advance_once(self, idx: int, data: st.DataObject) -> None:
        cid = self.cases[idx % len(self.cases)]
        with session_scope(self.engine) as s:
            case = s.get(ReviewCase, cid)
            assert case is not None
            state = case.state
            rounds_left = case.round < self.w.campaign.max_rounds
            cur = review.round_assignments(s, case)
        pick = data.draw(st.booleans())
        verdict = "positive" if data.draw(st.booleans()) else "negative"
        tie = [a for a in cur if a.tiebreaker]
        pending = [a.expert_id for a in cur if a.verdict is None and not a.tiebreaker]
        moves: dict[ReviewState, tuple[ReviewAction, Callable[[Session, int], Any]]] = {
            S.DRAFT: (
                A.submit,
                lambda s, c: review.submit(s, case_id=c, actor=ACTOR, now=self.now),
            ),
            S.REVISION: (
                A.submit,
                lambda s, c: review.submit(s, case_id=c, actor=ACTOR, now=self.now),
            ),
            S.SUBMITTED: (
                A.assign_experts,
                lambda s, c: review.assign_experts(
                    s,
                    case_id=c,
                    actor=ACTOR,
                    now=self.now,
                    expert_ids=data.draw(st.permutations(self.w.experts))[:2],
                ),
            ),
            S.EXPERTS_ASSIGNED: (
                A.start_review,
                lambda s, c: review.start_review(s, case_id=c, actor=ACTOR, now=self.now),
            ),
            S.UNDER_REVIEW: (
                A.record_verdict,
                lambda s, c: review.record_verdict(
                    s,
                    case_id=c,
                    expert_id=pending[0] if pending else 0,
                    verdict=verdict,
                    actor=ACTOR,
                    now=self.now,
                ),
            ),
            S.DISAGREEMENT: (
                A.record_verdict,
                lambda s, c: review.record_verdict(
                    s,
                    case_id=c,
                    expert_id=tie[0].expert_id,
                    verdict=verdict,
                    actor=ACTOR,
                    now=self.now,
                ),
            )
            if tie
            else (
                A.assign_tiebreaker,
                lambda s, c: review.assign_tiebreaker(
                    s,
                    case_id=c,
                    actor=ACTOR,
                    now=self.now,
                    expert_id=next(
                        e for e in self.w.experts if e not in {a.expert_id for a in cur}
                    ),
                ),
            ),
            S.POSITIVE: (
                A.council_decision,
                lambda s, c: review.council_decision(
                    s,
                    case_id=c,
                    protocol_number="№2",
                    protocol_date=dt.date(2025, 12, 2),
                    actor=ACTOR,
                    now=self.now,
                    approved=None if pick else False,
                ),
            ),
            S.NEGATIVE: (
                A.request_revision,
                lambda s, c: review.request_revision(s, case_id=c, actor=ACTOR, now=self.now),
            )
            if rounds_left
            else (
                A.council_decision,
                lambda s, c: review.council_decision(
                    s,
                    case_id=c,
                    protocol_number="№2",
                    protocol_date=dt.date(2025, 12, 2),
                    actor=ACTOR,
                    now=self.now,
                ),
            ),
            S.COUNCIL_DECISION: (
                A.send_to_regional_stage,
                lambda s, c: review.send_to_regional_stage(s, case_id=c, actor=ACTOR, now=self.now),
            ),
            S.REGIONAL_STAGE: (
                A.put_in_register,
                lambda s, c: review.put_in_register(s, case_id=c, actor=ACTOR, now=self.now),
            ),
        }
        action, fn = moves.get(
            state, (A.archive, lambda s, c: review.archive(s, case_id=c, actor=ACTOR, now=self.now))
        )
        self._run(action, idx, fn)

    @invariant()
    def consistent(self) -> None:
        with session_scope(self.engine) as s:
            cases = s.exec(
                select(ReviewCase).where(col(ReviewCase.id).in_(self.cases or [0]))
            ).all()
            for case in cases:
                problems = case_problems(s, self.w, case)
                assert not problems, f"case {case.id} in {case.state}: {problems}"
            audited = s.exec(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.municipality_id == self.w.municipality.id)
            ).one()
            assert audited == self.ok
            counts = review.campaign_counts(s, campaign_id=self.w.campaign.id or 0)
            assert counts["positive"] + counts["negative"] == counts["reviewed"]
            assert counts["reviewed"] <= counts["applied"] <= len(self.cases)
            assert counts["in_register"] <= counts["regional_stage"] <= counts["positive"]


@pytest.mark.slow
def test_random_command_sequences_stay_consistent(engine: Engine) -> None:
    ReviewMachine.engine = engine
    runner = ReviewMachine.TestCase
    runner.settings = settings(
        max_examples=25,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    runner().runTest()
    # The guided moves make every state reachable; a run that never got past the
    # first states would prove nothing.
    assert {S.POSITIVE, S.NEGATIVE, S.REVISION, S.COUNCIL_DECISION} <= REACHED, REACHED
