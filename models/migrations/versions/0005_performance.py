"""Performance: indexes and transition bookkeeping (issue 19).

Placeholder revision (no-op) until the issue's schema lands; the chain of
revisions is fixed in advance so that parallel work never forks the history.

Revision ID: 0005_performance
"""

revision = "0005_performance"
down_revision = "0004_audit_merkle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
