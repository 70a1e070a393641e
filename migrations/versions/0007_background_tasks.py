"""Background tasks: slow work run off the web request, with its stage and result

Revision ID: 0007
Revises: 0006
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "background_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "succeeded",
                "failed",
                "cancelled",
                name="taskstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("stage", sa.String(length=200), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status_changed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_round.id"],
            name=op.f("fk_background_task_round_id_programme_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["user_account.id"],
            name=op.f("fk_background_task_started_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_task")),
    )
    with op.batch_alter_table("background_task", schema=None) as batch_op:
        for column in ("kind", "status", "started_by_id", "round_id"):
            batch_op.create_index(batch_op.f(f"ix_background_task_{column}"), [column])


def downgrade() -> None:
    with op.batch_alter_table("background_task", schema=None) as batch_op:
        for column in ("kind", "status", "started_by_id", "round_id"):
            batch_op.drop_index(batch_op.f(f"ix_background_task_{column}"))
    op.drop_table("background_task")
