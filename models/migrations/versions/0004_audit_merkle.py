"""Audit log as a Merkle tree: signed tree heads, witnesses (issue 18).

Placeholder revision (no-op) until the issue's schema lands; the chain of
revisions is fixed in advance so that parallel work never forks the history.

Revision ID: 0004_audit_merkle
"""

revision = "0004_audit_merkle"
down_revision = "0003_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
