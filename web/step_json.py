"""Step lists of the JSON API without ORM objects or per-row validation (issue 19).

``/api/municipalities/{code}/steps`` returns hundreds of rows. Loading ``Step``
objects, validating each through ``StepPublic`` and encoding with ``json`` cost
most of the request; here the columns of ``StepPublic`` are selected directly and
encoded by orjson. The bytes equal what FastAPI would send for
``response_model=list[StepPublic]`` (same keys in the same order, ``Z`` for UTC,
compact separators, UTF-8): ``tests/test_web_perf.py`` compares them.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import Response
from sqlalchemy import select
from sqlmodel import Session

from models.roadmap import Step, StepPublic
from web.raw_rows import RawColumns

STEP_TABLE: Any = Step.__table__  # type: ignore[attr-defined]
# StepPublic's fields, in its order (the keys of every object in the response).
PUBLIC_FIELDS: tuple[str, ...] = tuple(StepPublic.model_fields)
PUBLIC_COLUMNS = tuple(STEP_TABLE.c[name] for name in PUBLIC_FIELDS)
# Raw driver values, decoded per column (web/raw_rows.py) to what orjson writes as JSON.
RAW = RawColumns(PUBLIC_COLUMNS, for_json=True)


def public_steps_select(session: Session) -> Any:
    """``SELECT <StepPublic columns> FROM step``: add WHERE / ORDER BY / LIMIT."""
    return select(*RAW.select_columns(session))


def steps_response(session: Session, stmt: Any) -> Response:
    """Run a :func:`public_steps_select` statement and answer with its rows as JSON."""
    names = PUBLIC_FIELDS
    body = orjson.dumps(
        [dict(zip(names, row, strict=True)) for row in RAW.fetch(session, stmt)],
        option=orjson.OPT_UTC_Z,
    )
    return Response(body, media_type="application/json")
