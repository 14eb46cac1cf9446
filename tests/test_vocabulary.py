"""domain.vocabulary: one audit-action vocabulary for writers and readers."""

from __future__ import annotations

from enum import StrEnum

import pytest

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


def test_every_code_people_see_has_one_label() -> None:
    """Roles, review states, deliveries, statuses, kinds: a label for every enum member."""
    from domain.vocabulary import (
        DELIVERY_RU,
        KIND_RU,
        RECURRENCE_RU,
        REVIEW_STATE_RU,
        ROLE_RU,
        STATUS_COUNT_RU,
        STATUS_RU,
    )
    from models import OutboxStatus, Recurrence, Role, StepKind, StepStatus
    from models.review import ReviewState

    tables: list[tuple[dict[str, str], type[StrEnum]]] = [
        (ROLE_RU, Role),
        (REVIEW_STATE_RU, ReviewState),
        (DELIVERY_RU, OutboxStatus),
        (STATUS_RU, StepStatus),
        (STATUS_COUNT_RU, StepStatus),
        (KIND_RU, StepKind),
        (RECURRENCE_RU, Recurrence),
    ]
    for table, enum in tables:
        assert set(table) == {m.value for m in enum}, enum.__name__
        assert all(table.values())
        assert table[next(iter(enum)).value] == table[next(iter(enum))]  # stored text reads


@pytest.mark.parametrize(
    ("rule", "label"),
    [
        ("before:7", "за 7 раб. дн. до срока"),
        ("after:1", "через 1 раб. дн. после срока"),
        ("on_day", "в день срока"),
        ("due", "в день срока"),
        ("escalate:moc_head", "эскалация: руководитель МОЦ"),
        ("escalate:someone", "эскалация: someone"),
        ("digest", "ежедневная сводка"),
        ("expert_due", "срок заключения эксперта"),
        ("revision_due:3", "срок доработки программы"),
        ("review_escalate", "эскалация по экспертизе"),
        ("before:soon", "напоминание"),
        ("whatever", "напоминание"),
    ],
)
def test_reminder_rules_are_one_enum(rule: str, label: str) -> None:
    from domain.vocabulary import REVIEW_REMINDER_RU, ReminderRule, reminder_rule_ru

    assert reminder_rule_ru(rule) == label
    assert set(REVIEW_REMINDER_RU) == {"expert_due", "revision_due", "review_escalate"}
    assert all(r.label for r in ReminderRule)


def test_entity_kinds_label_and_build_references() -> None:
    from domain.vocabulary import ENTITY_RU, EntityKind, entity_ru

    assert EntityKind.step.ref(8) == "step:8"
    assert entity_ru(EntityKind.review_case.ref(8)) == "заявка НОК № 8"
    assert set(ENTITY_RU) == {e.value for e in EntityKind}
    assert entity_ru("unknown:1") == "объект № 1"
