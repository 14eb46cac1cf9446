"""The regional page in pages (issue 19): order across pages, totals, the name filter.

A page of ``region_table`` must be exactly the slice of the full, sorted rows
(``regional.region_rows``, which reads every detail for every row) for every sort, both
directions and both read paths (the counters and the grouping of the visible steps);
over HTTP, the pages list every municipality once, keep the sort and the filter, and
page numbers that are not pages redirect to the nearest one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.audit import log as audit_log
from models import IndicatorValue, Programme, ReviewCase, Role, StepStatus
from models.db import session_scope
from models.people import TokenScope
from models.review import Focus, ReviewCampaign, ReviewState
from models.settings import Settings
from tests.factories import make_municipality, make_organisation, make_person, make_step, pk
from tests.sweep_helpers import roadmap_for
from web import region_pages, regional
from web.access import Scope
from web.app import create_app
from web.auth_tokens import add_access_token
from web.region_table import page_links, parse_page, region_table

NOW = dt.datetime(2025, 6, 20, 9, tzinfo=dt.UTC)
REGION = "Тестовый край"
TOKEN = "region-pages-token"
SIZE = 4
# Name, zone, overdue days late (one step each), steps done; the names tie on purpose.
TOWNS = [
    ("МО Абинский", "Europe/Moscow", [3, 40], 2),
    ("МО Ёлкино", "Asia/Irkutsk", [], 1),
    ("МО Белая Глина", "Europe/Moscow", [12], 0),
    ("МО Выселки", "Asia/Irkutsk", [40, 2, 8], 3),
    ("МО Гулькевичи", "Europe/Moscow", [], 0),
    ("МО Динская", "Asia/Irkutsk", [12], 5),
    ("МО Ейск", "Europe/Moscow", [25], 1),
    ("МО Кореновск", "Asia/Irkutsk", [], 2),
    ("МО Лабинск", "Europe/Moscow", [1], 0),
    ("МО Ейск", "Asia/Irkutsk", [25], 1),
    ("МО Мостовской", "Europe/Moscow", [], 0),
]
ADMIN = Scope(person_id=0, actor="t", role=Role.admin, municipality_ids=None)


@dataclass(frozen=True)
class GroupingScope(Scope):
    """Sees what an administrator sees, but takes the grouping path of the readers."""

    @property
    def sees_whole_municipalities(self) -> bool:
        return False


def _seed(s: Session) -> None:
    for i, (name, tz, late, done) in enumerate(TOWNS):
        m = make_municipality(s, code=f"t{i:02d}", tz=tz, name=name)
        m.region = REGION
        rm = roadmap_for(s, municipality=m)
        for k, days in enumerate(late):
            due = NOW.date() - dt.timedelta(days=days * 7 // 5 + 1)
            make_step(s, roadmap=rm, key=f"o{k}", due=due, status=StepStatus.overdue)
        for k in range(done):
            make_step(s, roadmap=rm, key=f"d{k}", status=StepStatus.done)
        make_step(s, roadmap=rm, key="p", due=NOW.date() + dt.timedelta(days=9))
        if i % 3 == 0:  # the last action, coverage and НОК of some of them
            audit_log.append(
                s,
                municipality_id=pk(m),
                actor="Иванова А. П.",
                action="step.complete",
                entity="step:1",
                payload={},
                at=NOW - dt.timedelta(hours=i),
            )
            s.add(
                IndicatorValue(
                    municipality_id=pk(m), year=2025, key="kids", target=100, actual=10 * i
                )
            )
            org = make_organisation(s, municipality=m)
            camp = ReviewCampaign(
                municipality_id=pk(m),
                title="НОК",
                year=2025,
                starts_on=dt.date(2025, 3, 1),
                ends_on=dt.date(2025, 5, 30),
            )
            s.add(camp)
            for n, state in enumerate(
                [ReviewState.IN_REGISTER] * (i // 3) + [ReviewState.NEGATIVE]
            ):
                prog = Programme(
                    municipality_id=pk(m),
                    organisation_id=pk(org),
                    title=f"П{n}",
                    focus=Focus.technical,
                )
                s.add(prog)
                s.flush()
                s.add(ReviewCase(campaign_id=pk(camp), programme_id=pk(prog), state=state))
    other = make_municipality(s, code="other", name="МО Абинский")  # another region
    other.region = "Другой край"
    s.flush()


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    with session_scope(engine) as s:
        _seed(s)
    return engine


@pytest.mark.parametrize("scope", [ADMIN, GroupingScope(0, "t", Role.admin, None)])
def test_every_page_is_the_slice_of_the_full_sorted_rows(seeded: Engine, scope: Scope) -> None:
    with Session(seeded) as s:
        every = regional.region_rows(s, scope, REGION, now=NOW, year=2025)
        assert len(every) == len(TOWNS)
        for sort in regional.SORTS:
            for desc in (False, True):
                full = regional.sort_rows(every, sort, desc)
                for page in (1, 2, 3):
                    t = region_table(
                        s, scope, REGION, now=NOW, year=2025, sort=sort, desc=desc, page=page,
                        size=SIZE,
                    )  # fmt: skip
                    assert t is not None and (t.page, t.pages) == (page, 3)
                    assert t.rows == full[(page - 1) * SIZE : page * SIZE], (sort, desc, page)
                    assert (t.total, t.overdue) == (
                        sum(r.total for r in every),
                        sum(r.overdue for r in every),
                    )
                    assert t.register == sum(r.nok_register for r in every) == 6
        assert (
            region_table(s, scope, "Нет такого", now=NOW, year=2025, sort="late", desc=True) is None
        )


def test_worst_first_by_default_ties_by_name(seeded: Engine) -> None:
    with Session(seeded) as s:
        t = region_table(s, ADMIN, REGION, now=NOW, year=2025, sort="late", desc=True, size=50)
        assert t is not None
        lates = [r.max_late for r in t.rows]
        assert lates == sorted(lates, reverse=True) and lates[0] >= 35
        names = [r.name for r in t.rows if r.overdue == 0]  # equal keys: by name, ascending
        assert names == sorted(names, key=regional.name_key) and len(names) == 4
        assert names[0] == "МО Гулькевичи" and names[1] == "МО Ёлкино"  # ё as е


def test_filter_ignores_case_and_yo(seeded: Engine) -> None:
    with Session(seeded) as s:
        for q, want in [("ейск", 2), ("ЕЛКИНО", 1), ("t0", 10), ("Сочи", 0), ("  ", 11)]:
            t = region_table(s, ADMIN, REGION, now=NOW, year=2025, sort="name", desc=False, q=q)
            assert t is not None and t.found == len(t.rows) == want, q
            assert t.municipalities == len(TOWNS) and t.pages == 1


def test_page_numbers_and_links() -> None:
    assert [parse_page(x) for x in (None, "1", " 7 ", "0", "-1", "abc", "1e3", "9" * 12)] == [
        1, 1, 7, None, None, None, None, None,
    ]  # fmt: skip
    assert page_links(1, 1) == [1]
    assert page_links(1, 9) == [1, 2, 3, None, 9]
    assert page_links(5, 9) == [1, None, 3, 4, 5, 6, 7, None, 9]
    assert page_links(9, 9) == [1, None, 7, 8, 9]
    assert page_links(4, 6) == [1, 2, 3, 4, 5, 6]


@pytest.fixture
def client(
    seeded: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    with session_scope(seeded) as s:
        admin = make_person(s, municipality=None, role=Role.admin, full_name="Админ")
        far = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
        add_access_token(s, pk(admin), TOKEN, scope=TokenScope.read, expires_at=far)
    monkeypatch.setattr(region_pages, "PAGE_SIZE", SIZE)
    settings = Settings(
        database_url=db_url, evidence_dir=tmp_path / "ev", web_overview_cache_seconds=0
    )
    app = create_app(settings, clock=lambda: NOW)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}, follow_redirects=False) as c:
        yield c


URL = "/region/" + quote(REGION)


def _codes(html: str) -> list[str]:
    return re.findall(r'<a href="/m/([^"?/#]+)">', html)


def _totals(html: str) -> str:
    found = re.search(r'<p class="muted" id="region-totals">(.*?)</p>', html, re.S)
    assert found is not None
    return found.group(1)


def test_pages_over_http_keep_sort_and_totals(client: TestClient, seeded: Engine) -> None:
    with Session(seeded) as s:
        every = regional.region_rows(s, ADMIN, REGION, now=NOW, year=2025)
    for sort, desc in [("late", 1), ("name", 0), ("done", 1), ("activity", 0)]:
        seen: list[str] = []
        totals = set()
        for page in (1, 2, 3):
            r = client.get(URL, params={"sort": sort, "desc": desc, "page": page})
            assert r.status_code == 200
            seen += _codes(r.text)
            totals.add(_totals(r.text))
            assert f"Страница {page} из 3" in r.text
            assert ("← Назад" in r.text) == (page > 1) and ("Далее →" in r.text) == (page < 3)
            if page < 3:  # the next link keeps the sort
                assert (
                    f'href="?sort={sort}&amp;desc={desc}&amp;page={page + 1}" rel="next"' in r.text
                )
        assert seen == [x.code for x in regional.sort_rows(every, sort, bool(desc))]
        assert len(totals) == 1
    assert (
        "Муниципалитетов: 11 · шагов: 36 · просрочено: 10 · программ в реестре НОК: 6"
        in totals.pop()
    )


def test_filter_over_http(client: TestClient) -> None:
    r = client.get(URL, params={"q": "ЕЙСК", "sort": "name", "desc": 0})
    assert r.status_code == 200 and _codes(r.text) == ["t06", "t09"]
    assert "Найдено по запросу «ЕЙСК»: 2 муниципалитета" in r.text
    assert "Муниципалитетов: 11" in _totals(r.text)  # the region's totals, not the filter's
    assert 'href="?sort=late&amp;desc=1&amp;q=%D0%95%D0%99%D0%A1%D0%9A"' in r.text  # sort keeps q
    assert 'id="region-pages"' not in r.text  # one page: no pager
    empty = client.get(URL, params={"q": "<Сочи>"})
    assert empty.status_code == 200 and _codes(empty.text) == []
    assert "в названии или коде которых есть «&lt;Сочи&gt;», нет" in empty.text
    several = client.get(URL, params={"q": "МО", "page": 2})
    assert several.status_code == 200 and "Страница 2 из 3" in several.text
    assert 'href="?sort=late&amp;desc=1&amp;q=%D0%9C%D0%9E&amp;page=3"' in several.text


def test_bad_page_numbers_redirect_to_a_page(client: TestClient) -> None:
    for raw, location in [
        ("abc", "?sort=late&desc=1"),
        ("0", "?sort=late&desc=1"),
        ("-3", "?sort=late&desc=1"),
        ("9999", "?sort=late&desc=1&page=3"),
        ("99999999999999", "?sort=late&desc=1"),
    ]:
        r = client.get(URL, params={"page": raw})
        assert (r.status_code, r.headers["location"]) == (303, location), raw
    r = client.get(URL, params={"page": "7", "q": "ейск", "sort": "name", "desc": 0})
    assert r.headers["location"] == "?sort=name&desc=0&q=%D0%B5%D0%B9%D1%81%D0%BA"
    assert client.get(URL, params={"page": "3"}).status_code == 200
    assert client.get("/region/" + quote("Нет такого"), params={"page": "2"}).status_code == 404
