"""Access matrix (issue 14): every route of the app × every account × own
municipality / another organisation of it / another municipality.

The routes are read from the app itself: a route without a rule here fails
``test_every_route_has_a_rule``. Expected codes are written out per cell:
404 means "outside your scope" (existence not revealed), 403 "your role may
never do this", 401 / 303-to-login "who are you". Malformed accounts (auditor
with an empty list, МОЦ head without a municipality) see nothing; a disabled
person gets 403; an expired or revoked session is no session. An
``org_contact`` without an organisation cannot exist (the database refuses it,
tests/test_access_people.py), its scope is empty (same file).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col

from models import StepKind, StepStatus
from models.db import session_scope
from models.settings import Settings
from tests.access_routes import OPEN_ROUTES, Extra, app_routes, seed_extra
from tests.factories import make_step
from tests.web_fixtures import PDF, REPORT_FIELDS, ROLES, Side, World, auth

pytest_plugins = ["tests.web_fixtures"]

SIDES = ("own", "org2", "other")  # own municipality & org, its other org, other municipality
EMPTY_ACCOUNTS = ("auditor_empty", "moc_head_no_muni")
Cell = tuple[int, int, int]


@dataclass(frozen=True)
class Rule:
    name: str
    method: str
    path: str  # the route template; {…} filled per side by _ids()
    expect: dict[str, Cell]  # per role: own, org2, other
    empty: int  # what an account that sees nothing gets
    fill: dict[str, str] = field(default_factory=dict)  # template param -> id kind


def per_role(cell: Cell, **overrides: Cell) -> dict[str, Cell]:
    out = {r: cell for r in ROLES}
    out.update(overrides)
    return out


ALL = (200, 200, 200)
OPEN_FOR = per_role(ALL)
MUNI = per_role((200, 200, 404), admin=ALL)
ORG = per_role((200, 200, 404), admin=ALL, org_contact=(200, 404, 404), expert=(404, 404, 404))
ORG_STEP = ORG
EVIDENCE = per_role((200, 200, 404), admin=ALL, org_contact=(404, 404, 404), expert=(404, 404, 404))
REVIEW_STEP = per_role(
    (200, 200, 404), admin=ALL, org_contact=(404, 404, 404), expert=(200, 200, 404)
)
AUDIT = per_role((200, 200, 404), admin=ALL, org_contact=(403, 403, 404), expert=(403, 403, 404))
COMPLETE = per_role(
    (200, 200, 404),
    admin=ALL,
    org_contact=(200, 404, 404),
    expert=(404, 404, 404),
    auditor=(403, 403, 404),
)
COMPLETE_PAGE = {r: (303, 303, 303) if cell == ALL else cell for r, cell in COMPLETE.items()}
COMPLETE_PAGE.update(moc_head=(303, 303, 404), org_contact=(303, 404, 404))
COMPLETE_REVIEW = per_role(
    (403, 403, 404),
    admin=(422, 422, 422),
    moc_head=(422, 422, 404),
    org_contact=(404, 404, 404),
    auditor=(403, 403, 404),
)
EVERY_SIGNED_IN = per_role((303, 303, 303))
# People and organisations: administrators everywhere, a МОЦ head in their municipality.
NO = (403, 403, 403)
ADMIN_PAGE = per_role(NO, admin=ALL, moc_head=ALL)
ADMIN_FORM = per_role(NO, admin=(422, 422, 422), moc_head=(422, 422, 422))  # empty form
ADMIN_ROW = per_role(NO, admin=(303, 303, 303), moc_head=(303, 303, 404))
ADMIN_INVITE = per_role(NO, admin=(422, 422, 422), moc_head=(422, 422, 404))  # no address

RULES = [
    Rule("me", "GET", "/api/me", OPEN_FOR, 200),
    Rule("overview page", "GET", "/", OPEN_FOR, 200),
    Rule("municipality list", "GET", "/api/municipalities", OPEN_FOR, 200),
    Rule("municipality", "GET", "/api/municipalities/{code}", MUNI, 404),
    Rule("municipality steps", "GET", "/api/municipalities/{code}/steps", MUNI, 404),
    Rule("municipality page", "GET", "/m/{code}", MUNI, 404),
    Rule("municipality НОК page", "GET", "/m/{code}/nok", MUNI, 404),
    Rule("municipality ical", "GET", "/ical/municipality/{code}.ics", MUNI, 404),
    Rule("organisation page", "GET", "/org/{org_id}", ORG, 404),
    Rule("organisation steps", "GET", "/api/organisations/{org_id}/steps", ORG, 404),
    Rule("organisation ical", "GET", "/ical/organisation/{org_id}.ics", ORG, 404),
    Rule("step page", "GET", "/steps/{step_id}", ORG_STEP, 404, {"step_id": "org_step"}),
    Rule("step api", "GET", "/api/steps/{step_id}", ORG_STEP, 404, {"step_id": "org_step"}),
    Rule(
        "step api (review)",
        "GET",
        "/api/steps/{step_id}",
        REVIEW_STEP,
        404,
        {"step_id": "review_step"},
    ),
    Rule("evidence download", "GET", "/api/evidence/{evidence_id}/file", EVIDENCE, 404),
    Rule("audit page", "GET", "/audit/{code}", AUDIT, 404),
    Rule("audit api", "GET", "/api/municipalities/{code}/audit", AUDIT, 404),
    Rule("audit verify", "GET", "/api/municipalities/{code}/audit/verify", AUDIT, 404),
    Rule("audit export", "GET", "/api/municipalities/{code}/audit.csv", AUDIT, 404),
    Rule("review cases", "GET", "/api/review/cases", OPEN_FOR, 200),
    Rule("regions", "GET", "/region", OPEN_FOR, 200),
    Rule("region page", "GET", "/region/{name}", OPEN_FOR, 404),
    Rule("region export", "GET", "/region/{name}/export.xlsx", OPEN_FOR, 404),
    Rule("region api", "GET", "/api/regions/{name}", OPEN_FOR, 404),
    Rule(
        "complete (api)",
        "POST",
        "/api/steps/{step_id}/complete",
        COMPLETE,
        404,
        {"step_id": "fresh"},
    ),
    Rule(
        "complete (page)",
        "POST",
        "/steps/{step_id}/complete",
        COMPLETE_PAGE,
        404,
        {"step_id": "fresh"},
    ),
    Rule(
        "complete review step",
        "POST",
        "/api/steps/{step_id}/complete",
        COMPLETE_REVIEW,
        404,
        {"step_id": "review_step"},
    ),
    Rule("password page", "GET", "/account/password", OPEN_FOR, 200),
    # A password is set in the browser only (a signed-in session), never with a token.
    Rule("set password", "POST", "/account/password", per_role((403, 403, 403)), 403),
    Rule("people admin", "GET", "/admin/people", ADMIN_PAGE, 403),
    Rule("add person", "POST", "/admin/people", ADMIN_FORM, 403),
    Rule("disable person", "POST", "/admin/people/{person_id}/disable", ADMIN_ROW, 403),
    Rule("invite person", "POST", "/admin/people/{person_id}/invite", ADMIN_INVITE, 403),
    Rule("organisations admin", "GET", "/admin/organisations", ADMIN_PAGE, 403),
    Rule("add organisation", "POST", "/admin/organisations", ADMIN_FORM, 403),
    Rule("sign out", "POST", "/logout", EVERY_SIGNED_IN, 303),
    Rule("sign out everywhere", "POST", "/logout/everywhere", EVERY_SIGNED_IN, 303),
]
REGION = "Краснодарский край"


@pytest.fixture
def extra(engine: Engine, settings: Settings, world: World) -> Extra:
    return seed_extra(engine, settings, world)


def _fresh_step(engine: Engine, municipality_id: int, org_id: int, n: int) -> int:
    from models import Roadmap

    with session_scope(engine, immediate=True) as s:
        roadmap = s.query(Roadmap).filter(col(Roadmap.municipality_id) == municipality_id).one()
        step = make_step(
            s,
            roadmap=roadmap,
            key=f"fresh-{n}",
            kind=StepKind.report,
            organisation_id=org_id,
            owner_role="org_contact",
            status=StepStatus.due_soon,
        )
        return int(step.id)  # type: ignore[arg-type]


class Filler:
    """Fills a rule's template for one side (fresh steps are made per request)."""

    def __init__(self, engine: Engine, world: World, extra: Extra) -> None:
        self.engine, self.world, self.extra = engine, world, extra
        self.n = 0

    def ids(self, side: str) -> dict[str, int | str]:
        own, other = self.world.own, self.world.other
        base: Side = other if side == "other" else own
        org = self.extra.org2_id if side == "org2" else base.org_id
        return {
            "code": base.code,
            "org_id": org,
            "org_step": self.extra.org2_step if side == "org2" else base.org_step,
            "review_step": base.review_step,
            "evidence_id": self.extra.org2_evidence if side == "org2" else base.evidence_id,
            "name": REGION,
            "person_id": self.extra.people[side],
            "municipality_id": base.municipality_id,
            "org": org,
        }

    def path(self, rule: Rule, side: str) -> str:
        ids = self.ids(side)
        values: dict[str, object] = {}
        for name in _params(rule.path):
            kind = rule.fill.get(name, name)
            if kind == "fresh":
                self.n += 1
                values[name] = _fresh_step(
                    self.engine,
                    int(ids["municipality_id"]),
                    int(ids["org"]),
                    self.n,
                )
            else:
                values[name] = ids[kind]
        return rule.path.format(**values)


def _params(template: str) -> list[str]:
    import string

    return [f for _, f, _, _ in string.Formatter().parse(template) if f]


def _send(client: TestClient, rule: Rule, path: str, headers: dict[str, str]) -> httpx.Response:
    kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False}
    if rule.method == "POST":
        kwargs["data"] = {}
    if path.endswith("/complete"):
        api = path.startswith("/api/")
        kwargs["data"] = {"fields": json.dumps(REPORT_FIELDS)} if api else REPORT_FIELDS
        kwargs["files"] = {"file": ("otchet.pdf", PDF, "application/pdf")}
    r: httpx.Response = client.request(rule.method, path, **kwargs)
    return r


def _present(client: TestClient) -> set[tuple[str, str]]:
    return set(app_routes(client.app))  # type: ignore[arg-type]


def test_every_route_has_a_rule(client: TestClient) -> None:
    """A new route without a rule here fails: deny by default starts in the test."""
    covered = {(r.method, r.path) for r in RULES} | OPEN_ROUTES
    missing = sorted(_present(client) - covered)
    assert not missing, f"routes without an access rule: {missing}"


def _expected(rule: Rule, account: str, side: int) -> int:
    if account in EMPTY_ACCOUNTS:
        return rule.empty
    if account == "disabled":
        return 403
    return rule.expect[account][side]


def _tokens(world: World, extra: Extra) -> dict[str, str]:
    return {**world.tokens, **extra.tokens}


@pytest.mark.parametrize("account", [*ROLES, *EMPTY_ACCOUNTS, "disabled"])
def test_access_matrix(
    account: str, client: TestClient, world: World, extra: Extra, engine: Engine
) -> None:
    headers = {"Authorization": f"Bearer {_tokens(world, extra)[account]}"}
    present = _present(client)
    fill = Filler(engine, world, extra)
    mismatches = []
    for rule in RULES:
        if (rule.method, rule.path) not in present:
            continue  # a rule for a route this build does not have
        for i, side in enumerate(SIDES):
            path = fill.path(rule, side)
            expected = _expected(rule, account, i)
            got = _send(client, rule, path, headers).status_code
            if got != expected:
                mismatches.append(
                    f"{account} {side} {rule.name} {rule.method} {path}: "
                    f"expected {expected}, got {got}"
                )
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("credential", ["none", "bad token", "expired_session", "revoked_session"])
def test_no_valid_credential_no_entry(
    credential: str, client: TestClient, world: World, extra: Extra, engine: Engine
) -> None:
    """401 for the API, feeds and page writes; a page read goes to sign-in and back."""
    headers = {"Authorization": "Bearer nope"} if credential == "bad token" else {}
    if credential in extra.cookies:
        client.cookies.set("soczakaz_session", extra.cookies[credential])
    fill = Filler(engine, world, extra)
    present = _present(client)
    for rule in RULES:
        if (rule.method, rule.path) not in present:
            continue
        path = fill.path(rule, "own")
        r = _send(client, rule, path, headers)
        page = not path.startswith(("/api", "/ical"))
        if rule.method == "GET" and page:
            assert r.status_code == 303, (rule.name, r.status_code)
            assert r.headers["location"].startswith("/login?next=%2F"), rule.name
        else:
            assert r.status_code == 401, (rule.name, credential, r.status_code)


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


def test_empty_accounts_list_nothing(client: TestClient, world: World, extra: Extra) -> None:
    for account in EMPTY_ACCOUNTS:
        h = {"Authorization": f"Bearer {extra.tokens[account]}"}
        assert client.get("/api/municipalities", headers=h).json() == []
        assert client.get("/api/review/cases", headers=h).json() == []
