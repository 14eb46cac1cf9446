"""НОК (independent quality review) results per campaign, via the review contract."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from domain.review.transitions import campaign_counts
from models import ReviewCampaign

COUNT_KEYS = ("applied", "reviewed", "positive", "negative", "regional_stage", "in_register")
COUNT_RU = {
    "applied": "Подано программ",
    "reviewed": "Прошли экспертизу",
    "positive": "Положительных заключений",
    "negative": "Отрицательных заключений",
    "regional_stage": "Направлено на региональный этап",
    "in_register": "Включено в реестр",
}


@dataclass(frozen=True)
class CampaignRow:
    title: str
    period: str
    counts: dict[str, int]


def campaign_rows_many(
    s: Session, *, municipality_ids: list[int], year: int
) -> dict[int, list[CampaignRow]]:
    """Every НОК campaign of the year per municipality, counted by the review contract
    (``domain.review.transitions.campaign_counts``, one query per campaign)."""
    campaigns = s.exec(
        select(ReviewCampaign)
        .where(
            col(ReviewCampaign.municipality_id).in_(municipality_ids), ReviewCampaign.year == year
        )
        .order_by(col(ReviewCampaign.starts_on), col(ReviewCampaign.id))
    ).all()
    out: dict[int, list[CampaignRow]] = defaultdict(list)
    for c in campaigns:
        if c.id is None:
            continue
        out[c.municipality_id].append(
            CampaignRow(
                c.title,
                f"{c.starts_on:%d.%m.%Y}–{c.ends_on:%d.%m.%Y}",
                campaign_counts(s, campaign_id=c.id),
            )
        )
    return out
