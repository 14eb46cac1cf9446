"""No data lost on upgrade: the baseline schema, filled, upgraded to head on both databases.

Each later revision (issues 14, 15, 18, 19) adds its own data checks in its own test
module; this one guards the chain as a whole: upgrading from nothing gives exactly
the schema the models describe, and rows written under the baseline survive.
"""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

import models  # noqa: F401
from models.db import init_db, make_engine
from models.migrate import current_revision, head_revision, upgrade

AT = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)


def _fill_baseline(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine, "0001_baseline")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO municipality (id, code, name, region, timezone, created_at) "
                "VALUES (1, 'irk', 'Город Иркутск', 'Иркутская область', 'Asia/Irkutsk', :at)"
            ),
            {"at": AT},
        )
    engine.dispose()


def test_baseline_data_survives_upgrade_to_head(blank_db_url: str) -> None:
    _fill_baseline(blank_db_url)
    engine = make_engine(blank_db_url)
    assert current_revision(engine) == "0001_baseline"
    init_db(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        row = conn.execute(text("SELECT code, name, timezone FROM municipality")).one()
    assert tuple(row) == ("irk", "Город Иркутск", "Asia/Irkutsk")
    engine.dispose()


def test_unstamped_database_of_the_first_release_is_upgraded(blank_db_url: str) -> None:
    """Databases made by ``create_all`` of the first release carry no alembic_version."""
    _fill_baseline(blank_db_url)
    engine = make_engine(blank_db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    init_db(make_engine(blank_db_url))
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM municipality")).scalar() == 1
    engine.dispose()


def test_revisions_build_exactly_the_models_schema(blank_db_url: str) -> None:
    engine = make_engine(blank_db_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"revisions and models disagree: {diff}"


def test_fresh_database_is_stamped_at_head(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_head_read_from_files_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from models.migrate import MIGRATIONS

    assert head_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()
