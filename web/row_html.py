"""Table rows of the overview and the regional page, rendered in Python (issue 19).

These two tables have a row per municipality: 2,500 rows cost Jinja ~30–60 µs each
(an escape and a lookup per expression), so the regional page spent more time in
its template than in its queries. Each function returns exactly the text the
template's loop body produced before (``tests/test_web_perf.py`` renders both and
compares them byte for byte): markup here, every value escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from domain.vocabulary import timezone_ru
from web.region_words import local_time, percent_ru, plural, workdays_ru

if TYPE_CHECKING:
    from web.overview_queries import MunicipalitySummary
    from web.regional import RegionRow


def _e(value: object) -> str:
    return _escaped(str(value))


@lru_cache(maxsize=32768)
def _escaped(text: str) -> str:
    """Escaped text (names, codes and words repeat on every request: escaped once)."""
    return str(escape(text))


def _heat_class(n: int) -> int:
    return 0 if n == 0 else (1 if n == 1 else (2 if n < 5 else (3 if n < 20 else 4)))


@lru_cache(maxsize=64)
def _heat_openings(buckets: tuple[str, ...]) -> tuple[str, ...]:
    """The constant start of each heat cell, up to its class number."""
    return tuple(f'<td data-label="{_e(b)} раб. дн." class="num heat h' for b in buckets)


def region_row(r: RegionRow, buckets: Sequence[str]) -> Markup:
    """One row of ``region.html`` (the text between ``{% for r in rows %}`` and its end)."""
    code = _e(r.code)
    if r.overdue:
        late = (
            f'<a href="/m/{code}?status=overdue#plan">{r.overdue} '
            f"{_e(plural(r.overdue, 'шаг', 'шага', 'шагов'))}</a>, "
            f"до {_e(workdays_ru(r.max_late))}"
        )
    else:
        late = "нет"
    heat = "".join(
        f'{opening}{_heat_class(n)}">{n}</td>'
        for opening, n in zip(_heat_openings(tuple(buckets)), r.heat, strict=False)
    )
    if r.coverage is not None:
        coverage = f"{percent_ru(r.coverage)} ({round(r.actual)} из {round(r.target)})"
    else:
        coverage = "нет данных"
    rejected = f", отклонено {r.nok_rejected}" if r.nok_rejected else ""
    last = _e(local_time(r.last_activity, r.timezone)) if r.last_activity else "—"
    return Markup(
        "\n  <tr>\n"
        f'    <td data-label="Муниципалитет"><a href="/m/{code}">{_e(r.name)}</a>'
        f'<div class="small muted">{_e(timezone_ru(r.timezone))}</div></td>\n'
        f'    <td data-label="Просрочка" class="num">{late}</td>\n'
        f"    {heat}\n"
        f'    <td data-label="Выполнено" class="num">{percent_ru(r.percent_done)}</td>\n'
        f'    <td data-label="Охват к плану" class="num">{coverage}</td>\n'
        f'    <td data-label="НОК" class="num"><a href="/m/{code}/nok">{r.nok_register} '
        f"в реестре из {r.nok_total}</a>{rejected}</td>\n"
        f'    <td data-label="Последнее действие" class="small">{last}</td>\n'
        "  </tr>\n  "
    )


def overview_row(m: MunicipalitySummary, can_audit: bool) -> Markup:
    """One row of ``overview.html`` (the text of one pass of its loop)."""
    code, c = _e(m.code), m.cells
    audit = f'<a href="/audit/{code}">журнал</a> · ' if can_audit else ""

    def cell(label: str, css: str, query: str, n: int) -> str:
        return (
            f'    <td data-label="{label}" class="{css}">'
            f'<a href="/m/{code}{query}#plan">{n}</a></td>\n'
        )

    return Markup(
        "\n  \n"
        f'  <tr class="{"has-overdue" if m.overdue else ""}">\n'
        f'    <td data-label="Муниципалитет"><a href="/m/{code}">{_e(m.name)}</a>'
        f'<div class="muted small">{_e(timezone_ru(m.timezone))}</div></td>\n'
        + cell("Всего", "num", "", m.total)
        + cell("Просрочено", "num overdue", "?status=overdue", c[3])
        + cell("Срок сегодня", "num", "?status=due", c[2])
        + cell("Скоро срок", "num", "?status=due_soon", c[1])
        + cell("Заблокировано", "num", "?status=blocked", c[4])
        + cell("Запланировано", "num", "?status=planned", c[0])
        + cell("Выполнено", "num", "?status=done", m.done)
        + f'    <td data-label="Доля выполненных"><div class="bar" aria-hidden="true">'
        f'<span style="width: {m.percent_done}%"></span></div>{percent_ru(m.percent_done)}</td>\n'
        '    <td data-label="Ссылки" class="small">\n'
        f"      {audit}\n"
        f'      <a href="/m/{code}/nok">НОК</a> ·\n'
        f'      <a href="/ical/municipality/{code}.ics">iCal</a>\n'
        "    </td>\n"
        "  </tr>\n  "
    )
