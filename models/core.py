"""Who takes part: municipalities, organisations and people with roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column
from sqlmodel import Field, SQLModel

from models.enums import Role as Role
from models.types import JSONType, UTCDateTime, utcnow


class OrganisationKind(StrEnum):
    """Type of an organisation that runs programmes (as МОЦ reports count them)."""

    school = "school"
    kindergarten = "kindergarten"
    additional_education = "additional_education"  # центр / дом / учреждение ДО
    culture = "culture"
    sports = "sports"
    private = "private"  # частная организация, ИП


class MunicipalityBase(SQLModel):
    code: str = Field(index=True, unique=True, max_length=64)
    name: str
    region: str = ""
    timezone: str = "Europe/Moscow"


class Municipality(MunicipalityBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MunicipalityPublic(MunicipalityBase):
    id: int


class OrganisationBase(SQLModel):
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    code: str = Field(index=True, max_length=64)
    name: str
    short_name: str = ""
    inn: str = ""
    kind: OrganisationKind = OrganisationKind.school
    # Registered in АИС «Навигатор» (reports count registered organisations).
    in_navigator: bool = True


class Organisation(OrganisationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class OrganisationPublic(OrganisationBase):
    id: int


class PersonBase(SQLModel):
    full_name: str
    role: Role = Field(index=True)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    email: str = ""
    # Apprise URLs, or "@name" references to Settings.channels (secrets stay out of the DB).
    notify: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    # Recipient's zone for sending windows; None means the municipality's zone.
    timezone: str | None = None
    digest: bool = False


# An organisation's contact always belongs to an organisation (issue 14); a broken
# account found by the upgrade is disabled instead (it can never sign in).
PERSON_ORG_CHECK = "role <> 'org_contact' OR organisation_id IS NOT NULL OR disabled_at IS NOT NULL"


class Person(PersonBase, table=True):
    __table_args__ = (CheckConstraint(PERSON_ORG_CHECK, name="ck_person_org_contact_org"),)
    id: int | None = Field(default=None, primary_key=True)
    # Disabled people cannot sign in; their sessions and tokens stop working.
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Optional password (argon2id hash from argon2-cffi); magic links need none.
    password_hash: str | None = None
    # Opaque API token (hash stored); used by the web app for roles and tenancy.
    token_sha256: str | None = Field(default=None, index=True)
    # Auditors only: the municipalities whose data (read-only) they may see.
    auditor_municipality_ids: list[int] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False, default=list)
    )


class PersonPublic(PersonBase):
    id: int
