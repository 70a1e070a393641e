"""A round's cut-off for participants asking to move to another cohort of the round

Revision ID: 0013
Revises: 0012
Created: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programme_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("members_can_move_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programme_round", schema=None) as batch_op:
        batch_op.drop_column("members_can_move_until")
