"""Typed completion evidence per step kind: input models and Russian error messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.errors import EvidenceError, InputError, Problem
from domain.inputs import DATE_HINT, date_or_none, word
from models.roadmap import StepKind

# Numbers as written on acts and protocols: №233, №85/1, №110-37-1397-23, № 12-р.
NUMBER_PATTERN = r"^№\s?[0-9A-Za-zА-Яа-яЁё/\-.]+$"
Number = Annotated[str, Field(pattern=NUMBER_PATTERN, max_length=64)]
Text = Annotated[str, Field(min_length=2, max_length=500)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Url = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2000)]


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def effective_date(self) -> dt.date | None:
        """The date the result took effect (kept apart from the upload time)."""
        return None


class NormativeActFields(_Fields):
    act_type: Literal["приказ", "постановление", "распоряжение"]
    act_number: Number
    act_date: dt.date
    issuer: Text
    url: Url | None = None
    # The act's title as printed in «…» after the number.
    title: Text | None = None

    @field_validator("act_type", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        return word(value) if isinstance(value, str) else value

    def effective_date(self) -> dt.date | None:
        return self.act_date


class EventFields(_Fields):
    event_date: dt.date
    participants: Count | None = None  # sources often give no count
    # Optional split, e.g. {"педагоги": 20, "родители": 35}; must add up to participants.
    participants_by_category: dict[str, Count] | None = None
    title: Text | None = None

    def effective_date(self) -> dt.date | None:
        return self.event_date


class ReportFields(_Fields):
    recipient: Text
    sent_date: dt.date | None = None
    url: Url | None = None

    def effective_date(self) -> dt.date | None:
        return self.sent_date


class CertificateSetupFields(_Fields):
    # By type; either may be absent (a period with certificates учёта only is common).
    accounting_certificates: Count | None = None  # сертификаты учёта
    pf_certificates: Count | None = None  # сертификаты ПФ
    nominal: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)] | None = None
    by_category: dict[str, Count] | None = None
    effective_from: dt.date | None = None

    def effective_date(self) -> dt.date | None:
        return self.effective_from


class ExpertReviewFields(_Fields):
    protocol_number: Number
    protocol_date: dt.date
    programmes_reviewed: Count | None = None

    def effective_date(self) -> dt.date | None:
        return self.protocol_date


class IndicatorFields(_Fields):
    values: Annotated[dict[str, float], Field(min_length=1)]
    as_of: dt.date | None = None

    def effective_date(self) -> dt.date | None:
        return self.as_of


DATE_FIELDS = {"act_date", "event_date", "sent_date", "effective_from", "protocol_date", "as_of"}

MODELS: dict[StepKind, type[_Fields]] = {
    StepKind.normative_act: NormativeActFields,
    StepKind.event: EventFields,
    StepKind.report: ReportFields,
    StepKind.certificate_setup: CertificateSetupFields,
    StepKind.expert_review: ExpertReviewFields,
    StepKind.indicator: IndicatorFields,
}

# Kinds whose evidence must carry a file unless the template says otherwise.
FILE_REQUIRED = {
    StepKind.normative_act,
    StepKind.event,
    StepKind.report,
    StepKind.expert_review,
}

LABELS = {
    "act_type": "вид акта",
    "act_number": "номер акта",
    "act_date": "дата подписания акта",
    "issuer": "кем издан",
    "url": "ссылка на публикацию",
    "event_date": "дата мероприятия",
    "participants": "число участников",
    "participants_by_category": "участники по категориям",
    "title": "название",
    "recipient": "получатель отчёта",
    "sent_date": "дата направления",
    "accounting_certificates": "число сертификатов учёта",
    "pf_certificates": "число сертификатов ПФ",
    "nominal": "номинал сертификата",
    "by_category": "сертификаты по категориям",
    "effective_from": "дата вступления в силу",
    "protocol_number": "номер протокола МОС",
    "protocol_date": "дата протокола МОС",
    "programmes_reviewed": "число рассмотренных программ",
    "values": "значения показателей",
    "as_of": "дата значений",
    "file": "файл",
}

_HINTS = {
    "missing": "обязательное поле не заполнено",
    "extra_forbidden": "поле не относится к шагу этого вида",
    "literal_error": "допустимые значения: приказ, постановление, распоряжение (в любом регистре)",
    "string_pattern_mismatch": "неверный формат",
    "date_from_datetime_parsing": DATE_HINT,
    "date_parsing": DATE_HINT,
    "date_type": DATE_HINT,
    "int_parsing": "ожидается целое число",
    "int_from_float": "ожидается целое число",
    "int_type": "ожидается целое число",
    "greater_than_equal": "не может быть отрицательным",
    "greater_than": "должно быть больше нуля",
    "decimal_parsing": "ожидается число",
    "float_parsing": "ожидается число",
    "too_short": "не заполнено",
    "string_too_short": "слишком короткое значение",
}

_PATTERN_HINTS = {
    "act_number": "ожидается номер как в документе, например №233, №85/1, №110-37-1397-23",
    "protocol_number": "ожидается номер протокола, например №3",
    "url": "ожидается ссылка http(s)://…",
}


def label(field: str) -> str:
    return f"{field} ({LABELS[field]})" if field in LABELS else field


def _message(kind: StepKind, err: Any) -> Problem:
    loc = [str(p) for p in err.get("loc", ())]
    field = loc[0] if loc else "?"
    etype = str(err.get("type", ""))
    hint = _HINTS.get(etype, str(err.get("msg", "")))
    if etype == "string_pattern_mismatch" and field in _PATTERN_HINTS:
        hint = _PATTERN_HINTS[field]
    got = err.get("input")
    where = label(field) + ("." + ".".join(loc[1:]) if len(loc) > 1 else "")
    text = f"поле {where}: {hint}"
    if etype not in {"missing"} and isinstance(got, str | int | float):
        text += f" (получено «{got}»)"
    return Problem(text, loc[0] if loc else None)


def validate_fields(
    kind: StepKind, fields: dict[str, Any], *, required: list[str], step_label: str
) -> tuple[_Fields, dict[str, str]]:
    """Validate ``fields`` for ``kind``; return the model and template-only extra fields.

    ``required`` is the step's ``evidence_required`` list: names of the kind's model
    must be present; other names (except ``file``) are accepted as free text.
    """
    model = MODELS[kind]
    known = set(model.model_fields)
    extras = {k: v for k, v in fields.items() if k in required and k not in known}
    given = {k: v for k, v in fields.items() if v is not None and k not in extras}
    given = _dates_as_written(given)
    problems: list[Problem] = []
    for name in required:
        if name == "file" or name in given:
            continue
        if name in known or name not in extras:
            problems.append(
                Problem(f"поле {label(name)}: обязательно для шага «{step_label}»", name)
            )
    try:
        parsed = model.model_validate(given)
    except ValidationError as exc:
        problems.extend(_message(kind, e) for e in exc.errors())
        parsed = None
    if parsed is not None:
        problems.extend(_cross_checks(parsed))
    if problems:
        raise EvidenceError(
            f"подтверждение шага «{step_label}» не принято: {problems[0].text}",
            field=problems[0].field,
            details=problems[1:],
        )
    assert parsed is not None
    return parsed, {k: str(v) for k, v in extras.items()}


def _dates_as_written(given: dict[str, Any]) -> dict[str, Any]:
    """``07.05.2020`` as well as ``2020-05-07`` for every date field."""
    out = dict(given)
    for name, value in given.items():
        if name in DATE_FIELDS:
            try:
                out[name] = date_or_none(value, field=name)
            except InputError:
                pass  # the model reports the bad date with the field's label
    return out


def _cross_checks(parsed: _Fields) -> list[Problem]:
    if isinstance(parsed, CertificateSetupFields):
        if parsed.accounting_certificates is None and parsed.pf_certificates is None:
            return [
                Problem(
                    f"поле {label('accounting_certificates')}: укажите число сертификатов учёта "
                    f"и/или {label('pf_certificates')}",
                    "accounting_certificates",
                )
            ]
        return []
    if isinstance(parsed, EventFields) and parsed.participants_by_category is not None:
        if parsed.participants is None:
            return []
        total = sum(parsed.participants_by_category.values())
        if total != parsed.participants:
            return [
                Problem(
                    f"поле {label('participants_by_category')}: сумма {total} "
                    f"не равна числу участников {parsed.participants}",
                    "participants_by_category",
                )
            ]
    return []
