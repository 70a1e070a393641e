"""Spend entries replaced by later ones, kept so a round's cost as at a date uses the spend
recorded by then

Revision ID: 0011
Revises: 0010
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "superseded_spend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("spend_to_date_pence", sa.BigInteger(), nullable=True),
        sa.Column("spend_recorded_on", sa.Date(), nullable=False),
        sa.Column("superseded_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contractor_contract.id"],
            name=op.f("fk_superseded_spend_contract_id_contractor_contract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_superseded_spend")),
    )
    with op.batch_alter_table("superseded_spend", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_superseded_spend_contract_id"), ["contract_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("superseded_spend", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_superseded_spend_contract_id"))
    op.drop_table("superseded_spend")
