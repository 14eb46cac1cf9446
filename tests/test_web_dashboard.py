"""Units of the dashboard: words for codes, forms, lateness, the regional rows, charts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import ClassVar

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from domain.vocabulary import reminder_rule_ru, timezone_ru
from models import Municipality, Role
from models.db import session_scope
from tests.web_fixtures import NOW, World, auth
from web import regional
from web.access import Scope
from web.audit_view import chain_state
from web.forms import errors_by_field, fields_from_form, form_fields_for
from web.region_charts import funnel, progress_year
from web.region_pages import funnel_stages
from web.region_words import period_ru, plural, workdays_ru

pytest_plugins = ["tests.web_fixtures"]
NO_KEY = Path("/nonexistent/audit-signing.key")


def test_words_for_codes() -> None:
    assert timezone_ru("Asia/Irkutsk") == "МСК+5, Иркутск"
    assert timezone_ru("Europe/Kaliningrad") == "МСК−1, Калининград"
    assert reminder_rule_ru("before:7") == "за 7 раб. дн. до срока"
    assert reminder_rule_ru("escalate:moc_head") == "эскалация: руководитель МОЦ"
    assert period_ru("2026-Q1") == "I квартал 2026" and period_ru("2026-03") == "март 2026"
    assert [plural(n, "день", "дня", "дней") for n in (1, 2, 5, 11, 21, 104)] == [
        "день",
        "дня",
        "дней",
        "дней",
        "день",
        "дня",
    ]
    assert workdays_ru(3) == "3 рабочих дня"


def test_event_form_asks_counts_by_audience_not_json() -> None:
    fields = {f.name: f for f in form_fields_for("event", [])}
    split = fields["participants_by_category"]
    assert split.input == "split" and "родители" in split.options
    assert fields["event_date"].input == "date" and fields["event_date"].required
    assert fields["participants"].input == "number"

    class Step:
        kind = "event"
        evidence_required: ClassVar[list[str]] = []

    form = {
        "event_date": "2026-03-10",
        "participants": "55",
        "participants_by_category.родители": "35",
        "participants_by_category.педагоги": "20",
    }
    got = fields_from_form(Step(), form)  # type: ignore[arg-type]
    assert got["participants_by_category"] == {"родители": 35, "педагоги": 20}


def test_errors_by_field_once_in_words() -> None:
    items = [
        {"loc": ["body"], "msg": "Подтверждение шага «x» не принято"},
        {
            "loc": ["body", "fields", "recipient"],
            "msg": "поле recipient (получатель отчёта): обязательное поле не заполнено",
        },
        {"loc": ["body", "fields", "recipient"], "msg": "поле recipient: повтор"},
    ]
    by_field, general = errors_by_field(items)
    assert by_field == {"recipient": "Заполните поле «получатель отчёта»"}
    assert general == ["Подтверждение шага «x» не принято"]


def test_region_rows_heat_and_sort(engine: Engine, world: World) -> None:
    with session_scope(engine) as s:
        for m in s.query(Municipality):
            m.region = "Тестовый край"
    scope = Scope(person_id=0, actor="t", role=Role.admin, municipality_ids=None)
    with session_scope(engine) as s:
        rows = regional.region_rows(s, scope, "Тестовый край", now=NOW, year=2025)
        assert {r.code for r in rows} == {"krylovsky", "irkutsk"}
        late = [r for r in rows if r.overdue]
        assert late and all(sum(r.heat) == r.overdue and r.max_late >= 1 for r in late)
        by_name = regional.sort_rows(rows, "name", False)
        assert [r.name for r in by_name] == sorted(r.name for r in rows)
        only = Scope(
            person_id=0,
            actor="t",
            role=Role.rmc,
            municipality_ids=frozenset({world.own.municipality_id}),
        )
        assert [
            r.code for r in regional.region_rows(s, only, "Тестовый край", now=NOW, year=2025)
        ] == ["krylovsky"]


def test_region_page_xlsx_and_api(client: TestClient, engine: Engine, world: World) -> None:
    with session_scope(engine) as s:
        for m in s.query(Municipality):
            m.region = "Тестовый край"
    h = auth(world, "admin")
    page = client.get("/region/Тестовый край?sort=name&desc=0", headers=h)
    assert page.status_code == 200 and page.text.index("irkutsk") < page.text.index("krylovsky")
    xlsx = client.get("/region/Тестовый край/export.xlsx", headers=h)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "filename*=UTF-8''%D0%A0%D0%B5%D0%B3" in xlsx.headers["content-disposition"]
    api = client.get("/api/regions/Тестовый край", headers=h).json()
    assert {r["code"] for r in api} == {"krylovsky", "irkutsk"}
    assert client.get("/region/Нет такого", headers=h).status_code == 404
    assert "Муниципалитеты региона" in client.get("/openapi.json").text


def test_chain_state_of_an_ordered_chain(engine: Engine, world: World) -> None:
    with session_scope(engine) as s:
        state = chain_state(s, "krylovsky", world.own.municipality_id, NO_KEY)
        assert state.backwards == [] and state.checkpoints == 0 and state.ok is not False


def test_charts_are_svg_with_words() -> None:
    class Row:
        def __init__(self, day: dt.date, status: str) -> None:
            from models import StepStatus

            self.due_date, self.status = day, StepStatus(status)

    rows = [Row(dt.date(2026, 1, 20), "done"), Row(dt.date(2026, 6, 1), "planned")]
    svg = str(progress_year(rows, 2026, dt.date(2026, 3, 16)))
    assert svg.startswith("<svg") and "<title>" in svg and "50\u202f%" in svg
    assert "0%<" not in svg and "50%" not in svg  # Russian: a narrow space before «%»
    stages = funnel_stages(["DRAFT", "SUBMITTED", "IN_REGISTER", "FORMALLY_REJECTED"])
    assert stages[0] == ("Подано заявок", 3) and stages[-1] == ("Включено в реестр", 1)
    assert "Воронка НОК" in str(funnel(stages))


def test_plan_sorts_and_paginates_and_badges_filter(client: TestClient, world: World) -> None:
    h = auth(world, "moc_head")
    by_title = client.get("/m/krylovsky?sort=title", headers=h).text
    plan = by_title.split('id="plan-table"')[1]
    titles = re.findall(r'<a href="/steps/\d+">([^<]+)</a>', plan)
    assert titles == sorted(titles) and len(titles) >= 3
    assert client.get("/m/krylovsky?sort=nonsense", headers=h).status_code == 422
    page = client.get("/m/krylovsky", headers=h).text
    assert 'href="/m/krylovsky?status=overdue#plan"' in page  # counts are links
    audit = client.get("/audit/krylovsky?page=2", headers=auth(world, "auditor")).text
    assert "Записей не найдено" in audit and "← новее" in audit


def test_navigation_speaks_russian(client: TestClient, world: World) -> None:
    """Every link of the top navigation is a Russian word (the brand aside)."""
    page = client.get("/", headers=auth(world, "admin")).text
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", page, flags=re.S)
    assert nav, page[:500]
    words = re.findall(r">\s*([^<>]+?)\s*</a>", nav.group(1))
    assert "Для разработчиков" in words
    latin = [w for w in words if re.search(r"[A-Za-z]", w) and w != "soczakaz"]
    assert latin == [], latin
