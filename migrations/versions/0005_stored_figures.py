"""Stored figures and the data version they are checked against

Revision ID: 0005
Revises: 0004
Created: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No row yet: the first commit that writes a record creates it (version 1).
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.create_table(
        "stored_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("as_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("definitions", sa.String(length=64), nullable=False),
        sa.Column("data_version", sa.BigInteger(), nullable=False),
        sa.Column("worked_out_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_round.id"],
            name=op.f("fk_stored_figures_round_id_programme_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_figures")),
        sa.UniqueConstraint(
            "round_id", "as_at", "scope", name=op.f("uq_stored_figures_round_id_as_at_scope")
        ),
    )
    with op.batch_alter_table("stored_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_figures_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stored_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_figures_round_id"))
    op.drop_table("stored_figures")
    op.drop_table("data_version")
