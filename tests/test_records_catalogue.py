"""Organisations and the programme catalogue: domain on both databases, CLI as people run it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from domain.errors import ConflictError, InputError
from domain.records import organisations as orgs
from domain.records import programmes as progs
from models import AuditEntry, Programme
from models.db import session_scope
from models.review import Expertise, Focus, ProgrammeStatus
from tests.factories import make_municipality
from tests.records_helpers import Cli

NOW = dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC)


def test_organisations_and_programmes_are_stored_and_logged(engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="lod")
        assert m.id is not None
        dar = orgs.add_organisation(
            s,
            municipality_id=m.id,
            code="dar",
            name="МБУ ДО «ЛЦВР «Дар»",
            kind="ДО",
            actor="Сафонова Т.Б.",
            now=NOW,
        )
        orgs.add_organisation(
            s,
            municipality_id=m.id,
            code="ip",
            name="ИП Гусаров Павел Евгеньевич",
            kind="частная организация / ИП",
            in_navigator=True,
            actor="Сафонова Т.Б.",
            now=NOW,
        )
        p = progs.add_programme(
            s,
            organisation=dar,
            title="Робототехника",
            focus="Техническая",
            for_ovz=True,
            network=True,
            expertise="positive",
            navigator_id="4711",
            actor="Сафонова Т.Б.",
            now=NOW,
        )
        progs.archive_programme(s, programme=p, on=dt.date(2024, 2, 1), actor="С.", now=NOW)
    with session_scope(engine) as s:
        row = s.exec(select(Programme)).one()
        assert (row.focus, row.status, row.expertise) == (
            Focus.technical,
            ProgrammeStatus.archived,
            Expertise.positive,
        )
        assert row.archived_on == dt.date(2024, 2, 1) and row.for_ovz and row.network
        listed = orgs.list_organisations(s, municipality_id=m.id)
        assert [(o.code, str(o.kind), n) for o, n in listed] == [
            ("dar", "additional_education", 1),
            ("ip", "private", 0),
        ]
        actions = [e.action for e in s.exec(select(AuditEntry).order_by(col(AuditEntry.seq))).all()]
    assert actions == [
        "organisation.added",
        "organisation.added",
        "programme.added",
        "programme.archived",
    ]


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        ({"kind": "завод"}, "--type: значение «завод» неизвестно"),
        ({"inn": "12ab"}, "--inn"),
        ({"code": "два слова"}, "код организации"),
    ],
)
def test_bad_organisation_is_refused_in_russian(
    engine: Engine, call: dict[str, str], fragment: str
) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="lod")
        args = {"code": "dar", "name": "Дар", "kind": "school", "inn": "", **call}
        with pytest.raises(InputError, match=fragment):
            orgs.add_organisation(
                s,
                municipality_id=m.id or 0,
                actor="x",
                now=NOW,
                code=args["code"],
                name=args["name"],
                kind=args["kind"],
                inn=args["inn"],
            )


def test_duplicates_are_conflicts(engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="lod")
        org = orgs.add_organisation(
            s, municipality_id=m.id or 0, code="dar", name="Дар", actor="x", now=NOW
        )
        with pytest.raises(ConflictError, match="уже есть"):
            orgs.add_organisation(
                s, municipality_id=m.id or 0, code="dar", name="Дар", actor="x", now=NOW
            )
        progs.add_programme(
            s, organisation=org, title="Хор", focus="artistic", navigator_id="1", actor="x", now=NOW
        )
        with pytest.raises(ConflictError, match="navigator-id"):
            progs.add_programme(
                s,
                organisation=org,
                title="Хор 2",
                focus="artistic",
                navigator_id="1",
                actor="x",
                now=NOW,
            )


def test_catalogue_from_the_cli_as_people_run_it(cli_env: dict[str, str], tmp_path: Path) -> None:
    cli = Cli(cli_env, tmp_path / "home")
    cli.run("municipality", "add", "lod", "--name", "Лодейнопольский район")
    cli.run(
        "organisation", "add", "dar", "-m", "lod", "--name", "МБУ ДО «ЛЦВР «Дар»", "--type", "ДО"
    )
    cli.run(
        "organisation",
        "add",
        "school1",
        "-m",
        "lod",
        "--name",
        "МКОУ СОШ №1",
        "--type",
        "школа",
        "--no-navigator",
    )
    made = cli.json(
        "programme",
        "add",
        "-m",
        "lod",
        "-o",
        "dar",
        "--title",
        "Робототехника",
        "--focus",
        "техническая",
        "--remote",
        "--expertise",
        "positive",
    )
    assert (made["focus"], made["remote"], made["expertise"]) == ("technical", True, "positive")
    cli.run(
        "programme",
        "add",
        "-m",
        "lod",
        "-o",
        "school1",
        "--title",
        "Юный турист",
        "--focus",
        "туристско-краеведческая",
    )
    archived = cli.run("programme", "archive", str(made["id"]), "-m", "lod", "--on", "01.02.2024")
    assert "в архив с 01.02.2024" in archived.stdout
    listed = cli.json("programme", "list", "-m", "lod", "--status", "в архиве")
    assert [p["title"] for p in listed] == ["Робототехника"]
    shown = cli.json("organisation", "show", "dar", "-m", "lod")
    assert shown["type"] == "additional_education" and len(shown["programmes"]) == 1
    orgs_listed = cli.json("organisation", "list", "-m", "lod")
    assert [(o["code"], o["in_navigator"]) for o in orgs_listed] == [
        ("dar", True),
        ("school1", False),
    ]
    text = cli.run("programme", "show", str(made["id"]), "-m", "lod").stdout
    assert "Статус: в архиве" in text and "дистанционно: да" in text
    bad = cli.run(
        "programme",
        "add",
        "-m",
        "lod",
        "-o",
        "dar",
        "--title",
        "X1",
        "--focus",
        "космическая",
        code=2,
    )
    assert "--focus: значение «космическая» неизвестно" in bad.stderr
    again = cli.run("programme", "archive", str(made["id"]), "-m", "lod", code=2)
    assert "уже в архиве" in again.stderr
    assert len(cli.json("programme", "list", "-m", "lod")) == 2  # nothing written on error


def test_nok_case_from_a_catalogue_programme(cli_env: dict[str, str], tmp_path: Path) -> None:
    cli = Cli(cli_env, tmp_path / "home")
    cli.run("municipality", "add", "lod", "--name", "Лодейнопольский район")
    cli.run("organisation", "add", "dar", "-m", "lod", "--name", "ЛЦВР «Дар»", "--type", "ДО")
    one = cli.json(
        "programme",
        "add",
        "-m",
        "lod",
        "-o",
        "dar",
        "--title",
        "Робототехника",
        "--focus",
        "техническая",
    )
    two = cli.json(
        "programme", "add", "-m", "lod", "-o", "dar", "--title", "Хор", "--focus", "художественная"
    )
    cli.run("programme", "archive", str(two["id"]), "-m", "lod", "--on", "01.02.2024")
    cli.run(
        "review",
        "campaign",
        "create",
        "--municipality",
        "lod",
        "--title",
        "НОК 2024",
        "--year",
        "2024",
        "--from",
        "15.11.2024",
        "--to",
        "2024-12-15",
    )
    done = cli.run("review", "submit", "--campaign", "1", "--programme", str(one["id"]))
    assert "подана" in done.stdout
    refused = cli.run("review", "submit", "--campaign", "1", "--programme", str(two["id"]), code=2)
    assert "в архиве каталога" in refused.stderr
