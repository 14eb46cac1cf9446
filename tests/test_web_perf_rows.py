"""The Python row renderers of web/row_html.py produce the templates' text exactly.

The references below are the loop bodies of ``region.html`` and ``overview.html`` as
they were before the rows moved to Python (issue 19); both are rendered with the
app's Jinja environment and compared byte for byte, over rows that take every branch.
"""

from __future__ import annotations

import datetime as dt

import pytest

from models.settings import Settings
from web.app import create_app
from web.overview_queries import MunicipalitySummary
from web.regional import BUCKET_TITLES, RegionRow
from web.row_html import overview_row, region_row

REGION_LOOP = '{% for r in rows %}\n  <tr>\n    <td data-label="Муниципалитет"><a href="/m/{{ r.code }}">{{ r.name }}</a><div class="small muted">{{ r.timezone | tz_ru }}</div></td>\n    <td data-label="Просрочка" class="num">{% if r.overdue %}<a href="/m/{{ r.code }}?status=overdue#plan">{{ r.overdue }} {{ r.overdue | plural("шаг", "шага", "шагов") }}</a>, до {{ r.max_late | workdays_ru }}{% else %}нет{% endif %}</td>\n    {% for n in r.heat %}<td data-label="{{ buckets[loop.index0] }} раб. дн." class="num heat h{{ 0 if n == 0 else (1 if n == 1 else (2 if n < 5 else (3 if n < 20 else 4))) }}">{{ n }}</td>{% endfor %}\n    <td data-label="Выполнено" class="num">{{ r.percent_done | percent_ru }}</td>\n    <td data-label="Охват к плану" class="num">{% if r.coverage is not none %}{{ r.coverage | percent_ru }} ({{ r.actual | round | int }} из {{ r.target | round | int }}){% else %}нет данных{% endif %}</td>\n    <td data-label="НОК" class="num"><a href="/m/{{ r.code }}/nok">{{ r.nok_register }} в реестре из {{ r.nok_total }}</a>{% if r.nok_rejected %}, отклонено {{ r.nok_rejected }}{% endif %}</td>\n    <td data-label="Последнее действие" class="small">{{ r.last_activity | local_time(r.timezone) if r.last_activity else "—" }}</td>\n  </tr>\n  {% endfor %}'
OVERVIEW_LOOP = '{% for m in rows %}\n  {% set c = m.cells %}\n  <tr class="{% if m.overdue %}has-overdue{% endif %}">\n    <td data-label="Муниципалитет"><a href="/m/{{ m.code }}">{{ m.name }}</a><div class="muted small">{{ m.timezone | tz_ru }}</div></td>\n    <td data-label="Всего" class="num"><a href="/m/{{ m.code }}#plan">{{ m.total }}</a></td>\n    <td data-label="Просрочено" class="num overdue"><a href="/m/{{ m.code }}?status=overdue#plan">{{ c[3] }}</a></td>\n    <td data-label="Срок сегодня" class="num"><a href="/m/{{ m.code }}?status=due#plan">{{ c[2] }}</a></td>\n    <td data-label="Скоро срок" class="num"><a href="/m/{{ m.code }}?status=due_soon#plan">{{ c[1] }}</a></td>\n    <td data-label="Заблокировано" class="num"><a href="/m/{{ m.code }}?status=blocked#plan">{{ c[4] }}</a></td>\n    <td data-label="Запланировано" class="num"><a href="/m/{{ m.code }}?status=planned#plan">{{ c[0] }}</a></td>\n    <td data-label="Выполнено" class="num"><a href="/m/{{ m.code }}?status=done#plan">{{ m.done }}</a></td>\n    <td data-label="Доля выполненных"><div class="bar" aria-hidden="true"><span style="width: {{ m.percent_done }}%"></span></div>{{ m.percent_done | percent_ru }}</td>\n    <td data-label="Ссылки" class="small">\n      {% if scope.can_audit %}<a href="/audit/{{ m.code }}">журнал</a> · {% endif %}\n      <a href="/m/{{ m.code }}/nok">НОК</a> ·\n      <a href="/ical/municipality/{{ m.code }}.ics">iCal</a>\n    </td>\n  </tr>\n  {% endfor %}'


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> object:
    db = tmp_path_factory.mktemp("rows") / "x.db"
    app = create_app(Settings(database_url=f"sqlite:///{db}"))
    return app.state.templates.env


def _region_rows() -> list[RegionRow]:
    at = dt.datetime(2025, 3, 1, 11, 5, tzinfo=dt.UTC)
    out = []
    for i, (overdue, late, heat) in enumerate(
        [
            (0, 0, [0, 0, 0, 0]),
            (1, 1, [1, 0, 0, 0]),
            (2, 7, [0, 2, 0, 0]),
            (5, 12, [0, 1, 4, 0]),
            (21, 22, [20, 5, 19, 21]),
            (112, 300, [0, 0, 0, 112]),
        ]
    ):
        r = RegionRow(
            i,
            f"m{i}",
            f"Муниципалитет «{i}» & <К>",
            ("Europe/Moscow", "Asia/Kamchatka", "Asia/Yekaterinburg")[i % 3],
        )
        r.total, r.done, r.overdue, r.max_late, r.heat = 10 * i + 3, 3 * i, overdue, late, heat
        r.target, r.actual = (0.0, 0.0) if i % 2 else (10.0 + i, 2.5 * i + 0.5)
        r.nok_total, r.nok_register, r.nok_rejected = i, i // 2, i % 3
        r.last_activity = at if i % 2 else None
        out.append(r)
    return out


def test_region_rows_equal_the_template(env: object) -> None:
    rows = _region_rows()
    want = env.from_string(REGION_LOOP).render(rows=rows, buckets=BUCKET_TITLES)  # type: ignore[attr-defined]
    assert "".join(region_row(r, BUCKET_TITLES) for r in rows) == want


@pytest.mark.parametrize("can_audit", [True, False])
def test_overview_rows_equal_the_template(env: object, can_audit: bool) -> None:
    rows = []
    for i, counts in enumerate(
        [
            {},
            {"overdue": 3, "done": 1},
            {"planned": 7, "waived": 2, "due": 1, "due_soon": 4, "blocked": 5},
        ]
    ):
        m = MunicipalitySummary(
            i, f"c{i}", f"МО <{i}> & «Ко»", "Asia/Irkutsk" if i else "Europe/Kaliningrad"
        )
        m.counts = counts
        rows.append(m.finish())

    class Scope:
        pass

    scope = Scope()
    scope.can_audit = can_audit  # type: ignore[attr-defined]
    want = env.from_string(OVERVIEW_LOOP).render(rows=rows, scope=scope)  # type: ignore[attr-defined]
    assert "".join(overview_row(m, can_audit) for m in rows) == want
