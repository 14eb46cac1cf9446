"""People, sign-in and access (issue 14).

Placeholder revision (no-op) until the issue's schema lands; the chain of
revisions is fixed in advance so that parallel work never forks the history.

Revision ID: 0002_people_access
"""

revision = "0002_people_access"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
