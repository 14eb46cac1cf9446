"""domain.vocabulary: one audit-action vocabulary for writers and readers."""

from __future__ import annotations

from domain.audit.history import ACTION_LABELS
from domain.review.rules import ReviewAction
from domain.vocabulary import AUDIT_ACTION_RU, AuditAction, audit_action_ru


def test_every_action_has_a_label_and_review_actions_map() -> None:
    assert set(AUDIT_ACTION_RU) == {a.value for a in AuditAction}
    assert all(AUDIT_ACTION_RU.values())
    assert {AuditAction.review(a.value) for a in ReviewAction} <= set(AuditAction)
    assert ACTION_LABELS is AUDIT_ACTION_RU


def test_the_replan_action_is_labelled() -> None:
    assert audit_action_ru("deadline.shift") == "срок перенесён"
    assert audit_action_ru("unknown.code") == "unknown.code"
