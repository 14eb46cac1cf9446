"""The completion form of a step, derived from its kind's evidence model."""

from __future__ import annotations

import datetime as dt
import json
import typing
from dataclasses import dataclass, field
from typing import Any

from domain.evidence.fields import FILE_REQUIRED, LABELS, MODELS
from models.roadmap import Step, StepKind


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    input: str  # text | date | number | select | json
    required: bool
    options: list[str] = field(default_factory=list)


def _input_for(annotation: Any) -> tuple[str, list[str]]:
    text = str(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return "select", [str(a) for a in typing.get_args(annotation)]
    if "dict" in text:
        return "json", []
    if annotation is dt.date or "datetime.date" in text:
        return "date", []
    if "int" in text or "Decimal" in text or "float" in text:
        return "number", []
    return "text", []


def form_fields(step: Step) -> list[FormField]:
    model = MODELS[StepKind(step.kind)]
    required = set(step.evidence_required)
    out = []
    for name, info in model.model_fields.items():
        kind, options = _input_for(info.annotation)
        out.append(FormField(name, LABELS.get(name, name), kind,
                             info.is_required() or name in required, options))  # fmt: skip
    for name in step.evidence_required:
        if name != "file" and name not in model.model_fields:
            out.append(FormField(name, LABELS.get(name, name), "text", True))
    return out


def file_required(step: Step) -> bool:
    req = list(step.evidence_required)
    return "file" in req if req else StepKind(step.kind) in FILE_REQUIRED


def fields_from_form(step: Step, form: dict[str, str]) -> dict[str, Any]:
    """Non-empty form values; JSON inputs are parsed (left raw if not JSON)."""
    out: dict[str, Any] = {}
    for f in form_fields(step):
        raw = (form.get(f.name) or "").strip()
        if not raw:
            continue
        if f.input == "json":
            try:
                out[f.name] = json.loads(raw)
            except json.JSONDecodeError:
                out[f.name] = raw
        else:
            out[f.name] = raw
    return out
