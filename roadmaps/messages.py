"""Russian messages for pydantic validation errors of a roadmap template."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from roadmaps.schema import DueSpec, ReminderPolicySpec, StepSpec, TemplateSpec

Path = tuple[str | int, ...]

_TYPE_NAMES = {
    "str": "строка",
    "int": "целое число",
    "float": "дробное число",
    "bool": "true/false",
    "list": "список",
    "dict": "отображение (поле: значение)",
    "NoneType": "пустое значение",
}

_EXPECTED = {
    "string_type": "строка",
    "int_type": "целое число",
    "bool_type": "true или false",
    "list_type": "список",
    "dict_type": "отображение (поле: значение)",
    "model_type": "отображение (поле: значение)",
    "model_attributes_type": "отображение (поле: значение)",
}


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


_ALL_FIELDS = sorted(
    set().union(*(_fields(m) for m in (TemplateSpec, StepSpec, DueSpec, ReminderPolicySpec)))
)


def type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value).__name__, type(value).__name__)


def field_label(loc: Path) -> str:
    """``("due", "working_days")`` -> ``due.working_days``; list items as ``[i]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def clean_loc(loc: tuple[Any, ...]) -> tuple[Path, bool]:
    """Drop pydantic's pseudo-segments; True if the error is about a mapping key."""
    at_key = False
    out: list[str | int] = []
    for part in loc:
        if part == "[key]":
            at_key = True
            continue
        if isinstance(part, str | int):
            out.append(part)
    return tuple(out), at_key


def describe(err: ErrorDetails, label: str) -> tuple[str, bool]:
    """(message, point at key?) for one pydantic error; ``label`` names the field."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    name = label.rsplit(".", 1)[-1] if label else ""
    where = f"поле '{label}': " if label else ""
    if kind == "missing":
        return f"не задано обязательное поле '{name}'", False
    if kind == "extra_forbidden":
        near = difflib.get_close_matches(name, _ALL_FIELDS, n=1)
        hint = f" (может быть, '{near[0]}'?)" if near else ""
        return f"неизвестное поле '{name}'{hint}", True
    if kind == "enum":
        allowed = str(ctx.get("expected", "")).replace(" or ", ", ")
        return f"{where}недопустимое значение '{value}' (допустимо: {allowed})", False
    if kind in _EXPECTED:
        return f"{where}ожидается {_EXPECTED[kind]}, получено: {type_name(value)}", False
    if kind == "string_pattern_mismatch":
        if "a-z0-9_.-" in str(ctx.get("pattern", "")):
            rule = "латинские строчные буквы, цифры, '-', '_' и '.'"
        elif "\\d{2}:\\d{2}" in str(ctx.get("pattern", "")):
            rule = "формат ЧЧ:ММ-ЧЧ:ММ"
        else:
            rule = "латинские строчные буквы, цифры и '_', начиная с буквы"
        return f"{where}недопустимое значение '{value}' (допустимы {rule})", False
    if kind == "string_too_short":
        return f"{where}значение не может быть пустым", False
    if kind == "too_short":
        return f"{where}список не может быть пустым", False
    if kind == "string_too_long":
        return f"{where}слишком длинное значение (больше {ctx.get('max_length')} символов)", False
    if kind == "greater_than_equal":
        return f"{where}значение {value} должно быть не меньше {ctx.get('ge')}", False
    if kind == "less_than_equal":
        return f"{where}значение {value} должно быть не больше {ctx.get('le')}", False
    return f"{where}{err['msg']}", False
