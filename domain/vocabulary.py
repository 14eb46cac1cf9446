"""Russian labels of statuses, kinds, roles, audit actions: what users read, in one place."""

from __future__ import annotations

from enum import StrEnum

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

# --- Labels of the other codes people see on pages, in exports and messages -----------

REVIEW_STATE_RU: dict[str, str] = {
    "DRAFT": "черновик",
    "SUBMITTED": "подана на экспертизу",
    "FORMALLY_REJECTED": "отклонена формально",
    "EXPERTS_ASSIGNED": "эксперты назначены",
    "UNDER_REVIEW": "на экспертизе",
    "POSITIVE": "положительное заключение",
    "NEGATIVE": "отрицательное заключение",
    "DISAGREEMENT": "мнения экспертов разошлись",
    "REVISION": "на доработке",
    "COUNCIL_DECISION": "решение МОС",
    "REGIONAL_STAGE": "региональный этап",
    "IN_REGISTER": "в реестре",
    "ARCHIVED": "в архиве",
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
    "pending": "ожидает отправки",
    "sending": "отправляется",
    "sent": "отправлено",
    "dead": "не доставлено",
}

ENTITY_RU: dict[str, str] = {
    "step": "шаг",
    "review_case": "заявка НОК",
    "roadmap": "дорожная карта",
    "evidence": "подтверждение",
    "campaign": "кампания НОК",
    "programme": "программа",
}

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


def reminder_rule_ru(rule: str) -> str:
    """``before:7`` -> «за 7 раб. дн. до срока», ``after:1``, ``on_day``, ``escalate:ROLE``."""
    name, _, arg = rule.partition(":")
    if name == "before" and arg.isdigit():
        return f"за {arg} раб. дн. до срока"
    if name == "after" and arg.isdigit():
        return f"через {arg} раб. дн. после срока"
    if name in ("on_day", "due", "day"):
        return "в день срока"
    if name == "escalate":
        return f"эскалация: {ROLE_RU.get(arg, arg)}"
    if name == "digest":
        return "ежедневная сводка"
    return REVIEW_REMINDER_RU.get(name, "напоминание")


REVIEW_REMINDER_RU: dict[str, str] = {
    "expert_due": "срок заключения эксперта",
    "revision_due": "срок доработки программы",
    "review_escalate": "эскалация по экспертизе",
}


def channel_ru(channel: str) -> str:
    scheme = channel.split("://", 1)[0].lstrip("@")
    return CHANNEL_RU.get(scheme, CHANNEL_RU.get(channel, "канал уведомлений"))


def entity_ru(entity: str) -> str:
    """``review_case:8`` -> «заявка НОК № 8»."""
    kind, _, ident = entity.partition(":")
    label = ENTITY_RU.get(kind, "объект")
    return f"{label} № {ident}" if ident else label
