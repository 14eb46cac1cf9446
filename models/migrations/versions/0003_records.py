"""Records a МОЦ keeps: organisations, programmes, events, certificates, narrative (issue 15).

Placeholder revision (no-op) until the issue's schema lands; the chain of
revisions is fixed in advance so that parallel work never forks the history.

Revision ID: 0003_records
"""

revision = "0003_records"
down_revision = "0002_people_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
