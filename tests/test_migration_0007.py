"""Revision 0007 (issue 19): a database at 0006 with steps gets exact counters on upgrade."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from models import Roadmap, StepStatus
from models.db import init_db, make_engine, session_scope
from models.migrate import current_revision, head_revision, upgrade
from models.status_counts import current_counts
from tests.factories import make_municipality, make_step, pk
from tests.sweep_helpers import roadmap_for

# (municipality, status, how many steps)
FILLED = [("m1", "planned", 4), ("m1", "done", 2), ("m2", "overdue", 3), ("m2", "waived", 1)]


def _counts(engine: Engine) -> dict[tuple[int, str], int]:
    with engine.connect() as conn:
        return {
            (int(m), str(s)): int(n)
            for m, s, n in conn.execute(current_counts(dialect=conn.dialect.name)).all()
        }


def test_0006_database_gets_its_counts_on_upgrade(blank_db_url: str) -> None:
    engine = make_engine(blank_db_url)
    upgrade(engine, "0006_web_indexes")  # the step table is the same at 0006 and at head
    ids: dict[str, int] = {}
    roadmaps: dict[str, int] = {}
    with session_scope(engine) as s:
        for code in ("m1", "m2"):
            m = make_municipality(s, code=code)
            ids[code], roadmaps[code] = pk(m), pk(roadmap_for(s, municipality=m))
        n = 0
        for code, status, count in FILLED:
            rm = s.get(Roadmap, roadmaps[code])
            assert rm is not None
            for _ in range(count):
                n += 1
                make_step(s, roadmap=rm, key=f"k{n}", status=StepStatus(status))
    init_db(engine)  # what every entry point does: upgrade to head
    assert current_revision(engine) == head_revision()
    assert _counts(engine) == {(ids[c], s): n for c, s, n in FILLED}
    with session_scope(engine) as s:  # the triggers work on the upgraded database
        rm = s.get(Roadmap, roadmaps["m2"])
        assert rm is not None
        make_step(s, roadmap=rm, key="after", status=StepStatus.due)
    assert _counts(engine)[(ids["m2"], "due")] == 1
    engine.dispose()


def test_downgrade_to_0006_and_up_again(blank_db_url: str) -> None:
    from alembic import command

    from models.migrate import alembic_config

    engine = make_engine(blank_db_url)
    init_db(engine)
    with session_scope(engine) as s:
        m = make_municipality(s, code="m1")
        make_step(s, roadmap=roadmap_for(s, municipality=m), key="a")
        mid = pk(m)
    command.downgrade(alembic_config(blank_db_url), "0006_web_indexes")
    assert current_revision(engine) == "0006_web_indexes"
    with session_scope(engine) as s:  # no trigger left behind writes to a dropped table
        rm = s.get(Roadmap, 1)
        assert rm is not None
        make_step(s, roadmap=rm, key="b")
    upgrade(engine, "head")
    assert _counts(engine) == {(mid, "planned"): 2}
    engine.dispose()
