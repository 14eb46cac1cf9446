"""Each municipality's oldest overdue due date, kept by triggers on ``step`` (issue 19).

``overdue_oldest`` holds the dates, ``overdue_oldest_mark`` the municipalities whose
date PostgreSQL's statement triggers flagged until the next fold
(``models/overdue_oldest.py``). The dates are computed from the existing steps. No
existing row changes.

On SQLite, ``step_count`` is rebuilt WITHOUT ROWID (its rows in its key's b-tree) and
counted again from ``step``.

Revision ID: 0008_overdue_oldest
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from models.overdue_oldest import drop_oldest_triggers, install_oldest_triggers
from models.status_counts import drop_count_triggers, install_count_triggers

revision = "0008_overdue_oldest"
down_revision = "0007_status_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "overdue_oldest",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("municipality_id"),
    )
    op.create_table(
        "overdue_oldest_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_overdue_oldest_mark_municipality_id", "overdue_oldest_mark", ["municipality_id"]
    )
    install_oldest_triggers(op.get_bind())  # also dates the existing overdue steps
    if op.get_bind().dialect.name == "sqlite":
        _step_count_table(with_rowid=False)


def _step_count_table(*, with_rowid: bool) -> None:
    """Recreate SQLite's ``step_count`` with or without a rowid, counted from ``step``."""
    bind = op.get_bind()
    drop_count_triggers(bind)
    op.drop_table("step_count")
    op.create_table(
        "step_count",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", "status"),
        sqlite_with_rowid=with_rowid,
    )
    install_count_triggers(bind)  # also counts the existing steps


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _step_count_table(with_rowid=True)
    drop_oldest_triggers(op.get_bind())
    op.drop_index("ix_overdue_oldest_mark_municipality_id", table_name="overdue_oldest_mark")
    op.drop_table("overdue_oldest_mark")
    op.drop_table("overdue_oldest")
