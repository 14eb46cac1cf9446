"""The municipality page's read model (web/municipality_view.py) equals the all-rows answer.

The view reads a GROUP BY, the short lists and one page of the plan; the reference here
loads every step of the (filtered, scoped) roadmap and computes each block in Python, as
the page did before issue 19. Random roadmaps, every filter and order, several pages,
two scopes, both backends.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest
from sqlmodel import Session, col, select

from models import Municipality, Person, Roadmap, Role, Step, StepKind, StepStatus
from models.db import make_engine, session_scope
from models.roadmap import OPEN_STATUSES
from tests.factories import (
    make_municipality,
    make_organisation,
    make_person,
    make_roadmap,
    make_step,
    pk,
)
from web import queries
from web.access import build_scope
from web.municipality_view import municipality_view
from web.overview_queries import STATUS_ORDER

NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


def _seed(url: str, n: int) -> None:
    rnd = random.Random(1919)
    with session_scope(make_engine(url)) as s:
        m = make_municipality(s, code="mv", tz="Asia/Vladivostok")
        other = make_municipality(s, code="other")
        orgs = [make_organisation(s, municipality=m, code=f"o{i}") for i in range(3)]
        make_person(s, municipality=m, role=Role.moc_head, full_name="Глава")
        make_person(s, municipality=m, role=Role.org_contact, organisation=orgs[0])
        make_person(s, municipality=None, role=Role.admin, full_name="Админ")
        r = make_roadmap(s, municipality=m)
        r2 = Roadmap(
            municipality_id=pk(other), template_id=r.template_id, template_key="test", year=2025
        )
        s.add(r2)
        s.flush()
        for i in range(n):
            org = rnd.choice([None, None, *orgs])
            make_step(
                s,
                roadmap=r if i % 7 else r2,
                key=f"k{i}",
                title=rnd.choice(["Акт", "Отчёт", "Приказ"]) + f" {i}",
                due=NOW.date() + dt.timedelta(days=rnd.randrange(-200, 330)),
                kind=rnd.choice(list(StepKind)),
                status=rnd.choice(list(StepStatus)),
                organisation_id=pk(org) if org else None,
                owner_role="org_contact" if org else rnd.choice(["moc_head", "municipality"]),
                blocked_by=[f"k{rnd.randrange(n)}", "нет-такого"] if rnd.random() < 0.5 else [],
                evidence_required=rnd.choice([[], ["act_number"], ["file", "act_date"]]),
            )


def _reference(
    s: Session, scope: Any, m: Municipality, f: queries.StepFilters, sort: str, page: int
) -> dict[str, Any]:
    today = dt.date(2025, 3, 10)
    mine = col(Step.municipality_id) == m.id
    base = scope.steps(queries.list_select(s).where(mine))
    order = (col(Step.due_date), col(Step.id))
    steps = queries.step_rows(s, f.apply(base).order_by(*order))
    every = queries.step_rows(s, base.order_by(*order))
    week_end = today + dt.timedelta(days=7)
    ordered = steps if sort == "due" else sorted(steps, key=queries.sort_key(sort))
    pages = max(1, -(-len(steps) // queries.PAGE_SIZE))
    p = min(max(1, page), pages)
    blocked = [x for x in every if x.status == StepStatus.blocked][: queries.BLOCKED_LIMIT]
    titles = {x.key: x.title for x in s.execute(select(Step).where(mine)).scalars()}
    counts = Counter(x.status.value for x in every)
    people = queries.responsible_people(s, pk(m))
    return {
        "counts": {k: counts[k] for k in STATUS_ORDER if k in counts},
        "chart": sorted((f"{x.due_date:%Y-%m}", x.status.value) for x in steps),
        "next_week": [
            x.id for x in every if today <= x.due_date <= week_end and x.status in OPEN_STATUSES
        ],
        "blocked": [x.id for x in blocked],
        "titles": {k: titles[k] for x in blocked for k in x.blocked_by if k in titles},
        "roles": sorted({x.owner_role for x in every}),
        "late": [
            (x.row.id, x.late_days, x.person, x.missing)
            for x in queries.late_steps(steps, today, people)
        ],
        "plan": [x.id for x in ordered[(p - 1) * queries.PAGE_SIZE : p * queries.PAGE_SIZE]],
        "paging": (p, pages, len(steps)),
    }


def _got(v: Any) -> dict[str, Any]:
    return {
        "counts": v.counts,
        "chart": sorted((k, x.status.value) for k, xs in v.months for x in xs),
        "next_week": [x.id for x in v.next_week],
        "blocked": [x.id for x in v.blocked],
        "titles": v.titles,
        "roles": [r for r, _ in v.owners if not r.startswith("org:")],
        "late": [(x.row.id, x.late_days, x.person, x.missing) for x in v.late],
        "plan": [x.id for x in v.plan],
        "paging": (v.page, v.pages, v.total),
    }


FILTERS = [
    queries.StepFilters(),
    queries.StepFilters(status="open"),
    queries.StepFilters(status="overdue"),
    queries.StepFilters(status="blocked", kind="report"),
    queries.StepFilters(kind="event"),
    queries.StepFilters(owner="moc_head"),
]


@pytest.mark.parametrize("who", [Role.admin, Role.org_contact])
def test_view_equals_the_all_rows_answer(db_url: str, who: Role) -> None:
    _seed(db_url, 420)
    with Session(make_engine(db_url)) as s:
        person = s.execute(select(Person).where(col(Person.role) == who)).scalars().one()
        scope = build_scope(s, person)
        m = s.execute(select(Municipality).where(col(Municipality.code) == "mv")).scalar_one()
        org = f"org:{person.organisation_id}" if person.organisation_id else "org:1"
        checked = 0
        for f in [*FILTERS, queries.StepFilters(owner=org)]:
            for sort in queries.SORTS:
                for page in (1, 3, 99):
                    v = municipality_view(s, scope, m, filters=f, now=NOW, sort=sort, page=page)
                    want = _reference(s, scope, m, f, sort, page)
                    assert _got(v) == want, (f, sort, page)
                    checked += bool(want["plan"])
        assert checked > 30  # most combinations list steps (the test is not vacuous)
        full = municipality_view(s, scope, m, filters=queries.StepFilters(), now=NOW)
        assert full.late and full.plan and full.counts
        if who is Role.admin:
            assert full.blocked and full.next_week and full.titles and full.pages > 5
