"""One background task of a kind per round at a time (a matching run): running_key

Revision ID: 0010
Revises: 0009
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("background_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("running_key", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_background_task_running_key"), ["running_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("background_task", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_background_task_running_key"), type_="unique")
        batch_op.drop_column("running_key")
