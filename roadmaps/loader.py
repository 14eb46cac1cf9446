"""Roadmap YAML -> validated ``TemplateSpec``; every error as ``FILE:LINE:COL: message``.

All problems of a file are collected before raising one ``RoadmapError``:
YAML syntax (stops there), duplicate mapping keys, structure and types
(pydantic), then cross-step rules (``roadmaps.checks``) on whatever parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from domain.errors import RoadmapError
from roadmaps.checks import check_template
from roadmaps.messages import clean_loc, describe, field_label
from roadmaps.schema import ReminderPolicySpec, StepSpec, TemplateSpec
from roadmaps.yaml_marks import Located, Pos, YamlSyntaxError, compose

TEMPLATES_DIR = Path(__file__).parent / "templates"
YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedTemplate:
    """A validated template with the exact text it came from."""

    spec: TemplateSpec
    source_text: str
    path: Path


def resolve_template(name_or_path: str | Path) -> Path:
    """A template file by path, or by name in ``roadmaps/templates`` ("moc-standard")."""
    p = Path(name_or_path)
    if p.exists():
        return p
    if p.suffix == "" and "/" not in str(name_or_path):
        bundled = TEMPLATES_DIR / f"{name_or_path}.yaml"
        if bundled.exists():
            try:
                return bundled.relative_to(Path.cwd())
            except ValueError:
                return bundled
    names = ", ".join(sorted(t.stem for t in TEMPLATES_DIR.glob("*.yaml")))
    raise RoadmapError(
        f"{name_or_path}: файл не найден (и это не имя встроенного шаблона: {names})"
    )


def load_template(path: str | Path) -> TemplateSpec:
    """Validate a template file (path or bundled name); raise RoadmapError with all errors."""
    return read_template(path).spec


def read_template(path: str | Path) -> LoadedTemplate:
    """Like ``load_template`` but also returns the source text (for sha256 and storage)."""
    file = resolve_template(path)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RoadmapError(f"{file}: файл не в кодировке UTF-8 (байт {exc.start})") from None
    except OSError as exc:
        raise RoadmapError(f"{file}: не удалось прочитать файл: {exc.strerror}") from None
    spec = parse_template(text, source_name=str(file))
    return LoadedTemplate(spec=spec, source_text=text, path=file)


def parse_template(text: str, *, source_name: str = "<template>") -> TemplateSpec:
    """Validate template text; ``source_name`` prefixes every error line."""
    try:
        located = compose(text)
    except YamlSyntaxError as exc:
        raise _error(source_name, [(exc.pos, exc.message)]) from None
    data = located.data
    problems = [(pos, _prefix(path, data) + msg) for pos, msg, path in located.problems]
    if data is None:
        raise _error(source_name, problems)
    spec: TemplateSpec | None = None
    try:
        spec = TemplateSpec.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc, key_err = clean_loc(tuple(err["loc"]))
            message, at_key = describe(err, field_label(_local(loc)))
            pos = located.pos(loc, at_key=at_key or key_err)
            problems.append((pos, _prefix(loc, data) + message))
    partial, skip = (spec, frozenset[int]()) if spec else _partial(data)
    if partial is not None:
        for issue in check_template(partial, skip=skip):
            pos = located.pos(issue.path, at_key=issue.at_key)
            problems.append((pos, _prefix(issue.path, data) + issue.message))
    if problems:
        raise _error(source_name, problems)
    assert spec is not None
    return spec


def _local(loc: YamlPath) -> YamlPath:
    """The part of a path inside its step or policy (what the message names)."""
    if len(loc) >= 2 and loc[0] in ("steps", "reminder_policies"):
        return loc[2:]
    return loc


def _prefix(loc: YamlPath, data: Any) -> str:
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
        steps = data.get("steps") if isinstance(data, dict) else None
        raw = steps[loc[1]] if isinstance(steps, list) and loc[1] < len(steps) else None
        key = raw.get("key") if isinstance(raw, dict) else None
        return f"шаг «{key}»: " if isinstance(key, str) else f"шаг №{loc[1] + 1}: "
    if len(loc) >= 2 and loc[0] == "reminder_policies":
        return f"политика напоминаний «{loc[1]}»: "
    return ""


def _partial(data: Any) -> tuple[TemplateSpec | None, frozenset[int]]:
    """A best-effort spec of a structurally invalid template, for the cross-step rules.

    Steps that do not validate become placeholders carrying only their key, so
    references to them are not reported as unknown.
    """
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        return None, frozenset()
    steps: list[StepSpec] = []
    skip: set[int] = set()
    for i, raw in enumerate(data["steps"]):
        step = _lenient_step(raw)
        if step is None:
            key = raw.get("key") if isinstance(raw, dict) else None
            step = StepSpec.model_construct(  # type: ignore[call-arg]
                key=key if isinstance(key, str) else f"<{i}>"
            )
            skip.add(i)
        steps.append(step)
    params = data.get("parameters")
    policies = data.get("reminder_policies")
    spec = TemplateSpec.model_construct(  # type: ignore[call-arg]
        parameters={k: v for k, v in params.items() if isinstance(v, str)}
        if isinstance(params, dict)
        else {},
        reminder_policies={str(k): ReminderPolicySpec() for k in policies}
        if isinstance(policies, dict)
        else {},
        steps=steps,
    )
    return spec, frozenset(skip)


_FILLERS: dict[str, Any] = {"title": "?", "kind": "event"}
_VITAL = {"key", "due", "recurrence", "depends_on"}


def _lenient_step(raw: Any) -> StepSpec | None:
    """The step with its harmless bad fields dropped or filled; None if it cannot be
    checked (not a mapping, or its key, due rule, recurrence or dependencies are bad)."""
    try:
        return StepSpec.model_validate(raw)
    except ValidationError as exc:
        if not isinstance(raw, dict):
            return None
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    if bad & _VITAL:
        return None
    fixed = {k: v for k, v in raw.items() if k not in bad}
    fixed.update({k: v for k, v in _FILLERS.items() if k in bad})
    try:
        return StepSpec.model_validate(fixed)
    except ValidationError:
        return None


def _error(source: str, problems: list[tuple[Pos, str]]) -> RoadmapError:
    lines = sorted(set(problems), key=lambda p: (p[0].line, p[0].col, p[1]))
    details = [f"{source}:{pos.line}:{pos.col}: {msg}" for pos, msg in lines]
    n = len(details)
    return RoadmapError(f"шаблон {source} содержит ошибки: {n}", details=details)


__all__ = [
    "LoadedTemplate",
    "Located",
    "load_template",
    "parse_template",
    "read_template",
    "resolve_template",
]
