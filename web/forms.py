"""The completion form of a step, derived from its kind's evidence model."""

from __future__ import annotations

import datetime as dt
import re
import typing
from dataclasses import dataclass, field
from typing import Any

from domain.evidence.fields import FILE_REQUIRED, LABELS, MODELS
from models.roadmap import Step, StepKind

# Split counts are asked as one number per audience (never as JSON); the keys are the
# words stored in the evidence, so they need no label of their own.
AUDIENCES: dict[str, tuple[str, ...]] = {
    "participants_by_category": ("дети", "родители", "педагоги", "представители организаций"),
    "by_category": ("дети 5–7 лет", "дети 8–13 лет", "дети 14–18 лет", "дети с ОВЗ"),
}
FILE_LABEL = "файл подтверждения"
_FIELD_PREFIX = re.compile(r"^(?:.*?\s)?поле [^:]+:\s*")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    input: str  # text | date | number | select | split
    required: bool
    options: list[str] = field(default_factory=list)  # select choices or split audiences

    def part(self, audience: str) -> str:
        """Input name of one audience of a split count."""
        return f"{self.name}.{audience}"


def _input_for(name: str, annotation: Any) -> tuple[str, list[str]]:
    text = str(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return "select", [str(a) for a in typing.get_args(annotation)]
    if "dict" in text:
        return "split", list(AUDIENCES.get(name, AUDIENCES["participants_by_category"]))
    if annotation is dt.date or "datetime.date" in text:
        return "date", []
    if "int" in text or "Decimal" in text or "float" in text:
        return "number", []
    if name == "url":
        return "url", []
    return "text", []


def form_fields_for(kind: str, evidence_required: list[str]) -> list[FormField]:
    model = MODELS[StepKind(kind)]
    required = set(evidence_required)
    out = []
    for name, info in model.model_fields.items():
        kind_, options = _input_for(name, info.annotation)
        out.append(
            FormField(
                name, LABELS.get(name, name), kind_, info.is_required() or name in required, options
            )
        )
    for name in evidence_required:
        if name != "file" and name not in model.model_fields:
            out.append(FormField(name, LABELS.get(name, name), "text", True))
    return out


def form_fields(step: Step) -> list[FormField]:
    return form_fields_for(step.kind, list(step.evidence_required))


def file_required_for(kind: str, evidence_required: list[str]) -> bool:
    req = list(evidence_required)
    return "file" in req if req else StepKind(kind) in FILE_REQUIRED


def file_required(step: Step) -> bool:
    return file_required_for(step.kind, list(step.evidence_required))


def missing_evidence(kind: str, evidence_required: list[str]) -> list[str]:
    """What an unfinished step still needs, in words (required fields, then the file)."""
    names = [f.label for f in form_fields_for(kind, evidence_required) if f.required]
    return names + ([FILE_LABEL] if file_required_for(kind, evidence_required) else [])


def fields_from_form(step: Step, form: dict[str, str]) -> dict[str, Any]:
    """Non-empty form values; split counts are gathered from their per-audience inputs."""
    out: dict[str, Any] = {}
    for f in form_fields(step):
        if f.input == "split":
            parts = {a: (form.get(f.part(a)) or "").strip() for a in f.options}
            split = {a: _number(v) for a, v in parts.items() if v}
            if split:
                out[f.name] = split
            continue
        raw = (form.get(f.name) or "").strip()
        if raw:
            out[f.name] = raw
    return out


def _number(raw: str) -> int | str:
    """An integer when it is one; otherwise the text, for the validator to name the field."""
    try:
        return int(raw.replace(" ", ""))
    except ValueError:
        return raw


def errors_by_field(items: list[dict[str, Any]]) -> tuple[dict[str, str], list[str]]:
    """One message per field (the first), and the messages that name no field."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for item in items:
        loc = item["loc"]
        name = loc[-1] if len(loc) > 1 else None
        if name is None:
            general.append(item["msg"])
        else:
            text = _FIELD_PREFIX.sub("", str(item["msg"]))
            if "обязател" in text.lower():  # the step key in such messages is not for people
                text = f"заполните поле «{LABELS.get(str(name), FILE_LABEL)}»"
            by_field.setdefault(str(name), text[:1].upper() + text[1:])
    return by_field, general
