"""A covering index of the step lists on SQLite (issue 19).

``ix_step_municipality_list`` holds every column the municipality page's list and
the open-steps API read, in their order (``models/web_indexes.py``). SQLite only:
on PostgreSQL nothing changes. No existing row changes.

Revision ID: 0008_step_list_index
"""

from alembic import op

revision = "0008_step_list_index"
down_revision = "0007_status_counts"
branch_labels = None
depends_on = None
# models.web_indexes.STEP_LIST_COLUMNS when this revision was written.
COLUMNS = [
    "municipality_id",
    "due_date",
    "id",
    "status",
    "kind",
    "owner_role",
    "organisation_id",
    "key",
    "period",
    "title",
    "blocked_by",
    "evidence_required",
    "due_at",
    "timezone",
    "recurrence",
    "reminder_policy",
    "roadmap_id",
    "depends_on",
    "done_at",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index("ix_step_municipality_list", "step", COLUMNS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_step_municipality_list", table_name="step")
