"""Report counts of a review campaign (the issue-7 contract, re-exported by
``domain.review.transitions``) and the number of cases in every state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func
from sqlmodel import Session, col, select

from models.review import ReviewCase, ReviewState


def campaign_counts(session: Session, *, campaign_id: int) -> dict[str, int]:
    """Counts for reports: applied, reviewed, positive, negative, regional_stage, in_register."""
    c = ReviewCase

    def flag(cond: Any) -> Any:
        return func.coalesce(func.sum(sql_case((cond, 1), else_=0)), 0)

    row = session.exec(
        select(  # type: ignore[call-overload]
            func.count(col(c.submitted_at)),
            func.count(col(c.expert_outcome)),
            flag(col(c.expert_outcome) == "positive"),
            flag(col(c.expert_outcome) == "negative"),
            func.count(col(c.regional_at)),
            func.count(col(c.registered_at)),
        ).where(c.campaign_id == campaign_id)
    ).one()
    keys = ("applied", "reviewed", "positive", "negative", "regional_stage", "in_register")
    return {k: int(v) for k, v in zip(keys, row, strict=True)}


def state_counts(session: Session, *, campaign_id: int) -> dict[str, int]:
    """Number of cases in every state (all states present, zeros included)."""
    stmt = (
        select(ReviewCase.state, func.count())
        .where(ReviewCase.campaign_id == campaign_id)
        .group_by(ReviewCase.state)
    )
    found = {ReviewState(s): int(n) for s, n in session.exec(stmt).all()}
    return {s.value: found.get(s, 0) for s in ReviewState}
