"""Businesses and applications

Revision ID: 0003
Revises: 0002
Created: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "business",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("company_number", sa.String(length=8), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("match_key", sa.String(length=220), nullable=True),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business")),
    )
    with op.batch_alter_table("business", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_business_company_number"), ["company_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_business_match_key"), ["match_key"], unique=False)

    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "eligible",
                "ineligible",
                "needs_review",
                "waitlisted",
                "offered",
                "placed",
                "withdrawn",
                name="applicationstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "online",
                "assisted",
                "imported",
                name="applicationsource",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("import_key", sa.String(length=100), nullable=True),
        sa.Column("role_in_business", sa.String(length=20), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("business_name", sa.String(length=200), nullable=True),
        sa.Column("company_number", sa.String(length=8), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("district_code", sa.String(length=60), nullable=True),
        sa.Column("sector_code", sa.String(length=2), nullable=True),
        sa.Column("sic_code", sa.String(length=5), nullable=True),
        sa.Column("employees", sa.Numeric(precision=8, scale=1), nullable=True),
        sa.Column(
            "turnover_band",
            sa.Enum(
                "under_50k",
                "50k_to_100k",
                "100k_to_250k",
                "250k_to_1m",
                "1m_to_5m",
                "over_5m",
                name="turnoverband",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("started_trading_on", sa.Date(), nullable=True),
        sa.Column(
            "legal_form",
            sa.Enum(
                "sole_trader",
                "partnership",
                "limited_company",
                "llp",
                "cic",
                "charity",
                "cooperative",
                "other",
                name="legalform",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("organisations_other", sa.Text(), nullable=False),
        sa.Column("issues_other", sa.Text(), nullable=False),
        sa.Column(
            "delivery",
            sa.Enum(
                "online",
                "in_person",
                "either",
                name="deliverypreference",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("share_with_cohort", sa.Boolean(), nullable=True),
        sa.Column("contact_about_future", sa.Boolean(), nullable=True),
        sa.Column(
            "eligibility_outcome",
            sa.Enum(
                "eligible",
                "ineligible",
                "needs_review",
                name="outcome",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("eligibility_reasons", sa.JSON(), nullable=False),
        sa.Column("eligibility_checked_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("eligibility_overridden", sa.Boolean(), nullable=False),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=False),
        sa.Column("answered_steps", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["business.id"], name=op.f("fk_application_business_id_business")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_application_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["application.id"],
            name=op.f("fk_application_duplicate_of_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["user_account.id"], name=op.f("fk_application_person_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_round.id"],
            name=op.f("fk_application_round_id_programme_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
        sa.UniqueConstraint("reference", name=op.f("uq_application_reference")),
        sa.UniqueConstraint(
            "round_id", "import_key", name=op.f("uq_application_round_id_import_key")
        ),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_business_id"), ["business_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_application_district_code"), ["district_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_application_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_round_id"), ["round_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_application_sector_code"), ["sector_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_application_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_application_active_person",
            ["round_id", "person_id"],
            unique=True,
            sqlite_where=sa.text("status != 'withdrawn'"),
            postgresql_where=sa.text("status != 'withdrawn'"),
        )

    op.create_table(
        "application_availability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column(
            "part_of_day",
            sa.Enum(
                "morning", "afternoon", "evening", name="partofday", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_availability_application_id_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_availability")),
        sa.UniqueConstraint(
            "application_id",
            "weekday",
            "part_of_day",
            name=op.f("uq_application_availability_application_id_weekday_part_of_day"),
        ),
    )
    with op.batch_alter_table("application_availability", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_availability_application_id"),
            ["application_id"],
            unique=False,
        )

    op.create_table(
        "application_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("business_name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "competitor",
                "customer",
                "supplier",
                name="conflictkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_conflict_application_id_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_conflict")),
    )
    with op.batch_alter_table("application_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_conflict_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "application_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("issue_code", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_issue_application_id_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_issue")),
        sa.UniqueConstraint(
            "application_id",
            "issue_code",
            name=op.f("uq_application_issue_application_id_issue_code"),
        ),
    )
    with op.batch_alter_table("application_issue", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_issue_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_application_issue_issue_code"), ["issue_code"], unique=False
        )

    op.create_table(
        "application_organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("organisation_code", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_organisation_application_id_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_organisation")),
        sa.UniqueConstraint(
            "application_id",
            "organisation_code",
            name=op.f("uq_application_organisation_application_id_organisation_code"),
        ),
    )
    with op.batch_alter_table("application_organisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_organisation_application_id"),
            ["application_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_application_organisation_organisation_code"),
            ["organisation_code"],
            unique=False,
        )

    op.create_table(
        "application_ownership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("fact_code", sa.String(length=60), nullable=False),
        sa.Column(
            "answer",
            sa.Enum(
                "yes", "no", "prefer_not_to_say", name="factanswer", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_ownership_application_id_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_ownership")),
        sa.UniqueConstraint(
            "application_id",
            "fact_code",
            name=op.f("uq_application_ownership_application_id_fact_code"),
        ),
    )
    with op.batch_alter_table("application_ownership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_ownership_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "application_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "eligible",
                "ineligible",
                "needs_review",
                "waitlisted",
                "offered",
                "placed",
                "withdrawn",
                name="applicationstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("changed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_status_change_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_application_status_change_changed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_status_change")),
    )
    with op.batch_alter_table("application_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_status_change_application_id"),
            ["application_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("application_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_status_change_application_id"))

    op.drop_table("application_status_change")
    with op.batch_alter_table("application_ownership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_ownership_application_id"))

    op.drop_table("application_ownership")
    with op.batch_alter_table("application_organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_organisation_organisation_code"))
        batch_op.drop_index(batch_op.f("ix_application_organisation_application_id"))

    op.drop_table("application_organisation")
    with op.batch_alter_table("application_issue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_issue_issue_code"))
        batch_op.drop_index(batch_op.f("ix_application_issue_application_id"))

    op.drop_table("application_issue")
    with op.batch_alter_table("application_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_conflict_application_id"))

    op.drop_table("application_conflict")
    with op.batch_alter_table("application_availability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_availability_application_id"))

    op.drop_table("application_availability")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_application_active_person",
            sqlite_where=sa.text("status != 'withdrawn'"),
            postgresql_where=sa.text("status != 'withdrawn'"),
        )
        batch_op.drop_index(batch_op.f("ix_application_status"))
        batch_op.drop_index(batch_op.f("ix_application_sector_code"))
        batch_op.drop_index(batch_op.f("ix_application_round_id"))
        batch_op.drop_index(batch_op.f("ix_application_person_id"))
        batch_op.drop_index(batch_op.f("ix_application_district_code"))
        batch_op.drop_index(batch_op.f("ix_application_business_id"))

    op.drop_table("application")
    with op.batch_alter_table("business", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_business_match_key"))
        batch_op.drop_index(batch_op.f("ix_business_company_number"))

    op.drop_table("business")
