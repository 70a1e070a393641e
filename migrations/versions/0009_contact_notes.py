"""Officers' contact notes: a call or conversation with a person, logged on their page

Revision ID: 0009
Revises: 0008
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "phone",
                "email",
                "in_person",
                "other",
                name="contactchannel",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_contact_note_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["user_account.id"], name=op.f("fk_contact_note_person_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_note")),
    )
    with op.batch_alter_table("contact_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_note_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contact_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_note_person_id"))
    op.drop_table("contact_note")
