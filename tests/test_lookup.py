"""domain.lookup: one way to find a municipality, a step, a person, an organisation.

Table-driven on both databases (the ``engine`` fixture is SQLite and PostgreSQL):
every reference that resolves names the row it finds; every one that does not
raises one error type with a Russian message and the field it is about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from cli.main import app
from domain import lookup
from domain.errors import InputError, NotFoundError, SoczakazError
from models import Municipality, Recurrence, Role
from models.db import session_scope
from tests.factories import make_municipality, make_organisation, make_person, make_step, pk
from tests.sweep_helpers import roadmap_for

D = dt.date


@dataclass(frozen=True)
class World:
    municipality_id: int
    person_id: int
    organisation_id: int


@pytest.fixture
def world(engine: Engine) -> World:
    """krylovsky: 2024 and 2025 roadmaps; ``npa`` once a year, ``q`` quarterly in 2025."""
    with session_scope(engine) as s:
        m = make_municipality(s, code="krylovsky")
        other = make_municipality(s, code="irkutsk", tz="Asia/Irkutsk")
        r24 = roadmap_for(s, municipality=m, year=2024)
        r25 = roadmap_for(s, municipality=m, year=2025)
        make_step(s, roadmap=r24, key="npa", due=D(2024, 3, 14))
        make_step(s, roadmap=r25, key="npa", due=D(2025, 3, 14))
        for n, due in ((1, D(2025, 4, 10)), (2, D(2025, 7, 10))):
            make_step(
                s,
                roadmap=r25,
                key="q",
                period=f"2025-Q{n}",
                due=due,
                recurrence=Recurrence.quarterly,
            )
        make_step(s, roadmap=roadmap_for(s, municipality=other, year=2025), key="only-irkutsk")
        org = make_organisation(s, municipality=m, code="ddt")
        p = make_person(s, municipality=m, role=Role.moc_head, email="ivanova@example.ru")
        return World(pk(m), pk(p), pk(org))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


def _krylovsky(s: Session) -> Municipality:
    return lookup.municipality(s, "krylovsky")


# (ref, year, latest) -> (key, period, roadmap due date) of the step found
FOUND = [
    ("npa", 2025, False, ("npa", "", D(2025, 3, 14))),
    ("npa", 2024, False, ("npa", "", D(2024, 3, 14))),
    ("npa", None, True, ("npa", "", D(2025, 3, 14))),
    ("q@2025-Q2", None, False, ("q", "2025-Q2", D(2025, 7, 10))),
    ("q@2025-Q1", 2025, False, ("q", "2025-Q1", D(2025, 4, 10))),
    ("q", 2025, True, ("q", "2025-Q2", D(2025, 7, 10))),
    (" q@2025-Q1 ", None, False, ("q", "2025-Q1", D(2025, 4, 10))),
]


@pytest.mark.parametrize(("ref", "year", "latest", "expected"), FOUND)
def test_step_found_by_one_reference_syntax(
    world: World,
    session: Session,
    ref: str,
    year: int | None,
    latest: bool,
    expected: tuple[str, str, dt.date],
) -> None:
    got = lookup.step(session, municipality=_krylovsky(session), ref=ref, year=year, latest=latest)
    assert (got.key, got.period, got.due_date) == expected
    assert got.municipality_id == world.municipality_id


# (ref, year) -> error type, fragments of the message
REFUSED = [
    ("nope", 2025, NotFoundError, ["«nope» не найден", "«krylovsky»", "на 2025 год"]),
    ("npa", 2023, NotFoundError, ["«npa» не найден", "на 2023 год"]),
    ("only-irkutsk", None, NotFoundError, ["«only-irkutsk» не найден"]),  # other municipality
    ("q@2025-Q3", 2025, NotFoundError, ["«q@2025-Q3» не найден"]),
    ("q", 2025, InputError, ["повторяется", "укажите период", "q@2025-Q1, q@2025-Q2"]),
    ("npa", None, InputError, ["повторяется", "укажите год", "npa (2024), npa (2025)"]),
    ("q@", None, InputError, ["КЛЮЧ@ПЕРИОД"]),
    ("@2025-Q1", None, InputError, ["КЛЮЧ@ПЕРИОД"]),
]


@pytest.mark.parametrize(("ref", "year", "error", "fragments"), REFUSED)
def test_step_refused_with_one_message_and_field(
    world: World,
    session: Session,
    ref: str,
    year: int | None,
    error: type[SoczakazError],
    fragments: list[str],
) -> None:
    with pytest.raises(error) as info:
        lookup.step(session, municipality=_krylovsky(session), ref=ref, year=year, field="--step")
    assert all(f in info.value.message for f in fragments), info.value.message
    assert info.value.field == "--step"


@pytest.mark.parametrize(
    ("key", "period", "ref"),
    [("npa", None, "npa"), ("npa", "", "npa"), ("q", "2025-Q1", "q@2025-Q1")],
)
def test_period_option_builds_the_same_reference(key: str, period: str | None, ref: str) -> None:
    assert lookup.step_ref(key, period) == ref


def test_period_option_with_a_period_in_the_reference_is_refused() -> None:
    with pytest.raises(InputError) as info:
        lookup.step_ref("q@2025-Q1", "2025-Q2")
    assert info.value.field == "--period" and "не нужен" in info.value.message


LOOKUPS: list[tuple[str, Callable[[Session, World], object], str | None]] = [
    ("municipality", lambda s, w: lookup.municipality(s, "krylovsky").id, None),
    ("person by id", lambda s, w: lookup.person(s, w.person_id).id, None),
    ("person by id text", lambda s, w: lookup.person(s, str(w.person_id)).id, None),
    ("person by e-mail", lambda s, w: lookup.person(s, "ivanova@example.ru").id, None),
    (
        "organisation by code",
        lambda s, w: lookup.organisation(s, municipality_id=w.municipality_id, code=" ddt ").id,
        None,
    ),
    ("organisation by id", lambda s, w: lookup.organisation_by_id(s, w.organisation_id).id, None),
    ("no municipality", lambda s, w: lookup.municipality(s, "nowhere"), "муниципалитет «nowhere»"),
    ("no person id", lambda s, w: lookup.person(s, 9999), "человек с id=9999 не найден"),
    ("no person e-mail", lambda s, w: lookup.person(s, "x@y.ru"), "человек «x@y.ru» не найден"),
    ("no person id text", lambda s, w: lookup.person(s, "9999"), "человек «9999» не найден"),
    (
        "organisation of another municipality",
        lambda s, w: lookup.organisation(s, municipality_id=w.municipality_id + 1, code="ddt"),
        "организация «ddt» не найдена в муниципалитете",
    ),
    ("no organisation id", lambda s, w: lookup.organisation_by_id(s, 9999), "id=9999"),
]


@pytest.mark.parametrize(("name", "call", "missing"), LOOKUPS, ids=[n for n, _, _ in LOOKUPS])
def test_municipality_person_organisation(
    world: World,
    session: Session,
    name: str,
    call: Callable[[Session, World], object],
    missing: str | None,
) -> None:
    expected = {
        "municipality": world.municipality_id,
        "person": world.person_id,
        "organisation": world.organisation_id,
    }
    if missing is None:
        assert call(session, world) == expected[name.split()[0]]
        return
    with pytest.raises(NotFoundError) as info:
        call(session, world)
    assert missing in info.value.message
    assert info.value.field in ("municipality", "person", "organisation")


def test_cli_period_option_and_reference_find_the_same_step(
    world: World, cli_env: dict[str, str]
) -> None:
    """``roadmap history q --period 2025-Q1`` and ``roadmap history q@2025-Q1``: one step;
    ``roadmap history q`` names both periods; an unknown code names the municipality."""
    runner = CliRunner()
    base = ["history", "-m", "krylovsky", "--year", "2025", "--json"]
    by_option = runner.invoke(app, [*base[:1], "q", *base[1:], "--period", "2025-Q1"], env=cli_env)
    by_ref = runner.invoke(app, [*base[:1], "q@2025-Q1", *base[1:]], env=cli_env)
    assert by_option.exit_code == 0, by_option.output
    assert by_option.output == by_ref.output and '"step": "q 2025-Q1' in by_ref.output
    both = runner.invoke(app, ["history", "q", "-m", "krylovsky", "--year", "2025"], env=cli_env)
    assert both.exit_code == 2 and "q@2025-Q1, q@2025-Q2" in " ".join(both.output.split())
    nowhere = runner.invoke(app, ["history", "q", "-m", "nowhere"], env=cli_env)
    assert nowhere.exit_code == 2 and "муниципалитет «nowhere» не найден" in nowhere.output
