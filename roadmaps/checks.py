"""Cross-step rules of a structurally valid template.

Each problem is an ``Issue`` with the path of the offending YAML node (e.g.
``("steps", 3, "due", "after")``) so the loader can print its line and column.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.roadmap import Recurrence
from roadmaps.dates import DateExprError, ParamRef, parse_date_expr
from roadmaps.schema import StepSpec, TemplateSpec

Path = tuple[str | int, ...]
SINGLE = (Recurrence.once, Recurrence.yearly)
# Keys of Roadmap.parameters that are not parameter dates.
RESERVED_PARAMS = frozenset({"reminder_policies"})


@dataclass(frozen=True)
class Issue:
    path: Path
    message: str
    # Point at the mapping key instead of its value (unknown/duplicate/misplaced keys).
    at_key: bool = False


def check_template(spec: TemplateSpec, *, skip: frozenset[int] = frozenset()) -> list[Issue]:
    """Every rule violation of the template, in file order.

    ``skip`` holds indices of steps that failed structural validation (placeholders
    that only contribute their key): their own rules are not checked.
    """
    issues: list[Issue] = []
    for name, value in spec.parameters.items():
        if name in RESERVED_PARAMS:
            issues.append(
                Issue(("parameters", name), f"имя параметра '{name}' зарезервировано", at_key=True)
            )
        try:
            parse_date_expr(value, allow_params=False)
        except DateExprError as exc:
            issues.append(Issue(("parameters", name), f"параметр '{name}': {exc}"))
    index: dict[str, int] = {}
    for i, step in enumerate(spec.steps):
        if step.key in index:
            first = index[step.key]
            issues.append(
                Issue(
                    ("steps", i, "key"),
                    f"повторяющийся ключ шага '{step.key}' (уже задан в шаге №{first + 1})",
                )
            )
        else:
            index[step.key] = i
    policies = spec.policies()
    for i, step in enumerate(spec.steps):
        if i not in skip:
            issues.extend(_check_step(spec, i, step, index, set(policies), skip))
    issues.extend(_check_cycles(spec, index, skip))
    return issues


def _check_step(
    spec: TemplateSpec,
    i: int,
    step: StepSpec,
    index: dict[str, int],
    policies: set[str],
    skip: frozenset[int],
) -> list[Issue]:
    out: list[Issue] = []
    here: Path = ("steps", i)
    due = step.due
    rule = due.rule()
    if rule == "":
        out.append(
            Issue(
                (*here, "due"),
                "срок: укажите ровно одно из 'date', 'after', 'period_end: true'",
                at_key=True,
            )
        )
    if due.period_end is False:
        out.append(
            Issue(
                (*here, "due", "period_end"),
                "'period_end: false' не имеет смысла; "
                "уберите поле или задайте срок через 'date' или 'after'",
            )
        )
    if due.date is not None:
        try:
            expr = parse_date_expr(due.date)
            if isinstance(expr, ParamRef) and expr.name not in spec.parameters:
                known = ", ".join(sorted(spec.parameters)) or "параметров нет"
                out.append(
                    Issue(
                        (*here, "due", "date"),
                        f"неизвестный параметр '{{{expr.name}}}' (известны: {known})",
                    )
                )
        except DateExprError as exc:
            out.append(Issue((*here, "due", "date"), str(exc)))
        if step.recurrence not in SINGLE:
            out.append(
                Issue(
                    (*here, "due", "date"),
                    f"шаг с повторением '{step.recurrence}' "
                    "не может иметь фиксированную дату; используйте 'period_end: true'",
                    at_key=True,
                )
            )
    if due.period_end and step.recurrence == Recurrence.once:
        out.append(
            Issue(
                (*here, "due", "period_end"),
                "'period_end' нельзя задать для "
                "однократного шага (recurrence: once): у него нет периода",
                at_key=True,
            )
        )
    if due.after is not None:
        if due.working_days < 0:
            out.append(
                Issue(
                    (*here, "due", "working_days"),
                    "для 'after' число рабочих дней "
                    f"не может быть отрицательным ({due.working_days})",
                )
            )
        target = due.after
        if target not in index:
            out.append(Issue((*here, "due", "after"), _unknown_ref(target, index)))
        elif index[target] not in skip:
            other = spec.steps[index[target]]
            if other.recurrence not in SINGLE and other.recurrence != step.recurrence:
                out.append(
                    Issue(
                        (*here, "due", "after"),
                        f"срок отсчитывается от шага "
                        f"'{target}' с повторением '{other.recurrence}', а у этого шага "
                        f"повторение '{step.recurrence}': повторения должны совпадать",
                    )
                )
    seen: set[str] = set()
    for j, ref in enumerate(step.depends_on):
        if ref in seen:
            out.append(Issue((*here, "depends_on", j), f"зависимость '{ref}' указана дважды"))
        seen.add(ref)
        if ref not in index:
            out.append(Issue((*here, "depends_on", j), _unknown_ref(ref, index)))
    seen.clear()
    for j, name in enumerate(step.evidence):
        if name in seen:
            out.append(Issue((*here, "evidence", j), f"поле подтверждения '{name}' указано дважды"))
        seen.add(name)
    if step.reminders not in policies:
        out.append(
            Issue(
                (*here, "reminders"),
                f"неизвестная политика напоминаний "
                f"'{step.reminders}' (известны: {', '.join(sorted(policies))})",
            )
        )
    return out


def _unknown_ref(ref: str, index: dict[str, int]) -> str:
    near = [k for k in index if k.startswith(ref[:4])][:3]
    hint = f" (может быть: {', '.join(near)})" if near else ""
    return f"ссылка на несуществующий шаг '{ref}'{hint}"


def _edges(
    spec: TemplateSpec, index: dict[str, int], skip: frozenset[int]
) -> dict[int, list[tuple[int, Path]]]:
    """Step -> (referenced step, path of the reference) via depends_on and due.after."""
    edges: dict[int, list[tuple[int, Path]]] = {}
    for i, step in enumerate(spec.steps):
        if index.get(step.key) != i or i in skip:
            continue  # duplicates and invalid steps are reported separately
        out: list[tuple[int, Path]] = []
        for j, ref in enumerate(step.depends_on):
            if ref in index:
                out.append((index[ref], ("steps", i, "depends_on", j)))
        if step.due.after is not None and step.due.after in index:
            out.append((index[step.due.after], ("steps", i, "due", "after")))
        edges[i] = out
    return edges


def _check_cycles(spec: TemplateSpec, index: dict[str, int], skip: frozenset[int]) -> list[Issue]:
    edges = _edges(spec, index, skip)
    state: dict[int, int] = {}  # 1 = on stack, 2 = done
    stack: list[tuple[int, Path | None]] = []
    found: list[Issue] = []
    seen_cycles: set[frozenset[int]] = set()

    def visit(node: int) -> None:
        state[node] = 1
        for nxt, path in edges.get(node, []):
            if state.get(nxt) == 1:
                chain = [n for n, _ in stack] + [node]
                members = chain[chain.index(nxt) :]
                ring = frozenset(members)
                if ring not in seen_cycles:
                    seen_cycles.add(ring)
                    names = " → ".join(spec.steps[n].key for n in [*members, nxt])
                    found.append(Issue(path, f"циклическая зависимость: {names}"))
            elif nxt not in state:
                stack.append((node, path))
                visit(nxt)
                stack.pop()
        state[node] = 2

    for i in sorted(edges):
        if i not in state:
            stack.clear()
            visit(i)
    return found
