"""Actions recorded after the fact: the log keeps both the effective and the recording moment.

A back-dated action (``--at`` in the past) is stamped with its effective moment by
the domain function; this module adds one more entry, at the real recording time,
saying who recorded what and for which moment, so nothing about it is hidden.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from domain.audit import log as audit_log
from domain.vocabulary import AuditAction
from models import ReviewCampaign, ReviewCase


def note_backdated(
    s: Session,
    *,
    municipality_id: int,
    actor: str,
    entity: str,
    action: str,
    effective: dt.datetime,
    recorded: dt.datetime,
) -> None:
    """Log that ``action`` on ``entity`` took effect at ``effective`` (recorded later)."""
    if effective >= recorded:
        return
    audit_log.append(
        s,
        municipality_id=municipality_id,
        actor=actor,
        action=AuditAction.record_backdated,
        entity=entity,
        payload={"action": action, "effective_at": effective, "recorded_at": recorded},
        at=recorded,
    )


def case_municipality(s: Session, case_id: int) -> int | None:
    case = s.get(ReviewCase, case_id)
    campaign = s.get(ReviewCampaign, case.campaign_id) if case else None
    return campaign.municipality_id if campaign else None
