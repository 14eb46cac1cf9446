"""Dashboard indexes: the last audit entry of each municipality (issue 19).

``ix_auditentry_municipality_at`` (municipality, time) lets the regional page read
each municipality's latest entry with one seek (``models/web_indexes.py``). No
existing row changes.

Revision ID: 0006_web_indexes
"""

from alembic import op

revision = "0006_web_indexes"
down_revision = "0005_performance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_auditentry_municipality_at", "auditentry", ["municipality_id", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_auditentry_municipality_at", table_name="auditentry")
