"""Expert review (НОК) of education programmes."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.enums import ReviewState as ReviewState
from models.types import UTCDateTime, utcnow


class Focus(StrEnum):
    """Направленность of a programme."""

    technical = "technical"
    natural_science = "natural_science"
    tourism_local_history = "tourism_local_history"
    social_humanitarian = "social_humanitarian"
    artistic = "artistic"
    physical_culture_sports = "physical_culture_sports"


class ProgrammeStatus(StrEnum):
    """Status of a programme in the catalogue (АИС «Навигатор»)."""

    published = "published"
    archived = "archived"


class Expertise(StrEnum):
    """Result of the programme's expertise (НОК / общественно значимые программы)."""

    none = "none"  # not examined
    positive = "positive"
    negative = "negative"


class Programme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    title: str
    focus: Focus
    navigator_id: str | None = Field(default=None, index=True)
    hours: int = 0
    age_min: int = 5
    age_max: int = 18
    for_ovz: bool = False
    remote: bool = False
    network: bool = False
    status: ProgrammeStatus = Field(default=ProgrammeStatus.published, index=True)
    expertise: Expertise = Expertise.none
    archived_on: dt.date | None = None


class Expert(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, unique=True)
    public: bool = False  # public expert vs member of the municipal council


class ReviewCampaign(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    step_id: int | None = Field(default=None, foreign_key="step.id")
    title: str
    year: int
    starts_on: dt.date
    ends_on: dt.date
    quorum: int = 2
    expert_working_days: int = 7
    revision_working_days: int = 20
    max_rounds: int = 3
    # Working days an expert or a revision may be late before the МОЦ head is told.
    escalate_after_working_days: int = 3
    # Set when the campaign step is completed with the МОС protocol.
    closed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReviewCase(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("campaign_id", "programme_id"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="reviewcampaign.id", index=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    round: int = 1
    state: ReviewState = Field(default=ReviewState.DRAFT, index=True)
    revision_due_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Facts kept for the report counts (the state alone forgets them after ARCHIVED).
    submitted_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    expert_outcome: str | None = None  # positive | negative: the last round's result
    regional_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    registered_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ExpertAssignment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("case_id", "expert_id", "round"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="reviewcase.id", index=True)
    expert_id: int = Field(foreign_key="expert.id", index=True)
    round: int
    tiebreaker: bool = False
    verdict: str | None = None  # positive | negative
    comment: str = ""
    due_at: dt.datetime = Field(sa_type=UTCDateTime)
    decided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class CouncilDecision(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="reviewcase.id", index=True)
    protocol_number: str
    protocol_date: dt.date
    approved: bool
