"""Rows of the municipality page's plan and overdue tables, rendered in Python (issue 19).

Jinja spends an escape and a lookup per expression: the 40 plan rows and the overdue
rows (50+ at 500 steps) were most of the page's template time. Each function returns
exactly what the template loop (with its ``else``) produced, using the template
environment's own filters; ``tests/test_web_municipality_html.py`` renders the former
loops and finds them verbatim in the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

Filters = Mapping[str, Callable[..., Any]]


def _e(value: object) -> str:
    return str(escape(value))


@lru_cache(maxsize=8192)
def _w(text: str) -> str:
    """Escaped words that repeat on every row (dates, kinds, roles, statuses): once."""
    return str(escape(text))


def _period(s: Any, f: Filters) -> str:
    return f' <span class="muted">{_w(f["period_ru"](s.period))}</span>' if s.period else ""


def plan_rows(
    plan: Sequence[Any], organisations: Mapping[int, str], status_qs: Mapping[str, str], f: Filters
) -> Markup:
    """The body of ``#plan-table``: one row per step of the page, or the empty-list row."""
    if not plan:
        return Markup(
            '\n  <tr><td colspan="5" class="muted">Шагов по выбранным условиям нет.</td></tr>\n  '
        )
    ru_date, kind_ru, role_ru, status_ru = (
        f["ru_date"],
        f["kind_ru"],
        f["role_ru"],
        f["status_ru"],
    )
    out = []
    for s in plan:
        st = s.status.value
        if s.organisation_id:
            name = organisations.get(s.organisation_id, "организация")
            owner = f'<a href="/org/{int(s.organisation_id)}">{_w(name)}</a>'
        else:
            owner = _w(role_ru(s.owner_role))
        out.append(
            f'\n    <tr class="row-{_w(st)}">'
            f'\n      <td data-label="Срок" class="date">{_w(ru_date(s.due_date))}</td>'
            f'\n      <td data-label="Шаг"><a href="/steps/{int(s.id)}">{_e(s.title)}</a>'
            f"{_period(s, f)}</td>"
            f'\n      <td data-label="Вид" class="small">{_w(kind_ru(s.kind.value))}</td>'
            f'\n      <td data-label="Исполнитель" class="small">{owner}</td>'
            f'\n      <td data-label="Статус"><a class="badge st-{_w(st)}" '
            f'href="?{_w(status_qs[st])}#plan">{_w(status_ru(st))}</a></td>'
            "\n    </tr>\n  "
        )
    return Markup("".join(out))


def late_rows(items: Sequence[Any], whos: Mapping[Any, Markup], f: Filters) -> Markup:
    """The body of the overdue table (``late_table`` in _status.html)."""
    if not items:
        return Markup('<tr><td colspan="5" class="muted">Просроченных шагов нет.</td></tr>')
    ru_date, workdays_ru = f["ru_date"], f["workdays_ru"]
    out = []
    for x in items:
        s = x.row
        out.append(
            '\n  <tr class="row-overdue">'
            f'\n    <td data-label="Просрочка" class="late">{_w(workdays_ru(x.late_days))}'
            f'<div class="small muted">срок {_w(ru_date(s.due_date))}</div></td>'
            f'\n    <td data-label="Шаг"><a href="/steps/{int(s.id)}">{_e(s.title)}</a>'
            f"{_period(s, f)}</td>"
            f'\n    <td data-label="Кто отвечает">{whos[x.person]}</td>'
            f'\n    <td data-label="Чего не хватает" class="small">'
            f"{_w(', '.join(map(str, x.missing)))}</td>"
            f'\n    <td data-label="Действие"><a class="button" href="/steps/{int(s.id)}'
            '#complete-form">Загрузить подтверждение</a></td>'
            "\n  </tr>\n  "
        )
    return Markup("".join(out))
