"""Expert review (НОК) transitions of review cases, with guards and audit entries.

Every function takes an open Session, validates against ``review_rules.TRANSITIONS``
and the campaign's settings (quorum, working-day deadlines, rounds), changes the
case and appends one audit entry, all in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from domain.audit import log as audit_log
from domain.calendar.workdays import add_working_days
from domain.errors import ConflictError, InputError, NotFoundError, TransitionError
from domain.review.counts import campaign_counts, state_counts
from domain.review.rules import ReviewAction, check_transition, verdict_outcome
from domain.roadmap.deadlines import end_of_day_utc, local_date
from domain.vocabulary import AuditAction
from models.core import Municipality, Person
from models.review import (
    CouncilDecision,
    Expert,
    ExpertAssignment,
    Programme,
    ReviewCampaign,
    ReviewCase,
    ReviewState,
)

A = ReviewAction
S = ReviewState
__all__ = [
    "archive",
    "assign_experts",
    "assign_tiebreaker",
    "campaign_counts",
    "council_decision",
    "formally_reject",
    "latest_decision",
    "put_in_register",
    "record_verdict",
    "request_revision",
    "round_assignments",
    "send_to_regional_stage",
    "start_review",
    "state_counts",
    "submit",
]


class Ctx:
    """A case with its campaign, programme and municipality, loaded once."""

    def __init__(self, session: Session, case_id: int) -> None:
        case = session.get(ReviewCase, case_id)
        if case is None:
            raise NotFoundError(f"заявка №{case_id} на экспертизу не найдена")
        self.session = session
        self.case = case
        self.campaign = _get(session, ReviewCampaign, case.campaign_id, "кампания")
        self.programme = _get(session, Programme, case.programme_id, "программа")
        self.municipality = _get(session, Municipality, self.campaign.municipality_id, "МО")

    @property
    def subject(self) -> str:
        return f"заявка №{self.case.id} («{self.programme.title}», раунд {self.case.round})"

    def check(self, action: ReviewAction) -> frozenset[ReviewState]:
        return check_transition(self.case.state, action, subject=self.subject)

    def due(self, now: dt.datetime, working_days: int) -> dt.datetime:
        tz = self.municipality.timezone
        return end_of_day_utc(add_working_days(local_date(now, tz), working_days), tz)

    def move(
        self,
        action: ReviewAction,
        to: ReviewState,
        *,
        actor: str,
        now: dt.datetime,
        payload: dict[str, Any] | None = None,
    ) -> ReviewCase:
        allowed = self.check(action)
        if to not in allowed:  # pragma: no cover - a bug in this module, not user input
            raise AssertionError(f"{action}: {self.case.state} -> {to} not in table")
        before = self.case.state
        self.case.state = to
        self.case.updated_at = now
        self.session.add(self.case)
        self.session.flush()
        audit_log.append(
            self.session,
            municipality_id=self.campaign.municipality_id,
            actor=actor,
            action=AuditAction.review(action.value),
            entity=f"review_case:{self.case.id}",
            payload={
                "campaign_id": self.campaign.id,
                "programme_id": self.programme.id,
                "round": self.case.round,
                "from": before.value,
                "to": to.value,
                **(payload or {}),
            },
            at=now,
        )
        return self.case


def _get(session: Session, model: Any, key: int, what: str) -> Any:
    row = session.get(model, key)
    if row is None:
        raise NotFoundError(f"{what} №{key} не найдена")
    return row


def round_assignments(session: Session, case: ReviewCase) -> list[ExpertAssignment]:
    stmt = select(ExpertAssignment).where(
        ExpertAssignment.case_id == case.id, ExpertAssignment.round == case.round
    )
    return list(session.exec(stmt.order_by(col(ExpertAssignment.id))).all())


def _check_expert(ctx: Ctx, expert_id: int) -> Expert:
    expert = ctx.session.get(Expert, expert_id)
    if expert is None:
        raise NotFoundError(f"эксперт №{expert_id} не найден")
    person = ctx.session.get(Person, expert.person_id)
    if person is not None and person.organisation_id == ctx.programme.organisation_id:
        raise InputError(
            f"{ctx.subject}: эксперт №{expert_id} ({person.full_name}) — сотрудник "
            "организации-разработчика программы и не может её оценивать"
        )
    return expert


def submit(session: Session, *, case_id: int, actor: str, now: dt.datetime) -> ReviewCase:
    """DRAFT -> SUBMITTED, or REVISION -> SUBMITTED as the next round."""
    ctx = Ctx(session, case_id)
    ctx.check(A.submit)
    resubmission = ctx.case.state == S.REVISION
    if resubmission:
        ctx.case.round += 1
        ctx.case.revision_due_at = None
    if ctx.case.submitted_at is None:
        ctx.case.submitted_at = now
    return ctx.move(
        A.submit, S.SUBMITTED, actor=actor, now=now, payload={"resubmission": resubmission}
    )


def formally_reject(
    session: Session, *, case_id: int, reason: str, actor: str, now: dt.datetime
) -> ReviewCase:
    ctx = Ctx(session, case_id)
    ctx.check(A.formally_reject)
    if not reason.strip():
        raise InputError(f"{ctx.subject}: укажите причину формального отклонения")
    return ctx.move(
        A.formally_reject, S.FORMALLY_REJECTED, actor=actor, now=now, payload={"reason": reason}
    )


def assign_experts(
    session: Session, *, case_id: int, expert_ids: Sequence[int], actor: str, now: dt.datetime
) -> list[ExpertAssignment]:
    """SUBMITTED -> EXPERTS_ASSIGNED with at least ``quorum`` distinct experts."""
    ctx = Ctx(session, case_id)
    ctx.check(A.assign_experts)
    ids = list(dict.fromkeys(expert_ids))
    if len(ids) != len(expert_ids):
        raise InputError(f"{ctx.subject}: один эксперт указан дважды")
    if len(ids) < ctx.campaign.quorum:
        raise InputError(
            f"{ctx.subject}: нужно не меньше {ctx.campaign.quorum} разных экспертов, "
            f"указано {len(ids)}"
        )
    due_at = ctx.due(now, ctx.campaign.expert_working_days)
    for expert_id in ids:
        _check_expert(ctx, expert_id)
    rows = []
    for expert_id in ids:
        row = ExpertAssignment(
            case_id=case_id, expert_id=expert_id, round=ctx.case.round, due_at=due_at
        )
        session.add(row)
        rows.append(row)
    ctx.move(
        A.assign_experts,
        S.EXPERTS_ASSIGNED,
        actor=actor,
        now=now,
        payload={"experts": ids, "due_at": due_at.isoformat()},
    )
    return rows


def start_review(session: Session, *, case_id: int, actor: str, now: dt.datetime) -> ReviewCase:
    ctx = Ctx(session, case_id)
    return ctx.move(A.start_review, S.UNDER_REVIEW, actor=actor, now=now)


def assign_tiebreaker(
    session: Session, *, case_id: int, expert_id: int, actor: str, now: dt.datetime
) -> ExpertAssignment:
    """DISAGREEMENT: a third expert, not one of the round's experts, decides."""
    ctx = Ctx(session, case_id)
    ctx.check(A.assign_tiebreaker)
    current = round_assignments(session, ctx.case)
    if any(a.tiebreaker for a in current):
        raise ConflictError(f"{ctx.subject}: третий эксперт уже назначен")
    if any(a.expert_id == expert_id for a in current):
        raise InputError(
            f"{ctx.subject}: эксперт №{expert_id} уже оценивал программу в этом "
            "раунде; третьим должен быть другой эксперт"
        )
    _check_expert(ctx, expert_id)
    due_at = ctx.due(now, ctx.campaign.expert_working_days)
    row = ExpertAssignment(
        case_id=case_id, expert_id=expert_id, round=ctx.case.round, tiebreaker=True, due_at=due_at
    )
    session.add(row)
    ctx.move(
        A.assign_tiebreaker,
        S.DISAGREEMENT,
        actor=actor,
        now=now,
        payload={"expert": expert_id, "due_at": due_at.isoformat()},
    )
    return row


def record_verdict(
    session: Session,
    *,
    case_id: int,
    expert_id: int,
    verdict: str,
    actor: str,
    now: dt.datetime,
    comment: str = "",
) -> ReviewCase:
    """One expert's verdict; the round's result once every regular expert answered."""
    ctx = Ctx(session, case_id)
    ctx.check(A.record_verdict)
    if verdict not in ("positive", "negative"):
        raise InputError(f"заключение: ожидается positive или negative, получено «{verdict}»")
    current = round_assignments(session, ctx.case)
    mine = next((a for a in current if a.expert_id == expert_id), None)
    if mine is None:
        raise InputError(f"{ctx.subject}: эксперт №{expert_id} не назначен в этом раунде")
    if mine.verdict is not None:
        raise ConflictError(f"{ctx.subject}: эксперт №{expert_id} уже дал заключение")
    if ctx.case.state == S.DISAGREEMENT and not mine.tiebreaker:
        raise ConflictError(f"{ctx.subject}: при разногласии решает только третий эксперт")
    mine.verdict, mine.comment, mine.decided_at = verdict, comment, now
    session.add(mine)
    if ctx.case.state == S.DISAGREEMENT:
        to = S.POSITIVE if verdict == "positive" else S.NEGATIVE
    else:
        to = verdict_outcome(a.verdict for a in current if not a.tiebreaker) or S.UNDER_REVIEW
    if to in (S.POSITIVE, S.NEGATIVE):
        ctx.case.expert_outcome = "positive" if to == S.POSITIVE else "negative"
    return ctx.move(
        A.record_verdict,
        to,
        actor=actor,
        now=now,
        payload={
            "expert": expert_id,
            "verdict": verdict,
            "tiebreaker": mine.tiebreaker,
            "comment": comment,
        },
    )


def request_revision(
    session: Session, *, case_id: int, actor: str, now: dt.datetime, comment: str = ""
) -> ReviewCase:
    """NEGATIVE -> REVISION with a working-day deadline; refused after the last round."""
    ctx = Ctx(session, case_id)
    ctx.check(A.request_revision)
    if ctx.case.round >= ctx.campaign.max_rounds:
        raise TransitionError(
            f"{ctx.subject}: доработка невозможна — исчерпано число раундов "
            f"({ctx.case.round} из {ctx.campaign.max_rounds}); допустимо: «внести решение МОС»"
        )
    ctx.case.revision_due_at = ctx.due(now, ctx.campaign.revision_working_days)
    return ctx.move(
        A.request_revision,
        S.REVISION,
        actor=actor,
        now=now,
        payload={"revision_due_at": ctx.case.revision_due_at.isoformat(), "comment": comment},
    )


def council_decision(
    session: Session,
    *,
    case_id: int,
    protocol_number: str,
    protocol_date: dt.date,
    actor: str,
    now: dt.datetime,
    approved: bool | None = None,
) -> CouncilDecision:
    """POSITIVE/NEGATIVE -> COUNCIL_DECISION with the МОС protocol number and date."""
    ctx = Ctx(session, case_id)
    ctx.check(A.council_decision)
    if not protocol_number.strip():
        raise InputError(f"{ctx.subject}: укажите номер протокола МОС")
    decided = (ctx.case.state == S.POSITIVE) if approved is None else approved
    if decided and ctx.case.state == S.NEGATIVE:
        raise TransitionError(
            f"{ctx.subject}: МОС не может одобрить программу с отрицательным заключением экспертов"
        )
    row = CouncilDecision(
        case_id=case_id,
        protocol_number=protocol_number.strip(),
        protocol_date=protocol_date,
        approved=decided,
    )
    session.add(row)
    ctx.move(
        A.council_decision,
        S.COUNCIL_DECISION,
        actor=actor,
        now=now,
        payload={
            "protocol_number": row.protocol_number,
            "protocol_date": protocol_date.isoformat(),
            "approved": decided,
        },
    )
    return row


def latest_decision(session: Session, case_id: int) -> CouncilDecision | None:
    stmt = select(CouncilDecision).where(CouncilDecision.case_id == case_id)
    return session.exec(stmt.order_by(col(CouncilDecision.id).desc())).first()


def send_to_regional_stage(
    session: Session, *, case_id: int, actor: str, now: dt.datetime
) -> ReviewCase:
    ctx = Ctx(session, case_id)
    ctx.check(A.send_to_regional_stage)
    decision = latest_decision(session, case_id)
    if decision is None or not decision.approved:
        raise TransitionError(
            f"{ctx.subject}: решение МОС отрицательное — на региональный "
            "этап не направляется; допустимо: «перевести в архив»"
        )
    ctx.case.regional_at = now
    return ctx.move(A.send_to_regional_stage, S.REGIONAL_STAGE, actor=actor, now=now)


def put_in_register(session: Session, *, case_id: int, actor: str, now: dt.datetime) -> ReviewCase:
    ctx = Ctx(session, case_id)
    ctx.check(A.put_in_register)
    ctx.case.registered_at = now
    return ctx.move(A.put_in_register, S.IN_REGISTER, actor=actor, now=now)


def archive(
    session: Session, *, case_id: int, actor: str, now: dt.datetime, reason: str = ""
) -> ReviewCase:
    ctx = Ctx(session, case_id)
    return ctx.move(A.archive, S.ARCHIVED, actor=actor, now=now, payload={"reason": reason})
