"""Accounts, audit log, outbox and rounds

Revision ID: 0002
Revises: 0001
Created: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contractor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contractor")),
        sa.UniqueConstraint("name", name=op.f("uq_contractor_name")),
    )
    op.create_table(
        "programme_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("year_label", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("funder", sa.String(length=200), nullable=False),
        sa.Column("grant_pence", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("planned", "open", "closed", name="roundstatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("status_changed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("eligible_district_codes", sa.JSON(), nullable=False),
        sa.Column("min_months_trading", sa.Integer(), nullable=False),
        sa.Column("min_employees", sa.Integer(), nullable=False),
        sa.Column("min_employees_inclusive", sa.Boolean(), nullable=False),
        sa.Column("max_employees_exclusive", sa.Integer(), nullable=False),
        sa.Column("employee_counting_rule", sa.Text(), nullable=False),
        sa.Column("min_turnover_pounds", sa.BigInteger(), nullable=False),
        sa.Column("allowed_business_roles", sa.JSON(), nullable=False),
        sa.Column("excluded_sector_codes", sa.JSON(), nullable=False),
        sa.Column(
            "returning_participant_rule",
            sa.Enum(
                "completers_excluded",
                "participants_excluded",
                "anyone_may_reapply",
                name="returningparticipantrule",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("max_people_per_business", sa.Integer(), nullable=False),
        sa.Column("cohort_size_min", sa.Integer(), nullable=False),
        sa.Column("cohort_size_max", sa.Integer(), nullable=False),
        sa.Column("planned_hours", sa.Integer(), nullable=False),
        sa.Column("session_length_minutes", sa.Integer(), nullable=False),
        sa.Column("session_frequency_days", sa.Integer(), nullable=False),
        sa.Column("join_before_session_number", sa.Integer(), nullable=False),
        sa.Column("completion_threshold_hours", sa.Integer(), nullable=False),
        sa.Column("business_supported_threshold_hours", sa.Integer(), nullable=False),
        sa.Column("one_to_one_hours_per_participant", sa.Integer(), nullable=False),
        sa.Column("cancellation_cutoff_hours", sa.Integer(), nullable=False),
        sa.Column("late_cancellation_counts", sa.Boolean(), nullable=False),
        sa.Column(
            "coach_pool",
            sa.Enum("contractor", "all", name="coachpool", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("exit_survey_days_after_last_session", sa.Integer(), nullable=False),
        sa.Column("follow_up_survey_months", sa.Integer(), nullable=False),
        sa.Column("survey_reminder_days", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "cohort_size_min <= cohort_size_max",
            name=op.f("ck_programme_round_cohort_sizes_in_order"),
        ),
        sa.CheckConstraint("ends_on > starts_on", name=op.f("ck_programme_round_ends_after_start")),
        sa.CheckConstraint("grant_pence >= 0", name=op.f("ck_programme_round_grant_not_negative")),
        sa.CheckConstraint(
            "min_employees < max_employees_exclusive",
            name=op.f("ck_programme_round_employee_limits_in_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_round")),
        sa.UniqueConstraint("name", name=op.f("uq_programme_round_name")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "invited", "active", "deactivated", name="userstatus", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("email_verified_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_signed_in_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_confirmed_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_table(
        "account_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "verify_email",
                "reset_password",
                "invitation",
                "change_email",
                name="tokenpurpose",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("new_email", sa.String(length=320), nullable=True),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_account_token_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_token_token_hash")),
    )
    with op.batch_alter_table("account_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("on_behalf_of_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("entity_type", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.String(length=60), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_audit_event_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["on_behalf_of_id"],
            ["user_account.id"],
            name=op.f("fk_audit_event_on_behalf_of_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index("ix_audit_event_entity", ["entity_type", "entity_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_occurred_at"), ["occurred_at"], unique=False
        )

    op.create_table(
        "contractor_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("contractor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contractor_id"],
            ["contractor.id"],
            name=op.f("fk_contractor_membership_contractor_id_contractor"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_contractor_membership_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contractor_membership")),
        sa.UniqueConstraint(
            "user_id", "contractor_id", name=op.f("uq_contractor_membership_user_id_contractor_id")
        ),
    )
    with op.batch_alter_table("contractor_membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contractor_membership_contractor_id"), ["contractor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contractor_membership_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "email_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "reminders",
                "survey_reminders",
                "programme_news",
                name="emailcategory",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("wanted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_email_preference_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_preference")),
        sa.UniqueConstraint(
            "user_id", "category", name=op.f("uq_email_preference_user_id_category")
        ),
    )
    with op.batch_alter_table("email_preference", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_preference_user_id"), ["user_id"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "reminders",
                "survey_reminders",
                "programme_news",
                name="emailcategory",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "sending",
                "sent",
                "failed",
                "cancelled",
                name="outboxstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_outbox_message_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_message_id")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index("ix_outbox_message_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_user_id"), ["user_id"], unique=False)

    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_recovery_code_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "participant",
                "facilitator",
                "coach",
                "contractor_lead",
                "officer",
                "admin",
                name="role",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("granted_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_user_role_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_role")),
        sa.UniqueConstraint("user_id", "role", name=op.f("uq_user_role_user_id_role")),
    )
    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_role_user_id"), ["user_id"], unique=False)

    op.create_table(
        "outbox_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_message.id"],
            name=op.f("fk_outbox_attachment_outbox_message_id_outbox_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attachment")),
    )
    with op.batch_alter_table("outbox_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_attachment_outbox_message_id"),
            ["outbox_message_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_attachment_outbox_message_id"))

    op.drop_table("outbox_attachment")
    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_role_user_id"))

    op.drop_table("user_role")
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_user_id"))

    op.drop_table("recovery_code")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_user_id"))
        batch_op.drop_index("ix_outbox_message_due")
        batch_op.drop_index(batch_op.f("ix_outbox_message_created_at"))

    op.drop_table("outbox_message")
    with op.batch_alter_table("email_preference", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_preference_user_id"))

    op.drop_table("email_preference")
    with op.batch_alter_table("contractor_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contractor_membership_user_id"))
        batch_op.drop_index(batch_op.f("ix_contractor_membership_contractor_id"))

    op.drop_table("contractor_membership")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_occurred_at"))
        batch_op.drop_index("ix_audit_event_entity")
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
    with op.batch_alter_table("account_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_token_user_id"))

    op.drop_table("account_token")
    op.drop_table("user_account")
    op.drop_table("programme_round")
    op.drop_table("contractor")
