"""Baseline: the schema of soczakaz 0.1 (the first landed slice), frozen.

This revision is explicit DDL (not ``metadata.create_all``), so that upgrade
tests can build exactly the previous schema, fill it and upgrade it. New schema
changes are new revisions (see docs/operations.md); a fresh database created by
``roadmap init`` is built from the current metadata and stamped at head.

Revision ID: 0001_baseline
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.types
from models.evidence import install_append_only_triggers

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auditcheckpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("public_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("signature", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auditcheckpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditcheckpoint_chain"), ["chain"], unique=False)

    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chain", "seq"),
    )
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditentry_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditentry_chain"), ["chain"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditentry_entity"), ["entity"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_auditentry_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "municipality",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_municipality_code"), ["code"], unique=True)

    op.create_table(
        "roadmaptemplate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "version", "sha256"),
    )
    with op.batch_alter_table("roadmaptemplate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roadmaptemplate_key"), ["key"], unique=False)

    op.create_table(
        "indicatorvalue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("actual", sa.Float(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("municipality_id", "year", "period", "key"),
    )
    with op.batch_alter_table("indicatorvalue", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicatorvalue_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "organisation",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("short_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("inn", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_code"), ["code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_organisation_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "roadmap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("template_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["roadmaptemplate.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("municipality_id", "template_key", "year"),
    )
    with op.batch_alter_table("roadmap", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roadmap_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "person",
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "moc_head", "org_contact", "expert", "auditor", "rmc", name="role"),
            nullable=False,
        ),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("notify", sa.JSON(), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("auditor_municipality_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_person_role"), ["role"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_token_sha256"), ["token_sha256"], unique=False)

    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "focus",
            sa.Enum(
                "technical",
                "natural_science",
                "tourism_local_history",
                "social_humanitarian",
                "artistic",
                "physical_culture_sports",
                name="focus",
            ),
            nullable=False,
        ),
        sa.Column("navigator_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("age_min", sa.Integer(), nullable=False),
        sa.Column("age_max", sa.Integer(), nullable=False),
        sa.Column("for_ovz", sa.Boolean(), nullable=False),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("network", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_programme_navigator_id"), ["navigator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_programme_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "step",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "normative_act",
                "certificate_setup",
                "expert_review",
                "report",
                "event",
                "indicator",
                name="stepkind",
            ),
            nullable=False,
        ),
        sa.Column("owner_role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("due_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "recurrence",
            sa.Enum("once", "yearly", "quarterly", "monthly", name="recurrence"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "due_soon",
                "due",
                "overdue",
                "blocked",
                "done",
                "waived",
                name="stepstatus",
            ),
            nullable=False,
        ),
        sa.Column("reminder_policy", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_rule", sa.JSON(), nullable=True),
        sa.Column("depends_on", sa.JSON(), nullable=True),
        sa.Column("evidence_required", sa.JSON(), nullable=True),
        sa.Column("blocked_by", sa.JSON(), nullable=True),
        sa.Column("status_changed_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["roadmap_id"],
            ["roadmap.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("roadmap_id", "key", "period"),
    )
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_step_due_date"), ["due_date"], unique=False)
        batch_op.create_index(
            "ix_step_municipality_due", ["municipality_id", "due_date"], unique=False
        )
        batch_op.create_index(
            "ix_step_municipality_status", ["municipality_id", "status"], unique=False
        )
        batch_op.create_index("ix_step_organisation", ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_step_roadmap_id"), ["roadmap_id"], unique=False)

    op.create_table(
        "evidence",
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("act_type", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("act_number", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("act_date", sa.Date(), nullable=True),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("submitted_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["step.id"],
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["evidence.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_step_id"), ["step_id"], unique=False)

    op.create_table(
        "expert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("expert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_person_id"), ["person_id"], unique=True)

    op.create_table(
        "outboxmessage",
        sa.Column("dedupe_key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_short", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "sending", "sent", "dead", name="outboxstatus"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("sent_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["step.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_status_next", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outboxmessage_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outboxmessage_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outboxmessage_step_id"), ["step_id"], unique=False)

    op.create_table(
        "reviewcampaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.Column("expert_working_days", sa.Integer(), nullable=False),
        sa.Column("revision_working_days", sa.Integer(), nullable=False),
        sa.Column("max_rounds", sa.Integer(), nullable=False),
        sa.Column("escalate_after_working_days", sa.Integer(), nullable=False),
        sa.Column("closed_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["step.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reviewcampaign", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reviewcampaign_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "reviewcase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "DRAFT",
                "SUBMITTED",
                "FORMALLY_REJECTED",
                "EXPERTS_ASSIGNED",
                "UNDER_REVIEW",
                "POSITIVE",
                "NEGATIVE",
                "DISAGREEMENT",
                "REVISION",
                "COUNCIL_DECISION",
                "REGIONAL_STAGE",
                "IN_REGISTER",
                "ARCHIVED",
                name="reviewstate",
            ),
            nullable=False,
        ),
        sa.Column("revision_due_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expert_outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("regional_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("registered_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["reviewcampaign.id"],
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "programme_id"),
    )
    with op.batch_alter_table("reviewcase", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reviewcase_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reviewcase_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reviewcase_state"), ["state"], unique=False)

    op.create_table(
        "councildecision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("protocol_number", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("protocol_date", sa.Date(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["reviewcase.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("councildecision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_councildecision_case_id"), ["case_id"], unique=False)

    op.create_table(
        "expertassignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("tiebreaker", sa.Boolean(), nullable=False),
        sa.Column("verdict", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["reviewcase.id"],
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "expert_id", "round"),
    )
    with op.batch_alter_table("expertassignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expertassignment_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_expertassignment_expert_id"), ["expert_id"], unique=False
        )
    install_append_only_triggers(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("expertassignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expertassignment_expert_id"))
        batch_op.drop_index(batch_op.f("ix_expertassignment_case_id"))

    op.drop_table("expertassignment")
    with op.batch_alter_table("councildecision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_councildecision_case_id"))

    op.drop_table("councildecision")
    with op.batch_alter_table("reviewcase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewcase_state"))
        batch_op.drop_index(batch_op.f("ix_reviewcase_programme_id"))
        batch_op.drop_index(batch_op.f("ix_reviewcase_campaign_id"))

    op.drop_table("reviewcase")
    with op.batch_alter_table("reviewcampaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewcampaign_municipality_id"))

    op.drop_table("reviewcampaign")
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outboxmessage_step_id"))
        batch_op.drop_index(batch_op.f("ix_outboxmessage_person_id"))
        batch_op.drop_index(batch_op.f("ix_outboxmessage_municipality_id"))
        batch_op.drop_index("ix_outbox_status_next")

    op.drop_table("outboxmessage")
    with op.batch_alter_table("expert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_person_id"))

    op.drop_table("expert")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_step_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_municipality_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_step_roadmap_id"))
        batch_op.drop_index("ix_step_organisation")
        batch_op.drop_index("ix_step_municipality_status")
        batch_op.drop_index("ix_step_municipality_due")
        batch_op.drop_index(batch_op.f("ix_step_due_date"))

    op.drop_table("step")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_programme_navigator_id"))
        batch_op.drop_index(batch_op.f("ix_programme_municipality_id"))

    op.drop_table("programme")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_token_sha256"))
        batch_op.drop_index(batch_op.f("ix_person_role"))
        batch_op.drop_index(batch_op.f("ix_person_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_person_municipality_id"))

    op.drop_table("person")
    with op.batch_alter_table("roadmap", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roadmap_municipality_id"))

    op.drop_table("roadmap")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_organisation_code"))

    op.drop_table("organisation")
    with op.batch_alter_table("indicatorvalue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicatorvalue_municipality_id"))

    op.drop_table("indicatorvalue")
    with op.batch_alter_table("roadmaptemplate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roadmaptemplate_key"))

    op.drop_table("roadmaptemplate")
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_municipality_code"))

    op.drop_table("municipality")
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditentry_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_auditentry_entity"))
        batch_op.drop_index(batch_op.f("ix_auditentry_chain"))
        batch_op.drop_index(batch_op.f("ix_auditentry_action"))

    op.drop_table("auditentry")
    with op.batch_alter_table("auditcheckpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditcheckpoint_chain"))

    op.drop_table("auditcheckpoint")
