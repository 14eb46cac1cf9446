"""The expert review (НОК) state machine as data, with pure checks.

``TRANSITIONS[state][action]`` is the set of states the action may lead to; an
action missing from a state's row is illegal there. Functions with a database
live in ``domain.review.transitions``; this module is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from domain.errors import TransitionError
from models.review import ReviewState

S = ReviewState


class ReviewAction(StrEnum):
    submit = "submit"
    formally_reject = "formally_reject"
    assign_experts = "assign_experts"
    start_review = "start_review"
    record_verdict = "record_verdict"
    assign_tiebreaker = "assign_tiebreaker"
    request_revision = "request_revision"
    council_decision = "council_decision"
    send_to_regional_stage = "send_to_regional_stage"
    put_in_register = "put_in_register"
    archive = "archive"


A = ReviewAction

TRANSITIONS: Mapping[ReviewState, Mapping[ReviewAction, frozenset[ReviewState]]] = {
    S.DRAFT: {A.submit: frozenset({S.SUBMITTED}), A.archive: frozenset({S.ARCHIVED})},
    S.SUBMITTED: {
        A.formally_reject: frozenset({S.FORMALLY_REJECTED}),
        A.assign_experts: frozenset({S.EXPERTS_ASSIGNED}),
    },
    S.FORMALLY_REJECTED: {A.archive: frozenset({S.ARCHIVED})},
    S.EXPERTS_ASSIGNED: {A.start_review: frozenset({S.UNDER_REVIEW})},
    S.UNDER_REVIEW: {
        A.record_verdict: frozenset({S.UNDER_REVIEW, S.POSITIVE, S.NEGATIVE, S.DISAGREEMENT}),
    },
    S.DISAGREEMENT: {
        A.assign_tiebreaker: frozenset({S.DISAGREEMENT}),
        A.record_verdict: frozenset({S.POSITIVE, S.NEGATIVE}),
    },
    S.POSITIVE: {A.council_decision: frozenset({S.COUNCIL_DECISION})},
    S.NEGATIVE: {
        A.request_revision: frozenset({S.REVISION}),
        A.council_decision: frozenset({S.COUNCIL_DECISION}),
    },
    S.REVISION: {A.submit: frozenset({S.SUBMITTED}), A.archive: frozenset({S.ARCHIVED})},
    S.COUNCIL_DECISION: {
        A.send_to_regional_stage: frozenset({S.REGIONAL_STAGE}),
        A.archive: frozenset({S.ARCHIVED}),
    },
    S.REGIONAL_STAGE: {
        A.put_in_register: frozenset({S.IN_REGISTER}),
        A.archive: frozenset({S.ARCHIVED}),
    },
    S.IN_REGISTER: {A.archive: frozenset({S.ARCHIVED})},
    S.ARCHIVED: {},
}

STATE_LABELS: Mapping[ReviewState, str] = {
    S.DRAFT: "черновик",
    S.SUBMITTED: "подана",
    S.FORMALLY_REJECTED: "отклонена по формальным основаниям",
    S.EXPERTS_ASSIGNED: "эксперты назначены",
    S.UNDER_REVIEW: "на экспертизе",
    S.POSITIVE: "положительное заключение",
    S.NEGATIVE: "отрицательное заключение",
    S.DISAGREEMENT: "разногласие экспертов",
    S.REVISION: "на доработке",
    S.COUNCIL_DECISION: "решение МОС",
    S.REGIONAL_STAGE: "региональный этап",
    S.IN_REGISTER: "в реестре",
    S.ARCHIVED: "в архиве",
}

ACTION_LABELS: Mapping[ReviewAction, str] = {
    A.submit: "подать на экспертизу",
    A.formally_reject: "отклонить по формальным основаниям",
    A.assign_experts: "назначить экспертов",
    A.start_review: "начать экспертизу",
    A.record_verdict: "внести заключение эксперта",
    A.assign_tiebreaker: "назначить третьего эксперта",
    A.request_revision: "направить на доработку",
    A.council_decision: "внести решение МОС",
    A.send_to_regional_stage: "направить на региональный этап",
    A.put_in_register: "включить в реестр",
    A.archive: "перевести в архив",
}

# States whose cases wait for expert verdicts (late experts are looked for here).
REVIEW_STATES = frozenset({S.UNDER_REVIEW, S.DISAGREEMENT})


def allowed_actions(state: ReviewState) -> list[ReviewAction]:
    """Actions legal in ``state``, in table order."""
    return list(TRANSITIONS[state])


def describe_allowed(state: ReviewState) -> str:
    actions = allowed_actions(state)
    if not actions:
        return "никакие действия не допускаются (конечное состояние)"
    return "допустимо: " + ", ".join(f"«{ACTION_LABELS[a]}»" for a in actions)


def check_transition(
    state: ReviewState, action: ReviewAction, *, subject: str = "заявка"
) -> frozenset[ReviewState]:
    """Possible next states of ``action`` in ``state``; raises TransitionError if illegal."""
    targets = TRANSITIONS[state].get(action)
    if targets is None:
        raise TransitionError(
            f"{subject}: действие «{ACTION_LABELS[action]}» недопустимо в состоянии "
            f"«{STATE_LABELS[state]}» ({state.value}); {describe_allowed(state)}"
        )
    return targets


def verdict_outcome(verdicts: Iterable[str | None]) -> ReviewState | None:
    """Result of the regular experts of a round: None while someone has not answered."""
    given = list(verdicts)
    if not given or any(v is None for v in given):
        return None
    if all(v == "positive" for v in given):
        return S.POSITIVE
    if all(v == "negative" for v in given):
        return S.NEGATIVE
    return S.DISAGREEMENT


VERDICTS = ("positive", "negative")
VERDICT_ALIASES: Mapping[str, str] = {
    "positive": "positive",
    "pos": "positive",
    "+": "positive",
    "положительное": "positive",
    "да": "positive",
    "negative": "negative",
    "neg": "negative",
    "-": "negative",
    "отрицательное": "negative",
    "нет": "negative",
}
