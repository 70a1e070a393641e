"""Restricted processing of a person's data, and sessions ended by signing out

Revision ID: 0006
Revises: 0005
Created: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ended_session",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("ended_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("forget_after", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_hash", name=op.f("pk_ended_session")),
    )
    with op.batch_alter_table("ended_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ended_session_forget_after"), ["forget_after"], unique=False
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("restricted_at", portal.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("restriction_reason", sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("restriction_reason")
        batch_op.drop_column("restricted_at")
    with op.batch_alter_table("ended_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ended_session_forget_after"))
    op.drop_table("ended_session")
