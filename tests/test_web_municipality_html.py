"""The municipality page's per-row strings computed once per page keep its text (issue 19).

pages.py now passes the status links, the pager links and the "who acts" HTML of each
person precomputed (``status_qs``, ``page_qs``, ``whos``). The references below are the
template fragments as they were before, rendered with the app's Jinja environment over
the same view; each must appear verbatim in the page served, for several filters,
orders and pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models import Municipality, Person, Role, Step
from models.db import make_engine, session_scope
from models.people import TokenScope
from models.settings import Settings
from tests.factories import pk
from tests.test_web_municipality_view import NOW, _seed
from web import queries
from web.access import build_scope
from web.app import create_app
from web.auth_tokens import add_access_token
from web.municipality_view import municipality_view

TOKEN = "html-admin-token"
PLAN_ROWS = """{% for s in v.plan %}
    <tr class="row-{{ s.status.value }}">
      <td data-label="Срок" class="date">{{ s.due_date | ru_date }}</td>
      <td data-label="Шаг"><a href="/steps/{{ s.id }}">{{ s.title }}</a>{% if s.period %} <span class="muted">{{ s.period | period_ru }}</span>{% endif %}</td>
      <td data-label="Вид" class="small">{{ s.kind.value | kind_ru }}</td>
      <td data-label="Исполнитель" class="small">{% if s.organisation_id %}<a href="/org/{{ s.organisation_id }}">{{ v.organisations.get(s.organisation_id, "организация") }}</a>{% else %}{{ s.owner_role | role_ru }}{% endif %}</td>
      <td data-label="Статус"><a class="badge st-{{ s.status.value }}" href="?{{ dict(base, status=s.status.value) | urlencode }}#plan">{{ s.status.value | status_ru }}</a></td>
    </tr>
  {% else %}
  <tr><td colspan="5" class="muted">Шагов по выбранным условиям нет.</td></tr>
  {% endfor %}"""
PAGER = """{% for n in range(1, v.pages + 1) %}{% if n == v.page %}<span aria-current="page">{{ n }}</span>{% else %}<a href="?{{ dict(base, sort=v.sort, page=n) | urlencode }}#plan">{{ n }}</a>{% endif %} {% endfor %}"""
LATE_ROWS = """{% from "_status.html" import who %}{% for x in v.late %}{% set s = x.row %}
  <tr class="row-overdue">
    <td data-label="Просрочка" class="late">{{ x.late_days | workdays_ru }}<div class="small muted">срок {{ s.due_date | ru_date }}</div></td>
    <td data-label="Шаг"><a href="/steps/{{ s.id }}">{{ s.title }}</a>{% if s.period %} <span class="muted">{{ s.period | period_ru }}</span>{% endif %}</td>
    <td data-label="Кто отвечает">{{ who(x.person) }}</td>
    <td data-label="Чего не хватает" class="small">{{ x.missing | join(", ") }}</td>
    <td data-label="Действие"><a class="button" href="/steps/{{ s.id }}#complete-form">Загрузить подтверждение</a></td>
  </tr>
  {% else %}<tr><td colspan="5" class="muted">Просроченных шагов нет.</td></tr>{% endfor %}"""
NEXT_WEEK = """{% from "_status.html" import badge, who %}{% for s in v.next_week %}<li>{{ s.due_date | ru_date }} — <a href="/steps/{{ s.id }}">{{ s.title }}</a> {{ badge(s.status) }}
    <div class="small muted">{% set p = v.people.get("org:" ~ s.organisation_id if s.organisation_id else s.owner_role) %}{% if p %}{{ who(p) }}{% else %}{{ s.owner_role | role_ru }}{% endif %}</div></li>
  {% endfor %}"""
QUERIES = [
    ({}, 1),
    ({"status": "overdue"}, 1),
    ({"kind": "event", "sort": "title"}, 2),
    ({"owner": "moc_head", "sort": "-due"}, 3),
    ({"status": "open", "sort": "status"}, 2),
    ({}, 99),
    ({"status": "done", "kind": "report"}, 1),  # no overdue rows
    ({"owner": "org:999999"}, 1),  # no rows at all
]
IN_TBODY = ("plan", "late")  # loops that are a whole <tbody>


@pytest.fixture
def client(db_url: str, tmp_path: Any) -> Any:
    _seed(db_url, 300)
    with session_scope(make_engine(db_url)) as s:
        head = s.execute(select(Person).where(col(Person.role) == Role.moc_head)).scalar_one()
        head.full_name, head.email = "Петров & Ко", "p@x.ru"  # escaped; with a contact
        s.add(head)
        for st in s.execute(select(Step)).scalars():  # titles and periods that need escaping
            if st.id % 2:
                st.title, st.period = f'{st.title} <i>&"', "2025-Q1"
                s.add(st)
        admin = s.execute(select(Person).where(col(Person.role) == Role.admin)).scalar_one()
        far = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
        add_access_token(s, pk(admin), TOKEN, scope=TokenScope.read, expires_at=far)
    settings = Settings(database_url=db_url, evidence_dir=tmp_path / "ev")
    app = create_app(settings, clock=lambda: NOW)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        yield c


def test_page_text_equals_the_former_template_fragments(client: Any) -> None:
    env = client.app.state.templates.env
    with Session(client.app.state.engine) as s:
        admin = s.execute(select(Person).where(col(Person.role) == Role.admin)).scalar_one()
        scope = build_scope(s, admin)
        m = s.execute(select(Municipality).where(col(Municipality.code) == "mv")).scalar_one()
        seen: set[str] = set()
        for params, page in QUERIES:
            r = client.get("/m/mv", params={**params, "page": page})
            assert r.status_code == 200
            html = r.text
            base = {k: params[k] for k in ("status", "kind", "owner") if k in params}
            f = queries.StepFilters(**base)
            v = municipality_view(
                s, scope, m, filters=f, now=NOW, sort=params.get("sort", "due"), page=page
            )
            for name, fragment in [
                ("plan", PLAN_ROWS),
                ("pager", PAGER),
                ("late", LATE_ROWS),
                ("week", NEXT_WEEK),
            ]:
                if name == "pager" and v.pages == 1:
                    assert 'class="pager"' not in html
                    continue
                want = env.from_string(fragment).render(v=v, base=base)
                if name in IN_TBODY:
                    want = f"<tbody>\n  {want}\n  </tbody>"
                assert want in html, (name, params, page)
            seen.update(f"{n}:{bool(getattr(v, n))}" for n in IN_TBODY)
        assert seen == {"plan:True", "plan:False", "late:True", "late:False"}
        first = client.get("/m/mv").text
        assert "?status=overdue" in first and "mailto:p@x.ru" in first
