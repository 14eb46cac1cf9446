"""НОК (independent quality review) results per campaign, via the review contract."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from domain.review import campaign_counts
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


def campaign_rows(s: Session, *, municipality_id: int, year: int) -> tuple[list[CampaignRow], str]:
    """Every НОК campaign of the year with its counts (from domain.review.campaign_counts)."""
    campaigns = s.exec(
        select(ReviewCampaign)
        .where(ReviewCampaign.municipality_id == municipality_id, ReviewCampaign.year == year)
        .order_by(col(ReviewCampaign.starts_on))
    ).all()
    rows = [
        CampaignRow(
            c.title,
            f"{c.starts_on:%d.%m.%Y}–{c.ends_on:%d.%m.%Y}",
            campaign_counts(s, campaign_id=c.id),
        )
        for c in campaigns
        if c.id is not None
    ]
    return rows, "domain.review.campaign_counts"
