"""Russian labels of statuses, kinds, roles, audit actions: what users read, in one place."""

from __future__ import annotations

from enum import StrEnum

from models.enums import OutboxStatus, Recurrence, ReviewState, Role, StepKind, StepStatus

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
    Role.admin: "администратор",
    Role.moc_head: "руководитель МОЦ",
    Role.org_contact: "организация",
    Role.expert: "эксперт",
    Role.auditor: "аудитор",
    Role.rmc: "РМЦ",
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

# --- Labels of the other codes people see on pages, in exports and messages -----------

REVIEW_STATE_RU: dict[str, str] = {
    ReviewState.DRAFT: "черновик",
    ReviewState.SUBMITTED: "подана на экспертизу",
    ReviewState.FORMALLY_REJECTED: "отклонена формально",
    ReviewState.EXPERTS_ASSIGNED: "эксперты назначены",
    ReviewState.UNDER_REVIEW: "на экспертизе",
    ReviewState.POSITIVE: "положительное заключение",
    ReviewState.NEGATIVE: "отрицательное заключение",
    ReviewState.DISAGREEMENT: "мнения экспертов разошлись",
    ReviewState.REVISION: "на доработке",
    ReviewState.COUNCIL_DECISION: "решение МОС",
    ReviewState.REGIONAL_STAGE: "региональный этап",
    ReviewState.IN_REGISTER: "в реестре",
    ReviewState.ARCHIVED: "в архиве",
}


class AuditAction(StrEnum):
    """Every action the audit log records: writers pass these, readers label them.

    The value is what is stored (and hashed) in ``audit_entry.action``; never rename one.
    """

    roadmap_load = "roadmap.load"
    deadline_shift = "deadline.shift"
    step_completed = "step.completed"
    step_reopened = "step.reopened"
    step_waived = "step.waived"
    evidence_superseded = "evidence.superseded"
    indicator_import = "indicator.import"
    programme_added = "programme.added"
    programme_archived = "programme.archived"
    organisation_added = "organisation.added"
    narrative_saved = "narrative.saved"
    event_recorded = "event.recorded"
    record_backdated = "record.backdated"
    navigator_imported = "navigator.imported"
    review_open = "review.open"
    review_submit = "review.submit"
    review_formally_reject = "review.formally_reject"
    review_assign_experts = "review.assign_experts"
    review_assign_tiebreaker = "review.assign_tiebreaker"
    review_start_review = "review.start_review"
    review_record_verdict = "review.record_verdict"
    review_request_revision = "review.request_revision"
    review_council_decision = "review.council_decision"
    review_send_to_regional_stage = "review.send_to_regional_stage"
    review_put_in_register = "review.put_in_register"
    review_archive = "review.archive"
    audit_checkpoint = "audit.checkpoint"
    settings_changed = "settings.changed"

    @property
    def label(self) -> str:
        return _AUDIT_ACTION_LABELS[self]

    @classmethod
    def review(cls, action: str) -> AuditAction:
        """The audit action of a review transition (``submit`` -> ``review.submit``)."""
        return cls(f"review.{action}")


_AUDIT_ACTION_LABELS: dict[str, str] = {
    "roadmap.load": "дорожная карта загружена",
    "deadline.shift": "срок перенесён",
    "step.completed": "шаг выполнен",
    "step.reopened": "шаг открыт заново",
    "step.waived": "шаг отменён",
    "evidence.superseded": "подтверждение заменено",
    "indicator.import": "показатели загружены",
    "programme.added": "программа добавлена",
    "programme.archived": "программа в архиве",
    "organisation.added": "организация добавлена",
    "narrative.saved": "текст отчёта сохранён",
    "event.recorded": "мероприятие записано",
    "record.backdated": "запись задним числом",
    "navigator.imported": "данные Навигатора загружены",
    "review.open": "заявка на экспертизу создана",
    "review.submit": "заявка подана",
    "review.formally_reject": "заявка отклонена формально",
    "review.assign_experts": "эксперты назначены",
    "review.assign_tiebreaker": "назначен третий эксперт",
    "review.start_review": "экспертиза начата",
    "review.record_verdict": "заключение эксперта записано",
    "review.request_revision": "программа отправлена на доработку",
    "review.council_decision": "решение МОС записано",
    "review.send_to_regional_stage": "передано на региональный этап",
    "review.put_in_register": "программа включена в реестр",
    "review.archive": "заявка в архиве",
    "audit.checkpoint": "контрольная точка подписана",
    "settings.changed": "настройки изменены",
}

# Readers: action code -> label (one table, derived from the enum).
AUDIT_ACTION_RU: dict[str, str] = {a.value: a.label for a in AuditAction}


def audit_action_ru(action: str) -> str:
    """The label of a stored action; an unknown code is shown as it is stored."""
    return AUDIT_ACTION_RU.get(action, action)


CHANNEL_RU: dict[str, str] = {
    "email": "электронная почта",
    "mailto": "электронная почта",
    "webhook": "веб-хук",
    "json": "веб-хук",
    "telegram": "Telegram",
    "tgram": "Telegram",
    "digest": "сводка",
}

DELIVERY_RU: dict[str, str] = {
    OutboxStatus.pending: "ожидает отправки",
    OutboxStatus.sending: "отправляется",
    OutboxStatus.sent: "отправлено",
    OutboxStatus.dead: "не доставлено",
}


class EntityKind(StrEnum):
    """What an audit entry is about: ``audit_entry.entity`` is ``<kind>:<id>``."""

    step = "step"
    review_case = "review_case"
    roadmap = "roadmap"
    evidence = "evidence"
    campaign = "campaign"
    programme = "programme"

    @property
    def label(self) -> str:
        return _ENTITY_LABELS[self]

    def ref(self, ident: int | str) -> str:
        """The stored entity reference: ``EntityKind.step.ref(8)`` -> ``step:8``."""
        return f"{self.value}:{ident}"


_ENTITY_LABELS: dict[str, str] = {
    "step": "шаг",
    "review_case": "заявка НОК",
    "roadmap": "дорожная карта",
    "evidence": "подтверждение",
    "campaign": "кампания НОК",
    "programme": "программа",
}

ENTITY_RU: dict[str, str] = {e.value: e.label for e in EntityKind}


# IANA zone -> how people say it (offset from Moscow and the city).
TIMEZONE_RU: dict[str, str] = {
    "Europe/Kaliningrad": "МСК−1, Калининград",
    "Europe/Moscow": "МСК, Москва",
    "Europe/Simferopol": "МСК, Симферополь",
    "Europe/Volgograd": "МСК, Волгоград",
    "Europe/Kirov": "МСК, Киров",
    "Europe/Samara": "МСК+1, Самара",
    "Europe/Astrakhan": "МСК+1, Астрахань",
    "Europe/Saratov": "МСК+1, Саратов",
    "Europe/Ulyanovsk": "МСК+1, Ульяновск",
    "Asia/Yekaterinburg": "МСК+2, Екатеринбург",
    "Asia/Omsk": "МСК+3, Омск",
    "Asia/Novosibirsk": "МСК+4, Новосибирск",
    "Asia/Barnaul": "МСК+4, Барнаул",
    "Asia/Tomsk": "МСК+4, Томск",
    "Asia/Novokuznetsk": "МСК+4, Новокузнецк",
    "Asia/Krasnoyarsk": "МСК+4, Красноярск",
    "Asia/Irkutsk": "МСК+5, Иркутск",
    "Asia/Chita": "МСК+6, Чита",
    "Asia/Yakutsk": "МСК+6, Якутск",
    "Asia/Khandyga": "МСК+6, Хандыга",
    "Asia/Vladivostok": "МСК+7, Владивосток",
    "Asia/Ust-Nera": "МСК+7, Усть-Нера",
    "Asia/Magadan": "МСК+8, Магадан",
    "Asia/Sakhalin": "МСК+8, Сахалин",
    "Asia/Srednekolymsk": "МСК+8, Среднеколымск",
    "Asia/Kamchatka": "МСК+9, Петропавловск-Камчатский",
    "Asia/Anadyr": "МСК+9, Анадырь",
}


def timezone_ru(zone: str) -> str:
    """«МСК+5, Иркутск» for Asia/Irkutsk; an unknown zone is shown by its city part."""
    return TIMEZONE_RU.get(zone) or zone.rsplit("/", 1)[-1].replace("_", " ")


class ReminderRule(StrEnum):
    """Reminder rules as stored in ``outbox_message.rule`` (``before:7``, ``escalate:ROLE``).

    The value is the rule's name; an argument (working days, a role) follows a colon.
    """

    before = "before"
    after = "after"
    on_day = "on_day"
    escalate = "escalate"
    digest = "digest"
    expert_due = "expert_due"
    revision_due = "revision_due"
    review_escalate = "review_escalate"

    @property
    def label(self) -> str:
        """The label; ``{arg}`` stands for the argument (``before`` -> «за {arg} …»)."""
        return _REMINDER_LABELS[self]

    @classmethod
    def parse(cls, rule: str) -> tuple[ReminderRule | None, str]:
        """``before:7`` -> (before, "7"); the old spellings ``due``/``day`` are ``on_day``."""
        name, _, arg = rule.partition(":")
        name = "on_day" if name in ("due", "day") else name
        return (cls(name) if name in cls._value2member_map_ else None), arg


_REMINDER_LABELS: dict[str, str] = {
    "before": "за {arg} раб. дн. до срока",
    "after": "через {arg} раб. дн. после срока",
    "on_day": "в день срока",
    "escalate": "эскалация: {arg}",
    "digest": "ежедневная сводка",
    "expert_due": "срок заключения эксперта",
    "revision_due": "срок доработки программы",
    "review_escalate": "эскалация по экспертизе",
}


def reminder_rule_ru(rule: str) -> str:
    """``before:7`` -> «за 7 раб. дн. до срока», ``after:1``, ``on_day``, ``escalate:ROLE``."""
    kind, arg = ReminderRule.parse(rule)
    if kind in (ReminderRule.before, ReminderRule.after) and not arg.isdigit():
        kind = None
    if kind is None:
        return "напоминание"
    return kind.label.format(arg=ROLE_RU.get(arg, arg) if kind is ReminderRule.escalate else arg)


REVIEW_REMINDER_RU: dict[str, str] = {
    r.value: r.label
    for r in (ReminderRule.expert_due, ReminderRule.revision_due, ReminderRule.review_escalate)
}


def channel_ru(channel: str) -> str:
    scheme = channel.split("://", 1)[0].lstrip("@")
    return CHANNEL_RU.get(scheme, CHANNEL_RU.get(channel, "канал уведомлений"))


def entity_ru(entity: str) -> str:
    """``review_case:8`` -> «заявка НОК № 8»."""
    kind, _, ident = entity.partition(":")
    label = ENTITY_RU.get(kind, "объект")
    return f"{label} № {ident}" if ident else label
