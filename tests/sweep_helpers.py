"""Test helpers of the deadline engine: roadmaps sharing one template."""

from __future__ import annotations

from sqlmodel import Session, select

from models import Municipality, Roadmap, RoadmapTemplate
from tests.factories import pk


def roadmap_for(s: Session, *, municipality: Municipality, year: int = 2025) -> Roadmap:
    """A roadmap of the municipality and year on a shared test template."""
    t = s.exec(select(RoadmapTemplate).where(RoadmapTemplate.key == "test")).first()
    if t is None:
        t = RoadmapTemplate(key="test", version=1, title="Тест", sha256="0" * 64, source="")
        s.add(t)
        s.flush()
    r = Roadmap(municipality_id=pk(municipality), template_id=pk(t), template_key="test", year=year)
    s.add(r)
    s.flush()
    return r
