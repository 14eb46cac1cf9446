"""The routes of the app as it is built (walks included routers), and the extra
world the access matrix needs: a second organisation in the own municipality
and malformed accounts (issue 14)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import col

from domain.evidence.completion import complete_step
from models import Municipality, Person, Roadmap, Role, StepKind, StepStatus
from models.db import session_scope
from models.settings import Settings
from tests.factories import make_organisation, make_person, make_step, pk
from tests.web_fixtures import NOW, NPA_FIELDS, PDF, World
from web.auth_sessions import revoke_sessions, start_session
from web.auth_tokens import add_access_token

# Routes whose credential is the path itself, or that are open to everybody.
OPEN_ROUTES = frozenset(
    {
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
        ("GET", "/healthz"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("POST", "/login/password"),
        ("GET", "/auth/link/{token}"),
        ("GET", "/auth/step/{token}"),
        ("GET", "/ical/s/{secret}.ics"),
    }
)
MOUNTS = frozenset({"/static", "/docs-assets"})


def app_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path template) of every route, included routers walked; HEAD is GET."""

    def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
        for r in routes:
            if hasattr(r, "original_router"):
                yield from walk(r.original_router.routes, prefix + r.include_context.prefix)
            elif hasattr(r, "routes") and not hasattr(r, "methods"):  # a mount
                path = prefix + str(getattr(r, "path", ""))
                if path not in MOUNTS:
                    yield ("MOUNT", path)
            else:
                for m in sorted(getattr(r, "methods", None) or ()):
                    if m != "HEAD":
                        yield (m, prefix + str(r.path))

    yield from walk(list(app.routes), "")


@dataclass
class Extra:
    """What the matrix adds to the world."""

    org2_id: int  # a second organisation in the own municipality
    org2_step: int  # open step of that organisation
    org2_evidence: int  # evidence of a done step of that organisation
    tokens: dict[str, str]  # malformed accounts with an access token
    cookies: dict[str, str]  # expired / revoked browser sessions
    people: dict[str, int]  # a person to manage per side (own, org2, other)


def seed_extra(engine: Engine, settings: Settings, world: World) -> Extra:
    with session_scope(engine, immediate=True) as s:
        m = s.get(Municipality, world.own.municipality_id)
        assert m is not None
        roadmap = s.query(Roadmap).filter(col(Roadmap.municipality_id) == pk(m)).one()
        org2 = make_organisation(s, municipality=m, code="sosh-2")
        step = make_step(
            s,
            roadmap=roadmap,
            key="org2-report",
            kind=StepKind.report,
            organisation_id=pk(org2),
            owner_role="org_contact",
            status=StepStatus.due_soon,
        )
        done = make_step(s, roadmap=roadmap, key="org2-npa", organisation_id=pk(org2))
        ev = complete_step(
            s,
            step_id=pk(done),
            fields=NPA_FIELDS,
            file_bytes=PDF,
            file_name="prikaz-2.pdf",
            actor="Сотрудник 2",
            settings=settings,
            now=NOW,
        )
        people = {
            "auditor_empty": make_person(
                s,
                municipality=None,
                role=Role.auditor,
                full_name="Аудитор без списка",
                auditor_municipality_ids=[],
            ),
            "moc_head_no_muni": make_person(
                s, municipality=None, role=Role.moc_head, full_name="Руководитель без МО"
            ),
            "disabled": make_person(
                s, municipality=m, role=Role.moc_head, full_name="Отключённый", disabled_at=NOW
            ),
        }
        tokens = {}
        for name, p in people.items():
            tokens[name] = f"token-{name}-0123456789"
            add_access_token(s, pk(p), tokens[name], expires_at=NOW + dt.timedelta(days=30))
        org2_contact = make_person(
            s, municipality=m, role=Role.org_contact, organisation=org2, full_name="Контакт 2"
        )
        far = s.get(Municipality, world.other.municipality_id)
        far_head = make_person(s, municipality=far, role=Role.moc_head, full_name="Иркутск")
        managed = {
            "own": world.person_ids["org_contact"],
            "org2": pk(org2_contact),
            "other": pk(far_head),
        }
        head = s.get(Person, world.person_ids["moc_head"])
        assert head is not None
        expired, _ = start_session(s, pk(head), NOW - dt.timedelta(hours=13))
        revoked, row = start_session(s, pk(head), NOW - dt.timedelta(minutes=5))
        revoke_sessions(s, pk(head), NOW, only=row.id)
        return Extra(
            pk(org2),
            pk(step),
            int(ev.id or 0),
            tokens,
            {"expired_session": expired, "revoked_session": revoked},
            managed,
        )
