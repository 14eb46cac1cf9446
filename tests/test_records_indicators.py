"""Extended indicator catalogue: units, derivations, periods; report falls back to imports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from domain.errors import InputError
from domain.indicators import catalogue as indicators
from domain.indicators.imports import import_file
from domain.records.events import NewEvent, add_event
from models import Municipality
from models.db import session_scope
from models.settings import Settings
from reports.build import annual_report
from tests.factories import make_municipality
from tests.records_helpers import Cli

NOW = dt.datetime(2024, 1, 10, 9, tzinfo=dt.UTC)
SEED_001 = """\
показатель;факт;план
programmes_physical_culture_sports;57;
programmes_artistic;46;
programmes_technical;20;
programmes_social_humanitarian;8;
programmes_natural_science;4;
programmes_tourism_local_history;8;
programmes_total;143;
organisations;17;
children_5_18;5678;
certificates_pf;688;
"""


def test_every_issue_indicator_is_in_the_catalogue_with_unit_and_periods() -> None:
    for key in (
        "share_certificates",
        "children_ovz",
        "share_ovz",
        "children_technical",
        "programmes_published",
        "programmes_archived_artistic",
        "teachers_navigator",
        "public_experts",
        "organisations_navigator",
        "nok_applied_organisations",
        "events_parents",
        "events_pupils",
        "events_teachers",
    ):
        d = indicators.INDICATORS[key]
        assert d.label and d.unit in ("%", "чел.", "ед.") and d.periods
    assert indicators.INDICATORS["share_certificates"].derivation.startswith("сертификаты ПФ")
    assert indicators.INDICATORS["events_parents"].periods == ("Y",)


def test_imported_figures_fill_the_programmes_section(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    src = tmp_path / "navigator.csv"
    src.write_bytes(SEED_001.encode("cp1251"))
    with session_scope(engine) as s:
        m = make_municipality(s, code="krylovsky", name="Крыловский район")
        assert m.id is not None
        import_file(s, path=src, municipality_id=m.id, year=2023)
        with pytest.raises(InputError, match="только за год"):
            indicators.upsert(
                s, municipality_id=m.id, year=2023, period="Q1", key="events_parents", actual=3
            )
        mun = s.get(Municipality, m.id)
        assert mun is not None
        add_event(
            s,
            municipality=mun,
            event=NewEvent("parent_meeting", "Собрание", dt.date(2023, 9, 1), ("родители",)),
            step=None,
            file_bytes=None,
            file_name=None,
            actor="x",
            settings=settings,
            now=NOW,
        )
        rows = {r.key: r for r in indicators.plan_vs_actual(s, municipality_id=m.id, year=2023)}
        doc = annual_report(s, municipality="krylovsky", year=2023, now=NOW, charts=False)
    assert rows["share_certificates"].actual == 12.1  # 688 / 5678
    assert rows["events_parents"].actual == 1 and rows["events_teachers"].actual == 0
    section = next(x for x in doc.sections if x.title.startswith("2. "))
    assert section.table is not None
    assert section.table.rows[-1] == ("Итого", "17", "143")
    assert ("художественная", "0", "46") in section.table.rows
    assert "17 организаций" in section.paragraphs[0]


def test_indicator_list_json_names_derivation(cli_env: dict[str, str], tmp_path: Path) -> None:
    cli = Cli(cli_env, tmp_path / "home")
    cli.run("municipality", "add", "lod", "--name", "Лодейнопольский район")
    rows = cli.json("indicator", "list", "--municipality", "lod", "--year", "2023")
    by = {r["key"]: r for r in rows}
    assert by["organisations_navigator"]["derivation"].startswith("каталог организаций")
    assert by["events_total"]["periods"] == ["Y"] and by["events_total"]["actual"] == 0
