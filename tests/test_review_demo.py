"""The demo campaign: programmes in many states, counts for reports, a late expert."""

from __future__ import annotations

import pendulum
from sqlalchemy.engine import Engine

from cli.demo_review import seed_demo_campaign
from domain.review import transitions as review
from models import StepKind
from models.db import session_scope
from models.settings import Settings
from notifications.review_reminders import review_tick
from tests.factories import make_municipality, make_roadmap, make_step


def test_demo_campaign_states_counts_and_late_expert(engine: Engine, settings: Settings) -> None:
    now = pendulum.datetime(2025, 12, 10, 12, 0, tz="Asia/Irkutsk").in_timezone("UTC")
    with session_scope(engine) as s:
        m = make_municipality(s, code="irkutsk", tz="Asia/Irkutsk")
        step = make_step(
            s, roadmap=make_roadmap(s, municipality=m), key="nok", kind=StepKind.expert_review
        )
        c = seed_demo_campaign(s, municipality=m, step=step, now=now)
        again = seed_demo_campaign(s, municipality=m, step=step, now=now)
        assert again.id == c.id and c.step_id == step.id
        states = {k: v for k, v in review.state_counts(s, campaign_id=c.id or 0).items() if v}
        assert states == {
            "DRAFT": 1,
            "SUBMITTED": 1,
            "FORMALLY_REJECTED": 1,
            "UNDER_REVIEW": 1,
            "DISAGREEMENT": 1,
            "POSITIVE": 1,
            "REVISION": 1,
            "COUNCIL_DECISION": 1,
            "REGIONAL_STAGE": 1,
            "IN_REGISTER": 1,
        }
        assert review.campaign_counts(s, campaign_id=c.id or 0) == {
            "applied": 9,
            "reviewed": 5,
            "positive": 4,
            "negative": 1,
            "regional_stage": 2,
            "in_register": 1,
        }
        counts = review_tick(s, municipality_ids=[m.id or 0], now=now, settings=settings)
    # Expert 2 of the "review" programme and the tiebreaker are past their 7 working days.
    assert counts["late_experts"] == 2 and counts["reminders"] == 2
