"""Records a МОЦ keeps: organisations, programmes, events, certificates, narrative (issue 15).

Organisation type and Навигатор registration; programme status (published /
archived), expertise result and archive date; the events register; narrative
texts of the annual report. Existing rows get the defaults (school, registered,
published, not examined).

Revision ID: 0003_records
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

import models.types

revision = "0003_records"
down_revision = "0002_people_access"
branch_labels = None
depends_on = None

ORG_KIND = sa.Enum(
    "school",
    "kindergarten",
    "additional_education",
    "culture",
    "sports",
    "private",
    name="organisationkind",
)
PROGRAMME_STATUS = sa.Enum("published", "archived", name="programmestatus")
EXPERTISE = sa.Enum("none", "positive", "negative", name="expertise")
ENUMS = (ORG_KIND, PROGRAMME_STATUS, EXPERTISE)


def upgrade() -> None:
    bind = op.get_bind()
    for enum in ENUMS:
        enum.create(bind, checkfirst=True)
    # Plain ADD COLUMN (no table copy): SQLite supports it with a constant default.
    op.add_column(
        "organisation", sa.Column("kind", ORG_KIND, nullable=False, server_default="school")
    )
    op.add_column(
        "organisation",
        sa.Column("in_navigator", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column(
        "programme",
        sa.Column("status", PROGRAMME_STATUS, nullable=False, server_default="published"),
    )
    op.add_column(
        "programme", sa.Column("expertise", EXPERTISE, nullable=False, server_default="none")
    )
    op.add_column("programme", sa.Column("archived_on", sa.Date(), nullable=True))
    op.create_index("ix_programme_status", "programme", ["status"], unique=False)

    op.create_table(
        "eventrecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("kind", AutoString(length=32), nullable=False),
        sa.Column("title", AutoString(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("audiences", sa.JSON(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("participants_total", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("file_sha256", AutoString(length=64), nullable=True),
        sa.Column("file_name", AutoString(), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("content_type", AutoString(), nullable=True),
        sa.Column("recorded_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        sa.ForeignKeyConstraint(["step_id"], ["step.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("eventrecord", schema=None) as batch_op:
        batch_op.create_index(
            "ix_eventrecord_municipality_held", ["municipality_id", "held_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_eventrecord_step_id"), ["step_id"], unique=False)

    op.create_table(
        "narrative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("part", AutoString(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("municipality_id", "year", "part"),
    )
    with op.batch_alter_table("narrative", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_narrative_municipality_id"), ["municipality_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("narrative")
    op.drop_table("eventrecord")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_status"))
        batch_op.drop_column("archived_on")
        batch_op.drop_column("expertise")
        batch_op.drop_column("status")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("in_navigator")
        batch_op.drop_column("kind")
    bind = op.get_bind()
    for enum in ENUMS:
        enum.drop(bind, checkfirst=True)
