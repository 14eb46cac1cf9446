"""Revision 0003 (issue 15): rows written under 0002 survive the upgrade, with defaults."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from models.db import init_db, make_engine
from models.migrate import current_revision, head_revision, upgrade

AT = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)


def _fill_0002(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine, "0002_people_access")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO municipality (id, code, name, region, timezone, created_at) "
                "VALUES (1, 'lodeynoye', 'Лодейнопольский район', 'Ленинградская область', "
                "'Europe/Moscow', :at)"
            ),
            {"at": AT},
        )
        conn.execute(
            text(
                "INSERT INTO organisation (id, municipality_id, code, name, short_name, inn) "
                "VALUES (1, 1, 'dar', 'МБУ ДО «ЛЦВР «Дар»', 'Дар', '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO programme (id, municipality_id, organisation_id, title, focus, "
                "hours, age_min, age_max, for_ovz, remote, network) "
                "VALUES (1, 1, 1, 'Робототехника', 'technical', 72, 7, 14, :f, :f, :t)"
            ),
            {"f": False, "t": True},
        )
    engine.dispose()


def test_0002_data_survives_upgrade_to_head(blank_db_url: str) -> None:
    _fill_0002(blank_db_url)
    engine = make_engine(blank_db_url)
    assert current_revision(engine) == "0002_people_access"
    init_db(engine)
    assert current_revision(engine) == head_revision()
    with engine.begin() as conn:
        org = conn.execute(text("SELECT code, name, kind, in_navigator FROM organisation")).one()
        prog = conn.execute(
            text("SELECT title, network, status, expertise, archived_on FROM programme")
        ).one()
        conn.execute(
            text(
                "INSERT INTO eventrecord (municipality_id, kind, title, held_on, audiences, "
                "participants, note, recorded_at, recorded_by) VALUES (1, 'meeting', "
                "'Совещание', :d, '[]', '{}', '', :at, 'test')"
            ),
            {"d": dt.date(2023, 10, 12), "at": AT},
        )
        events = conn.execute(text("SELECT count(*) FROM eventrecord")).scalar()
    assert tuple(org) == ("dar", "МБУ ДО «ЛЦВР «Дар»", "school", True)
    assert tuple(prog) == ("Робототехника", True, "published", "none", None)
    assert events == 1
    engine.dispose()
