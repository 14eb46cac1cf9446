"""Baseline: the schema as created by ``roadmap init`` (SQLModel metadata).

Later schema changes are new revisions made with
``alembic -c <cfg> revision --autogenerate`` (see docs/operations.md); databases
created by ``roadmap init`` are stamped at head.

Revision ID: 0001_baseline
"""

from alembic import op
from sqlmodel import SQLModel

import models  # noqa: F401

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    SQLModel.metadata.create_all(bind=op.get_bind())


def downgrade() -> None:
    SQLModel.metadata.drop_all(bind=op.get_bind())
