"""Russian labels of statuses, kinds and roles: what users read, in one place."""

from __future__ import annotations

from models.roadmap import Recurrence, StepKind, StepStatus

STATUS_RU: dict[str, str] = {
    StepStatus.planned: "запланирован",
    StepStatus.due_soon: "скоро срок",
    StepStatus.due: "срок сегодня",
    StepStatus.overdue: "просрочен",
    StepStatus.blocked: "заблокирован",
    StepStatus.done: "выполнен",
    StepStatus.waived: "отменён",
}

# The same statuses as counts ("просрочено: 5").
STATUS_COUNT_RU: dict[str, str] = {
    StepStatus.planned: "запланировано",
    StepStatus.due_soon: "скоро срок",
    StepStatus.due: "срок сегодня",
    StepStatus.overdue: "просрочено",
    StepStatus.blocked: "заблокировано",
    StepStatus.done: "выполнено",
    StepStatus.waived: "отменено",
}

KIND_RU: dict[str, str] = {
    StepKind.normative_act: "нормативный акт",
    StepKind.certificate_setup: "сертификаты",
    StepKind.expert_review: "экспертиза программ (НОК)",
    StepKind.report: "отчёт",
    StepKind.event: "мероприятие",
    StepKind.indicator: "показатель",
}

RECURRENCE_RU: dict[str, str] = {
    Recurrence.once: "однократно",
    Recurrence.yearly: "ежегодно",
    Recurrence.quarterly: "ежеквартально",
    Recurrence.monthly: "ежемесячно",
}

ROLE_RU: dict[str, str] = {
    "admin": "администратор",
    "moc_head": "руководитель МОЦ",
    "org_contact": "организация",
    "expert": "эксперт",
    "auditor": "аудитор",
    "rmc": "РМЦ",
}

STATUS_STYLE: dict[str, str] = {
    StepStatus.overdue: "bold red",
    StepStatus.due: "bold yellow",
    StepStatus.due_soon: "yellow",
    StepStatus.blocked: "magenta",
    StepStatus.done: "green",
    StepStatus.waived: "dim",
    StepStatus.planned: "",
}
