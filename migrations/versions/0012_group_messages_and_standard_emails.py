"""Messages to groups (who wrote them, to whom, the outbox copy of each) and the numbered
versions of the standard emails' wording

Revision ID: 0012
Revises: 0011
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "standard_email_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_standard_email_version_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standard_email_version")),
        sa.UniqueConstraint("kind", "number", name=op.f("uq_standard_email_version_kind_number")),
    )
    with op.batch_alter_table("standard_email_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standard_email_version_kind"), ["kind"], unique=False)

    op.create_table(
        "group_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "sent", name="messagestatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column(
            "audience_kind",
            sa.Enum(
                "cohort",
                "waiting_list",
                "applicants",
                "survey",
                name="audiencekind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("audience_label", sa.String(length=300), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
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
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("test_sent_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status_changed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("left_out_count", sa.Integer(), nullable=False),
        sa.Column("repeat_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohort.id"], name=op.f("fk_group_message_cohort_id_cohort")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_group_message_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_round.id"],
            name=op.f("fk_group_message_round_id_programme_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_message")),
        sa.UniqueConstraint("repeat_key", name=op.f("uq_group_message_repeat_key")),
    )
    with op.batch_alter_table("group_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_message_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_group_message_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_group_message_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_message_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_message_status"), ["status"], unique=False)

    op.create_table(
        "group_message_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["group_message.id"],
            name=op.f("fk_group_message_recipient_message_id_group_message"),
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_message.id"],
            name=op.f("fk_group_message_recipient_outbox_message_id_outbox_message"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["user_account.id"],
            name=op.f("fk_group_message_recipient_person_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_message_recipient")),
        sa.UniqueConstraint(
            "message_id", "person_id", name=op.f("uq_group_message_recipient_message_id_person_id")
        ),
    )
    with op.batch_alter_table("group_message_recipient", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_message_recipient_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_group_message_recipient_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("group_message_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_message_recipient_person_id"))
        batch_op.drop_index(batch_op.f("ix_group_message_recipient_message_id"))

    op.drop_table("group_message_recipient")
    with op.batch_alter_table("group_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_message_status"))
        batch_op.drop_index(batch_op.f("ix_group_message_sent_at"))
        batch_op.drop_index(batch_op.f("ix_group_message_round_id"))
        batch_op.drop_index(batch_op.f("ix_group_message_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_group_message_cohort_id"))

    op.drop_table("group_message")
    with op.batch_alter_table("standard_email_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standard_email_version_kind"))

    op.drop_table("standard_email_version")
