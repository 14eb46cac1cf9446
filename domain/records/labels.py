"""Russian labels of record kinds and lenient lookup of a value as people write it."""

from __future__ import annotations

from collections.abc import Mapping

from domain.errors import InputError
from domain.indicators.catalogue import FOCUS_RU
from models.core import OrganisationKind
from models.records import Audience, EventKind
from models.review import Expertise, ProgrammeStatus

ORG_KIND_RU: dict[str, str] = {
    OrganisationKind.school: "общеобразовательная организация",
    OrganisationKind.kindergarten: "дошкольная образовательная организация",
    OrganisationKind.additional_education: "организация дополнительного образования",
    OrganisationKind.culture: "учреждение культуры",
    OrganisationKind.sports: "спортивная организация",
    OrganisationKind.private: "частная организация / ИП",
}
ORG_KIND_ALIASES: dict[str, str] = {
    "школа": "school",
    "оо": "school",
    "детский сад": "kindergarten",
    "доу": "kindergarten",
    "до": "additional_education",
    "одо": "additional_education",
    "удо": "additional_education",
    "культура": "culture",
    "спорт": "sports",
    "ип": "private",
    "частная": "private",
}
STATUS_RU: dict[str, str] = {
    ProgrammeStatus.published: "опубликована",
    ProgrammeStatus.archived: "в архиве",
}
EXPERTISE_RU: dict[str, str] = {
    Expertise.none: "не проводилась",
    Expertise.positive: "положительное заключение",
    Expertise.negative: "отрицательное заключение",
}
EXPERTISE_ALIASES = {"нет": "none", "положительно": "positive", "отрицательно": "negative"}
EVENT_KIND_RU: dict[str, str] = {
    EventKind.meeting: "совещание",
    EventKind.seminar: "семинар",
    EventKind.webinar: "вебинар",
    EventKind.consultation: "консультация",
    EventKind.parent_meeting: "родительское собрание",
    EventKind.open_day: "день открытых дверей",
    EventKind.course: "курсы",
    EventKind.contest: "конкурс",
}
AUDIENCE_RU: dict[str, str] = {
    Audience.teachers: "педагоги",
    Audience.parents: "родители",
    Audience.pupils: "обучающиеся",
}
AUDIENCE_ALIASES = {
    "педагоги": "teachers",
    "учителя": "teachers",
    "руководители": "teachers",
    "родители": "parents",
    "дети": "pupils",
    "обучающиеся": "pupils",
    "учащиеся": "pupils",
}
FOCUS_ALIASES = {label: key for key, label in FOCUS_RU.items()}


def pick(
    value: str,
    *,
    field: str,
    labels: Mapping[str, str],
    aliases: Mapping[str, str] | None = None,
) -> str:
    """The canonical key for ``value``: a key, its Russian label or an alias, any case."""
    v = " ".join(value.strip().split()).casefold().replace("ё", "е")
    for key, label in labels.items():
        if v in (str(key).casefold(), label.casefold().replace("ё", "е")):
            return str(key)
    for alias, key in (aliases or {}).items():
        if v == alias.casefold():
            return key
    allowed = ", ".join(f"{k} ({label})" for k, label in labels.items())
    raise InputError(f"{field}: значение «{value}» неизвестно; допустимо: {allowed}", field=field)
