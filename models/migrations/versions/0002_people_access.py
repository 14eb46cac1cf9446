"""People, sign-in and access (issue 14).

Person: ``disabled_at``, ``password_hash`` and a CHECK that an organisation's
contact has an organisation (broken accounts already present are disabled first,
so the upgrade never fails on old data). New tables: sessions, magic links,
personal access tokens, feed secrets, failed sign-in attempts, the signing key.
Legacy ``person.token_sha256`` values are dropped: such tokens travelled in URLs
and never expired; people sign in again with a link.

Revision ID: 0002_people_access
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0002_people_access"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

CHECK = "role <> 'org_contact' OR organisation_id IS NOT NULL OR disabled_at IS NOT NULL"


def _at(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, models.types.UTCDateTime(timezone=True), nullable=nullable)


def _owned(name: str, *cols: sa.Column, hashed: str | None = None) -> None:  # type: ignore[type-arg]
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        *cols,
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(f"ix_{name}_person_id", name, ["person_id"])
    if hashed:
        op.create_index(f"ix_{name}_{hashed}", name, [hashed], unique=True)


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(_at("disabled_at", nullable=True))
        batch.add_column(sa.Column("password_hash", sa.String(), nullable=True))
    op.execute(
        "UPDATE person SET disabled_at = CURRENT_TIMESTAMP "
        "WHERE role = 'org_contact' AND organisation_id IS NULL"
    )
    op.execute("UPDATE person SET token_sha256 = NULL")
    with op.batch_alter_table("person") as batch:
        batch.create_check_constraint("ck_person_org_contact_org", CHECK)
    s64 = sa.String(length=64)
    _owned(
        "sign_in_session",
        sa.Column("sid_sha256", s64, nullable=False),
        sa.Column("csrf", s64, nullable=False),
        _at("created_at"),
        _at("expires_at"),
        _at("revoked_at", True),
        hashed="sid_sha256",
    )
    _owned(
        "magic_link",
        sa.Column("token_sha256", s64, nullable=False),
        sa.Column("next_path", sa.String(), nullable=False),
        _at("created_at"),
        _at("expires_at"),
        _at("used_at", True),
        hashed="token_sha256",
    )
    _owned(
        "access_token",
        sa.Column("token_sha256", s64, nullable=False),
        sa.Column("scope", sa.Enum("read", "write", name="tokenscope"), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        _at("created_at"),
        _at("expires_at"),
        _at("revoked_at", True),
        hashed="token_sha256",
    )
    _owned(
        "feed_secret",
        sa.Column("feed", sa.String(length=128), nullable=False),
        sa.Column("secret_sha256", s64, nullable=False),
        _at("created_at"),
        _at("revoked_at", True),
        hashed="secret_sha256",
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_sha256", s64, nullable=False),
        _at("at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempt_key_sha256", "login_attempt", ["key_sha256"])
    op.create_index("ix_login_attempt_at", "login_attempt", ["at"])
    op.create_table(
        "server_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    for name in (
        "server_key",
        "login_attempt",
        "feed_secret",
        "access_token",
        "magic_link",
        "sign_in_session",
    ):
        op.drop_table(name)
    sa.Enum(name="tokenscope").drop(op.get_bind(), checkfirst=True)
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint("ck_person_org_contact_org", type_="check")
        batch.drop_column("password_hash")
        batch.drop_column("disabled_at")
