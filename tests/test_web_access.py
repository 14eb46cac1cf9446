"""Access matrix: every role × every endpoint × own / other municipality.

The expected code is written out per cell; 404 means "outside your scope" (the
row's existence is not revealed), 403 means "your role may never do this".
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col

from models import StepKind, StepStatus
from models.db import session_scope
from tests.factories import make_step
from tests.web_fixtures import PDF, REPORT_FIELDS, ROLES, Side, World, auth

pytest_plugins = ["tests.web_fixtures"]


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # {code} {org} {org_step} {review_step} {ev} {fresh_org_step}
    # expected code per role: (own municipality, other municipality)
    expect: dict[str, tuple[int, int]]


def same(own: int, other: int, **overrides: tuple[int, int]) -> dict[str, tuple[int, int]]:
    out = {r: (own, other) for r in ROLES}
    out.update(overrides)
    return out


MUNI = same(200, 404, admin=(200, 200))
ORG = same(200, 404, admin=(200, 200), expert=(404, 404))
AUDIT = same(200, 404, admin=(200, 200), org_contact=(403, 404), expert=(403, 404))
ORG_STEP = same(200, 404, admin=(200, 200), expert=(404, 404))
EVIDENCE = same(200, 404, admin=(200, 200), org_contact=(404, 404), expert=(404, 404))
REVIEW_STEP = same(200, 404, admin=(200, 200), org_contact=(404, 404))
COMPLETE = same(200, 404, admin=(200, 200), expert=(404, 404), auditor=(403, 404))
COMPLETE_REVIEW = same(
    403, 404, admin=(422, 422), moc_head=(422, 404), org_contact=(404, 404), auditor=(403, 404)
)

CASES = [
    Case("overview page", "GET", "/", same(200, 200)),
    Case("municipality list", "GET", "/api/municipalities", same(200, 200)),
    Case("municipality", "GET", "/api/municipalities/{code}", MUNI),
    Case("municipality steps", "GET", "/api/municipalities/{code}/steps", MUNI),
    Case("municipality page", "GET", "/m/{code}", MUNI),
    Case("municipality ical", "GET", "/ical/municipality/{code}.ics", MUNI),
    Case("organisation page", "GET", "/org/{org}", ORG),
    Case("organisation steps", "GET", "/api/organisations/{org}/steps", ORG),
    Case("organisation ical", "GET", "/ical/organisation/{org}.ics", ORG),
    Case("step page (org step)", "GET", "/steps/{org_step}", ORG_STEP),
    Case("step api (org step)", "GET", "/api/steps/{org_step}", ORG_STEP),
    Case("step api (review step)", "GET", "/api/steps/{review_step}", REVIEW_STEP),
    Case("evidence download", "GET", "/api/evidence/{ev}/file", EVIDENCE),
    Case("audit page", "GET", "/audit/{code}", AUDIT),
    Case("audit api", "GET", "/api/municipalities/{code}/audit", AUDIT),
    Case("audit verify", "GET", "/api/municipalities/{code}/audit/verify", AUDIT),
    Case("audit export", "GET", "/api/municipalities/{code}/audit.csv", AUDIT),
    Case("review cases", "GET", "/api/review/cases", same(200, 200)),
    Case("complete org step (api)", "POST", "/api/steps/{fresh_org_step}/complete", COMPLETE),
    Case(
        "complete org step (page)",
        "POST",
        "/steps/{fresh_org_step}/complete",
        {
            r: ((303, 404) if c == (200, 404) else (303, 303) if c == (200, 200) else c)
            for r, c in COMPLETE.items()
        },
    ),
    Case("complete review step", "POST", "/api/steps/{review_step}/complete", COMPLETE_REVIEW),
]


def _fresh_org_step(engine: Engine, side: Side, n: int) -> int:
    from models import Roadmap

    with session_scope(engine, immediate=True) as s:
        roadmap = (
            s.query(Roadmap).filter(col(Roadmap.municipality_id) == side.municipality_id).one()
        )
        step = make_step(
            s,
            roadmap=roadmap,
            key=f"fresh-{n}",
            kind=StepKind.report,
            organisation_id=side.org_id,
            owner_role="org_contact",
            status=StepStatus.due_soon,
        )
        return int(step.id)  # type: ignore[arg-type]


def _request(client: TestClient, case: Case, side: Side, headers: dict[str, str], path: str):  # type: ignore[no-untyped-def]
    if case.method == "GET":
        return client.get(path, headers=headers, follow_redirects=False)
    if "/api/" in path:
        return client.post(
            path,
            headers=headers,
            data={"fields": json.dumps(REPORT_FIELDS)},
            files={"file": ("otchet.pdf", PDF, "application/pdf")},
        )
    return client.post(
        path,
        headers=headers,
        data=REPORT_FIELDS,
        files={"file": ("otchet.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role: str, client: TestClient, world: World, engine: Engine) -> None:
    headers = auth(world, role)
    mismatches = []
    counter = 0
    for case in CASES:
        for which, side in (("own", world.own), ("other", world.other)):
            counter += 1
            ids = {
                "code": side.code,
                "org": side.org_id,
                "org_step": side.org_step,
                "review_step": side.review_step,
                "ev": side.evidence_id,
            }
            if "{fresh_org_step}" in case.path:
                ids["fresh_org_step"] = _fresh_org_step(engine, side, counter)
            path = case.path.format(**ids)
            expected = case.expect[role][0 if which == "own" else 1]
            got = _request(client, case, side, headers, path).status_code
            if got != expected:
                mismatches.append(
                    f"{role} {which} {case.name} {case.method} {path}: "
                    f"expected {expected}, got {got}"
                )
    assert not mismatches, "\n".join(mismatches)


def test_every_endpoint_needs_a_token(client: TestClient, world: World) -> None:
    for case in CASES:
        ids = {
            "code": world.own.code,
            "org": world.own.org_id,
            "org_step": world.own.org_step,
            "review_step": world.own.review_step,
            "ev": world.own.evidence_id,
            "fresh_org_step": world.own.org_step,
        }
        path = case.path.format(**ids)
        bad = {"Authorization": "Bearer nope"}
        for headers in ({}, bad):
            r = client.request(case.method, path, headers=headers, follow_redirects=False)
            if r.status_code == 303:  # a page: sign in, then come back here
                assert case.method == "GET" and not path.startswith(("/api", "/ical")), case.name
                assert r.headers["location"].startswith("/login?next=%2F"), case.name
                continue
            assert r.status_code == 401, (case.name, headers, r.status_code)


def test_lists_are_filtered_by_scope(client: TestClient, world: World) -> None:
    def codes(role: str) -> list[str]:
        r = client.get("/api/municipalities", headers=auth(world, role))
        return sorted(m["code"] for m in r.json())

    assert codes("admin") == ["irkutsk", "krylovsky"]
    assert codes("moc_head") == ["krylovsky"]
    assert codes("auditor") == ["krylovsky"]
    assert codes("expert") == ["krylovsky"]
    # The organisation sees its municipality but counts only its own steps.
    org_rows = client.get("/api/municipalities", headers=auth(world, "org_contact")).json()
    assert [m["total"] for m in org_rows] == [1]
    cases = client.get("/api/review/cases", headers=auth(world, "expert")).json()
    assert len(cases) == 1
    assert len(client.get("/api/review/cases", headers=auth(world, "admin")).json()) == 2
    steps = client.get("/api/municipalities/krylovsky/steps", headers=auth(world, "expert"))
    assert [s["kind"] for s in steps.json()] == ["expert_review"]
