"""Step counts per municipality and status, kept by triggers on ``step`` (issue 19).

``step_count`` holds the folded counts, ``step_count_delta`` the changes PostgreSQL's
statement triggers append until the sweep folds them (``models/status_counts.py``).
The counts are filled from the existing steps. No existing row changes.

Revision ID: 0007_status_counts
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from models.status_counts import drop_count_triggers, install_count_triggers

revision = "0007_status_counts"
down_revision = "0006_web_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "step_count",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", "status"),
    )
    op.create_table(
        "step_count_delta",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_step_count_delta_municipality", "step_count_delta", ["municipality_id"])
    install_count_triggers(op.get_bind())  # also counts the existing steps


def downgrade() -> None:
    drop_count_triggers(op.get_bind())
    op.drop_index("ix_step_count_delta_municipality", table_name="step_count_delta")
    op.drop_table("step_count_delta")
    op.drop_table("step_count")
