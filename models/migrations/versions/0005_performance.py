"""Performance: a sweep index, the change log of roadmaps and roll-forward marks (issue 19).

``ix_step_sweep`` (municipality, status, due date) lets the daily sweep touch only
the rows whose transition moment passed; ``ix_step_recurring`` finds the latest
occurrence of each recurring series without reading one-time steps and
``ix_step_dependent`` the steps that have dependencies; ``sweep_pending`` (filled by triggers on
``step``) names the roadmaps whose blockers must be recomputed; ``sweep_watermark``
holds the month of each municipality's last full roll-forward. Existing databases
get every roadmap logged once, so the first sweep after the upgrade recomputes all
blockers exactly as before. No existing row changes.

Revision ID: 0005_performance
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from models.sweep_state import install_sweep_triggers, mark_all_pending

revision = "0005_performance"
down_revision = "0004_audit_merkle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_step_sweep", "step", ["municipality_id", "status", "due_date"], unique=False
    )
    op.create_index(
        "ix_step_recurring",
        "step",
        ["municipality_id", "recurrence", "roadmap_id", "key", "period"],
        unique=False,
    )
    op.create_index(
        "ix_step_dependent",
        "step",
        ["roadmap_id"],
        unique=False,
        sqlite_where=sa.text("depends_on <> '[]'"),
        postgresql_where=sa.text("depends_on::text <> '[]'"),
    )
    op.create_table(
        "sweep_pending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sweep_pending_roadmap_id", "sweep_pending", ["roadmap_id"])
    op.create_index("ix_sweep_pending_municipality_id", "sweep_pending", ["municipality_id"])
    op.create_table(
        "sweep_watermark",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("rolled_period", AutoString(length=16), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id"),
    )
    bind = op.get_bind()
    install_sweep_triggers(bind)
    mark_all_pending(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name in ("ins", "del", "upd"):
            op.execute(f"DROP TRIGGER IF EXISTS step_sweep_pending_{name} ON step")
        for name in ("row", "new", "old"):
            op.execute(f"DROP FUNCTION IF EXISTS soczakaz_sweep_pending_{name}()")
    else:
        for name in ("ins", "del", "upd"):
            op.execute(f"DROP TRIGGER IF EXISTS step_sweep_pending_{name}")
    op.drop_table("sweep_watermark")
    op.drop_table("sweep_pending")
    op.drop_index("ix_step_dependent", table_name="step")
    op.drop_index("ix_step_recurring", table_name="step")
    op.drop_index("ix_step_sweep", table_name="step")
