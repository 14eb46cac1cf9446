"""Indicators that real МОЦ reports state beyond the roadmap targets (issue 15).

Plain tuples ``(key, label, unit, derivation, periods)``; ``catalogue`` turns them
into ``IndicatorDef``. ``derivation`` says, in Russian, how the value is computed
when nobody entered or imported it ("" = entered or imported only).
"""

from __future__ import annotations

from models.records import Audience
from models.review import Focus

YEAR_ONLY = ("Y",)
ALL = ("Y", "Q1", "Q2", "Q3", "Q4")
_FOCUS_RU = {
    Focus.technical: "техническая",
    Focus.natural_science: "естественнонаучная",
    Focus.tourism_local_history: "туристско-краеведческая",
    Focus.social_humanitarian: "социально-гуманитарная",
    Focus.artistic: "художественная",
    Focus.physical_culture_sports: "физкультурно-спортивная",
}
_AUDIENCE_RU = {
    Audience.teachers: "педагогов",
    Audience.parents: "родителей",
    Audience.pupils: "обучающихся",
}

Row = tuple[str, str, str, str, tuple[str, ...]]

EXTENDED: list[Row] = [
    (
        "share_certificates",
        "Доля детей 5–18 лет с социальным сертификатом",
        "%",
        "сертификаты ПФ / численность детей 5–18 лет × 100",
        ALL,
    ),
    (
        "children_ovz",
        "Численность детей с ОВЗ, охваченных дополнительным образованием",
        "чел.",
        "",
        ALL,
    ),
    *[
        (f"children_{f.value}", f"Дети на программах: {label} направленность", "чел.", "", ALL)
        for f, label in _FOCUS_RU.items()
    ],
    (
        "programmes_published",
        "Опубликовано программ в АИС «Навигатор»",
        "ед.",
        "каталог: программы со статусом «опубликована»",
        ALL,
    ),
    (
        "programmes_archived",
        "Программ в архиве АИС «Навигатор»",
        "ед.",
        "каталог: программы со статусом «в архиве»",
        ALL,
    ),
    *[
        (
            f"programmes_archived_{f.value}",
            f"Программы в архиве: {label} направленность",
            "ед.",
            "каталог: архивные программы этой направленности",
            ALL,
        )
        for f, label in _FOCUS_RU.items()
    ],
    (
        "programmes_expertise_positive",
        "Программ, прошедших экспертизу",
        "ед.",
        "каталог: программы с положительным заключением",
        ALL,
    ),
    ("teachers_navigator", "Педагогов, зарегистрированных в АИС «Навигатор»", "чел.", "", ALL),
    (
        "public_experts",
        "Общественных экспертов НОК",
        "чел.",
        "эксперты муниципалитета с отметкой «общественный»",
        YEAR_ONLY,
    ),
    (
        "organisations_navigator",
        "Организаций, зарегистрированных в АИС «Навигатор»",
        "ед.",
        "каталог организаций: отметка «в Навигаторе»",
        ALL,
    ),
    (
        "nok_applied_organisations",
        "Организаций, подавших программы на НОК",
        "ед.",
        "заявки кампаний НОК года: число разных организаций",
        YEAR_ONLY,
    ),
    ("events_total", "Проведено мероприятий", "ед.", "реестр мероприятий за год", YEAR_ONLY),
    *[
        (
            f"events_{a.value}",
            f"Мероприятий для {label}",
            "ед.",
            "реестр мероприятий за год, по аудитории",
            YEAR_ONLY,
        )
        for a, label in _AUDIENCE_RU.items()
    ],
]
