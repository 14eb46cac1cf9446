"""The indicator registry: keys, Russian labels, units, periods and value checks.

Pure data and checks (no queries): ``catalogue`` (plan vs actual, upsert) and
``sources`` (the set-based reads) both build on it, so neither imports the other's
caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InputError
from domain.indicators.extended import EXTENDED
from models import Focus

FOCUS_RU: dict[str, str] = {
    Focus.technical: "техническая",
    Focus.natural_science: "естественнонаучная",
    Focus.tourism_local_history: "туристско-краеведческая",
    Focus.social_humanitarian: "социально-гуманитарная",
    Focus.artistic: "художественная",
    Focus.physical_culture_sports: "физкультурно-спортивная",
}


@dataclass(frozen=True)
class IndicatorDef:
    key: str
    label: str
    unit: str  # "%", "чел.", "ед."
    # How the value is derived when nobody entered it ("" = entered or imported only).
    derivation: str = ""
    # Periods the indicator applies to: the year only, or the year and quarters.
    periods: tuple[str, ...] = ("Y", "Q1", "Q2", "Q3", "Q4")

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"


DEFS: list[IndicatorDef] = [
    IndicatorDef("children_5_18", "Численность детей в возрасте от 5 до 18 лет", "чел."),
    IndicatorDef("enrolled", "Охвачено дополнительным образованием детей 5–18 лет", "чел."),
    IndicatorDef("coverage_5_18", "Охват детей 5–18 лет дополнительным образованием", "%"),
    IndicatorDef(
        "share_tech_natsci",
        "Удельный вес детей, охваченных программами технической и естественнонаучной "
        "направленностей",
        "%",
    ),
    IndicatorDef("share_ovz", "Доля детей с ОВЗ, охваченных дополнительным образованием", "%"),
    IndicatorDef("programmes_ovz", "Количество программ для детей с ОВЗ", "ед."),
    IndicatorDef("programmes_remote", "Количество программ, реализуемых дистанционно", "ед."),
    IndicatorDef("programmes_network", "Количество программ в сетевой форме", "ед."),
    IndicatorDef("certificates_uchet", "Количество детей с сертификатами учёта", "чел."),
    IndicatorDef("certificates_pf", "Количество детей с сертификатами ПФ", "чел."),
    IndicatorDef("organisations", "Количество организаций, реализующих ДООП", "ед."),
    IndicatorDef("programmes_total", "Количество программ в АИС «Навигатор»", "ед."),
    *[
        IndicatorDef(f"programmes_{f.value}", f"Программы: {FOCUS_RU[f]} направленность", "ед.")
        for f in Focus
    ],
    *[IndicatorDef(k, label, unit, how, periods) for k, label, unit, how, periods in EXTENDED],
]
INDICATORS: dict[str, IndicatorDef] = {d.key: d for d in DEFS}


def _label_key(text: str) -> str:
    """Labels compared as people type them: any case, ё = е, any dash, single spaces."""
    t = " ".join(text.split()).casefold().replace("ё", "е")
    return t.replace("—", "-").replace("–", "-").replace("«", '"').replace("»", '"')


_BY_LABEL: dict[str, str] = {_label_key(d.label): d.key for d in DEFS}
PERIODS = ("Y", "Q1", "Q2", "Q3", "Q4")


def resolve_key(name: str) -> str | None:
    """The indicator key for a key or its Russian label (case-insensitive)."""
    name = name.strip()
    if name in INDICATORS:
        return name
    return _BY_LABEL.get(_label_key(name))


def check_period(period: str) -> str:
    p = period.strip().upper()
    if p not in PERIODS:
        raise InputError(f"период «{period}»: ожидается Y, Q1, Q2, Q3 или Q4")
    return p


def check_key(key: str) -> str:
    resolved = resolve_key(key)
    if resolved is None:
        raise InputError(f"неизвестный показатель «{key}»; допустимые: {', '.join(INDICATORS)}")
    return resolved


def check_value(key: str, value: float, *, what: str) -> str | None:
    """A Russian complaint about ``value`` for ``key``, or None when it is acceptable."""
    if value != value or value in (float("inf"), float("-inf")):
        return f"{what}: ожидается конечное число"
    if value < 0:
        return f"{what}: значение не может быть отрицательным ({value:g})"
    if INDICATORS[key].is_percent and value > 100:
        return f"{what}: процент больше 100 ({value:g})"
    return None


@dataclass(frozen=True)
class Stored:
    """One stored value as read for reports (decoupled from the ORM row)."""

    target: float | None
    actual: float | None
    source: str
