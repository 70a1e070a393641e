"""Files made by background tasks (a board report as a .docx), kept for a day

Revision ID: 0014
Revises: 0013
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_file",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mimetype", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["background_task.id"],
            name=op.f("fk_task_file_task_id_background_task"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_task_file")),
    )
    with op.batch_alter_table("task_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_file_created_at"), ["created_at"])


def downgrade() -> None:
    with op.batch_alter_table("task_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_file_created_at"))
    op.drop_table("task_file")
