"""Jobs, feedback and reference data

Revision ID: 0001
Revises:
Created: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_holiday")),
        sa.UniqueConstraint("division", "day", name=op.f("uq_bank_holiday_division_day")),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "rating",
            sa.Enum(
                "very_satisfied",
                "satisfied",
                "neither",
                "dissatisfied",
                "very_dissatisfied",
                name="feedbackrating",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("page", sa.String(length=300), nullable=True),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_table(
        "job_run",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("next_due_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_started_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_outcome", sa.String(length=20), nullable=True),
        sa.Column("last_message", sa.Text(), nullable=True),
        sa.Column("run_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_run")),
    )
    op.create_table(
        "reference_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "district",
                "sector",
                "ownership_fact",
                "business_organisation",
                "issue",
                "support_type",
                name="referencekind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_item")),
        sa.UniqueConstraint("kind", "code", name=op.f("uq_reference_item_kind_code")),
    )


def downgrade() -> None:
    op.drop_table("reference_item")
    op.drop_table("job_run")
    op.drop_table("feedback")
    op.drop_table("bank_holiday")
