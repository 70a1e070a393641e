"""Cohorts, one-to-one support, surveys, case studies and outcomes

Revision ID: 0004
Revises: 0003
Created: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# No coach and no participant may hold two overlapping active bookings (buffers included):
# PostgreSQL enforces it with exclusion constraints over time ranges (btree_gist supplies the
# "=" part), SQLite with triggers that refuse the row inside the write transaction. The text
# is frozen here, as the models' was when this migration was written.
_POSTGRES_OVERLAP = (
    "ALTER TABLE coaching_booking ADD CONSTRAINT xc_coaching_booking_{who}_overlap "
    "EXCLUDE USING gist ({who}_id WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&) "
    "WHERE (status <> 'cancelled')"
)
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER coaching_booking_no_overlap_insert
BEFORE INSERT ON coaching_booking
FOR EACH ROW WHEN NEW.status <> 'cancelled'
BEGIN
  SELECT RAISE(ABORT, 'xc_coaching_booking_coach_overlap') WHERE EXISTS (
    SELECT 1 FROM coaching_booking AS other
    WHERE other.coach_id = NEW.coach_id AND other.status <> 'cancelled'
      AND other.blocked_from < NEW.blocked_until AND NEW.blocked_from < other.blocked_until
  );
  SELECT RAISE(ABORT, 'xc_coaching_booking_participant_overlap') WHERE EXISTS (
    SELECT 1 FROM coaching_booking AS other
    WHERE other.participant_id = NEW.participant_id AND other.status <> 'cancelled'
      AND other.blocked_from < NEW.blocked_until AND NEW.blocked_from < other.blocked_until
  );
END""",
    """CREATE TRIGGER coaching_booking_no_overlap_update
BEFORE UPDATE ON coaching_booking
FOR EACH ROW WHEN NEW.status <> 'cancelled'
BEGIN
  SELECT RAISE(ABORT, 'xc_coaching_booking_coach_overlap') WHERE EXISTS (
    SELECT 1 FROM coaching_booking AS other
    WHERE other.coach_id = NEW.coach_id AND other.status <> 'cancelled' AND other.id <> NEW.id
      AND other.blocked_from < NEW.blocked_until AND NEW.blocked_from < other.blocked_until
  );
  SELECT RAISE(ABORT, 'xc_coaching_booking_participant_overlap') WHERE EXISTS (
    SELECT 1 FROM coaching_booking AS other
    WHERE other.participant_id = NEW.participant_id AND other.status <> 'cancelled'
      AND other.id <> NEW.id
      AND other.blocked_from < NEW.blocked_until AND NEW.blocked_from < other.blocked_until
  );
END""",
]


def _add_booking_overlap_guards() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        for who in ("coach", "participant"):
            op.execute(_POSTGRES_OVERLAP.format(who=who))
    elif dialect == "sqlite":
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)


def upgrade() -> None:
    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "timing",
            sa.Enum(
                "baseline", "exit", "follow_up", name="surveytiming", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
        sa.UniqueConstraint("timing", name=op.f("uq_survey_timing")),
    )
    op.create_table(
        "coaching_availability_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("time_off", "extra_hours", name="exceptionkind", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("end_time", sa.String(length=5), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_availability_exception_coach_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_availability_exception")),
    )
    with op.batch_alter_table("coaching_availability_exception", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coaching_availability_exception_coach_id"), ["coach_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coaching_availability_exception_on"), ["on"], unique=False
        )

    op.create_table(
        "coaching_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("session_lengths", sa.JSON(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("min_notice_hours", sa.Integer(), nullable=False),
        sa.Column("horizon_weeks", sa.Integer(), nullable=False),
        sa.Column("support_types", sa.JSON(), nullable=False),
        sa.Column(
            "location_type",
            sa.Enum(
                "video", "phone", "in_person", name="locationtype", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("location_detail", sa.Text(), nullable=False),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("updated_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "buffer_minutes >= 0", name=op.f("ck_coaching_profile_buffer_not_negative")
        ),
        sa.CheckConstraint(
            "horizon_weeks >= 1", name=op.f("ck_coaching_profile_horizon_at_least_a_week")
        ),
        sa.CheckConstraint(
            "min_notice_hours >= 0", name=op.f("ck_coaching_profile_notice_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_profile_coach_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_profile")),
        sa.UniqueConstraint("coach_id", name=op.f("uq_coaching_profile_coach_id")),
    )
    op.create_table(
        "coaching_waiting_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("offers_sent", sa.Integer(), nullable=False),
        sa.Column("last_offered_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_waiting_entry_coach_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_waiting_entry_participant_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_round.id"],
            name=op.f("fk_coaching_waiting_entry_round_id_programme_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_waiting_entry")),
    )
    with op.batch_alter_table("coaching_waiting_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coaching_waiting_entry_coach_id"), ["coach_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coaching_waiting_entry_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            "uq_coaching_waiting_entry_one_open",
            ["participant_id", "coach_id"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )

    op.create_table(
        "coaching_weekly_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("end_time", sa.String(length=5), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "end_time > start_time", name=op.f("ck_coaching_weekly_window_ends_after_start")
        ),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_coaching_weekly_window_weekday_in_week")
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_weekly_window_coach_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_weekly_window")),
    )
    with op.batch_alter_table("coaching_weekly_window", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coaching_weekly_window_coach_id"), ["coach_id"], unique=False
        )

    op.create_table(
        "cohort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "basis",
            sa.Enum(
                "sector",
                "ownership",
                "organisation",
                "mixed",
                "manual",
                name="cohortbasis",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("basis_value", sa.String(length=60), nullable=False),
        sa.Column(
            "delivery",
            sa.Enum("online", "in_person", name="cohortdelivery", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("meeting_weekday", sa.Integer(), nullable=False),
        sa.Column(
            "meeting_part_of_day",
            sa.Enum(
                "morning", "afternoon", "evening", name="partofday", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("districts", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("missed_goals", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "confirmed",
                "running",
                "completed",
                "cancelled",
                name="cohortstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("contractor_id", sa.Integer(), nullable=True),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("planned_hours", sa.Integer(), nullable=False),
        sa.Column("session_length_minutes", sa.Integer(), nullable=False),
        sa.Column("session_frequency_days", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("venue", sa.Text(), nullable=False),
        sa.Column("online_link", sa.String(length=500), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contractor_id"], ["contractor.id"], name=op.f("fk_cohort_contractor_id_contractor")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_cohort_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["user_account.id"],
            name=op.f("fk_cohort_facilitator_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["programme_round.id"], name=op.f("fk_cohort_round_id_programme_round")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort")),
    )
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_contractor_id"), ["contractor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cohort_facilitator_id"), ["facilitator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cohort_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cohort_status"), ["status"], unique=False)

    op.create_table(
        "contractor_contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("contractor_id", sa.Integer(), nullable=False),
        sa.Column("contract_value_pence", sa.BigInteger(), nullable=False),
        sa.Column("spend_to_date_pence", sa.BigInteger(), nullable=True),
        sa.Column("spend_recorded_on", sa.Date(), nullable=True),
        sa.Column("updated_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "contract_value_pence >= 0",
            name=op.f("ck_contractor_contract_contract_value_not_negative"),
        ),
        sa.CheckConstraint(
            "spend_to_date_pence IS NULL OR spend_to_date_pence >= 0",
            name=op.f("ck_contractor_contract_spend_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["contractor_id"],
            ["contractor.id"],
            name=op.f("fk_contractor_contract_contractor_id_contractor"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_round.id"],
            name=op.f("fk_contractor_contract_round_id_programme_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contractor_contract")),
        sa.UniqueConstraint(
            "round_id", "contractor_id", name=op.f("uq_contractor_contract_round_id_contractor_id")
        ),
    )
    with op.batch_alter_table("contractor_contract", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contractor_contract_contractor_id"), ["contractor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contractor_contract_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "issued_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("round_ids", sa.JSON(), nullable=False),
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("issued_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("docx", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["user_account.id"],
            name=op.f("fk_issued_report_issued_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_report")),
    )
    op.create_table(
        "survey_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("introduction", sa.Text(), nullable=False),
        sa.Column("page_titles", sa.JSON(), nullable=False),
        sa.Column("file_version", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_survey_version_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user_account.id"],
            name=op.f("fk_survey_version_published_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_version_survey_id_survey")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_version")),
        sa.UniqueConstraint("survey_id", "number", name=op.f("uq_survey_version_survey_id_number")),
    )
    with op.batch_alter_table("survey_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_version_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "cohort_place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "offered",
                "accepted",
                "declined",
                "lapsed",
                "left",
                "removed",
                name="placestatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("offered_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reply_by", sa.Date(), nullable=True),
        sa.Column("accepted_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=False),
        sa.Column("offer_token_hash", sa.String(length=64), nullable=True),
        sa.Column("feed_token_hash", sa.String(length=64), nullable=True),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_cohort_place_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohort.id"], name=op.f("fk_cohort_place_cohort_id_cohort")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["user_account.id"], name=op.f("fk_cohort_place_person_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_place")),
        sa.UniqueConstraint("feed_token_hash", name=op.f("uq_cohort_place_feed_token_hash")),
        sa.UniqueConstraint("offer_token_hash", name=op.f("uq_cohort_place_offer_token_hash")),
    )
    with op.batch_alter_table("cohort_place", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_place_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cohort_place_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cohort_place_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "uq_cohort_place_one_holding_place",
            ["application_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('offered', 'accepted')"),
            postgresql_where=sa.text("status IN ('offered', 'accepted')"),
        )

    op.create_table(
        "cohort_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned", "held", "cancelled", name="sessionstatus", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("venue", sa.Text(), nullable=False),
        sa.Column("online_link", sa.String(length=500), nullable=False),
        sa.Column("calendar_sequence", sa.Integer(), nullable=False),
        sa.Column("facilitator_notes", sa.Text(), nullable=False),
        sa.Column("register_taken_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohort.id"], name=op.f("fk_cohort_session_cohort_id_cohort")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_session")),
    )
    with op.batch_alter_table("cohort_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_session_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cohort_session_starts_at"), ["starts_at"], unique=False
        )

    op.create_table(
        "cohort_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "confirmed",
                "running",
                "completed",
                "cancelled",
                name="cohortstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("changed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_cohort_status_change_changed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohort.id"], name=op.f("fk_cohort_status_change_cohort_id_cohort")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_status_change")),
    )
    with op.batch_alter_table("cohort_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_status_change_cohort_id"), ["cohort_id"], unique=False
        )

    op.create_table(
        "confirmed_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_a_id", sa.Integer(), nullable=False),
        sa.Column("application_b_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_a_id"],
            ["application.id"],
            name=op.f("fk_confirmed_conflict_application_a_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["application_b_id"],
            ["application.id"],
            name=op.f("fk_confirmed_conflict_application_b_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["user_account.id"],
            name=op.f("fk_confirmed_conflict_confirmed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confirmed_conflict")),
        sa.UniqueConstraint(
            "application_a_id",
            "application_b_id",
            name=op.f("uq_confirmed_conflict_application_a_id_application_b_id"),
        ),
    )
    with op.batch_alter_table("confirmed_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_confirmed_conflict_application_a_id"), ["application_a_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_confirmed_conflict_application_b_id"), ["application_b_id"], unique=False
        )

    op.create_table(
        "survey_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("page_key", sa.String(length=60), nullable=False),
        sa.Column("measure_code", sa.String(length=60), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "single_choice",
                "multiple_choice",
                "satisfaction",
                "recommend",
                "number",
                "short_text",
                "long_text",
                name="questionkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("hint", sa.Text(), nullable=False),
        sa.Column("error_message", sa.String(length=200), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("min_value", sa.Integer(), nullable=True),
        sa.Column("max_value", sa.Integer(), nullable=True),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.Column("show_if", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["survey_version.id"],
            name=op.f("fk_survey_question_version_id_survey_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_question")),
        sa.UniqueConstraint(
            "version_id", "measure_code", name=op.f("uq_survey_question_version_id_measure_code")
        ),
    )
    with op.batch_alter_table("survey_question", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_question_measure_code"), ["measure_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_question_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "present",
                "partial",
                "apologies",
                "absent",
                name="attendancestatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("hours", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("recorded_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["place_id"], ["cohort_place.id"], name=op.f("fk_attendance_place_id_cohort_place")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_attendance_recorded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["cohort_session.id"],
            name=op.f("fk_attendance_session_id_cohort_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint(
            "session_id", "place_id", name=op.f("uq_attendance_session_id_place_id")
        ),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_place_id"), ["place_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendance_session_id"), ["session_id"], unique=False)

    op.create_table(
        "case_study",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("drafted_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "awaiting_confirmation",
                "submitted",
                "in_review",
                "changes_requested",
                "resubmitted",
                "approved",
                "published",
                "rejected",
                "withdrawn",
                "expired",
                name="casestudystatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_steps", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("challenge", sa.Text(), nullable=False),
        sa.Column("group_help", sa.Text(), nullable=False),
        sa.Column("one_to_one_help", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("outcomes", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("jobs_created", sa.Integer(), nullable=True),
        sa.Column("jobs_safeguarded", sa.Integer(), nullable=True),
        sa.Column("turnover_change_pounds", sa.BigInteger(), nullable=True),
        sa.Column("cost_savings_pounds", sa.BigInteger(), nullable=True),
        sa.Column("new_markets", sa.String(length=200), nullable=False),
        sa.Column("sector_code", sa.String(length=2), nullable=True),
        sa.Column("issue_codes", sa.JSON(), nullable=False),
        sa.Column("named", sa.Boolean(), nullable=True),
        sa.Column("uses", sa.JSON(), nullable=False),
        sa.Column("consent_years", sa.Integer(), nullable=True),
        sa.Column("consent_given_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("consent_expires_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("consent_withdrawn_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("anonymity_confirmed_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("anonymity_confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("unpublished_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["anonymity_confirmed_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_study_anonymity_confirmed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_case_study_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohort.id"], name=op.f("fk_case_study_cohort_id_cohort")
        ),
        sa.ForeignKeyConstraint(
            ["drafted_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_study_drafted_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["user_account.id"], name=op.f("fk_case_study_person_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["cohort_place.id"], name=op.f("fk_case_study_place_id_cohort_place")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_round.id"],
            name=op.f("fk_case_study_round_id_programme_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_study")),
    )
    with op.batch_alter_table("case_study", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_study_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_study_consent_expires_at"), ["consent_expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_case_study_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_study_place_id"), ["place_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_study_round_id"), ["round_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_study_sector_code"), ["sector_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_case_study_status"), ["status"], unique=False)

    op.create_table(
        "coaching_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("contractor_id", sa.Integer(), nullable=True),
        sa.Column("support_type", sa.String(length=60), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column(
            "location_type",
            sa.Enum(
                "video", "phone", "in_person", name="locationtype", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("location_detail", sa.Text(), nullable=False),
        sa.Column("starts_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("blocked_from", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "booked",
                "delivered",
                "no_show",
                "cancelled",
                name="bookingstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("calendar_sequence", sa.Integer(), nullable=False),
        sa.Column("booked_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("booked_by_id", sa.Integer(), nullable=True),
        sa.Column("rescheduled_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reschedule_count", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "cancelled_by",
            sa.Enum("participant", "coach", name="cancelledby", native_enum=False, length=40),
            nullable=True,
        ),
        sa.Column("cancellation_reason", sa.Text(), nullable=False),
        sa.Column("late_cancellation", sa.Boolean(), nullable=False),
        sa.Column("outcome_recorded_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("delivered_minutes", sa.Integer(), nullable=True),
        sa.Column("coach_note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "blocked_from <= starts_at", name=op.f("ck_coaching_booking_blocked_from_start")
        ),
        sa.CheckConstraint(
            "blocked_until >= ends_at", name=op.f("ck_coaching_booking_blocked_until_end")
        ),
        sa.CheckConstraint(
            "delivered_minutes IS NULL OR delivered_minutes > 0",
            name=op.f("ck_coaching_booking_delivered_minutes_positive"),
        ),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_coaching_booking_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["booked_by_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_booking_booked_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_booking_coach_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["contractor_id"],
            ["contractor.id"],
            name=op.f("fk_coaching_booking_contractor_id_contractor"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_booking_outcome_recorded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_booking_participant_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["cohort_place.id"],
            name=op.f("fk_coaching_booking_place_id_cohort_place"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_round.id"],
            name=op.f("fk_coaching_booking_round_id_programme_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_booking")),
    )
    with op.batch_alter_table("coaching_booking", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coaching_booking_coach_starts", ["coach_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coaching_booking_contractor_id"), ["contractor_id"], unique=False
        )
        batch_op.create_index(
            "ix_coaching_booking_participant_starts", ["participant_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coaching_booking_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coaching_booking_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_coaching_booking_status"), ["status"], unique=False)
    _add_booking_overlap_guards()

    op.create_table(
        "coaching_outside_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("contractor_id", sa.Integer(), nullable=True),
        sa.Column("support_type", sa.String(length=60), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "phone",
                "email",
                "video",
                "in_person",
                name="supportchannel",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "minutes > 0", name=op.f("ck_coaching_outside_support_minutes_positive")
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_outside_support_coach_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["contractor_id"],
            ["contractor.id"],
            name=op.f("fk_coaching_outside_support_contractor_id_contractor"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_outside_support_participant_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["cohort_place.id"],
            name=op.f("fk_coaching_outside_support_place_id_cohort_place"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_outside_support_recorded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_round.id"],
            name=op.f("fk_coaching_outside_support_round_id_programme_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_outside_support")),
    )
    with op.batch_alter_table("coaching_outside_support", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coaching_outside_support_coach_id"), ["coach_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coaching_outside_support_contractor_id"), ["contractor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coaching_outside_support_participant_id"),
            ["participant_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_coaching_outside_support_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coaching_outside_support_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "session_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("issue_code", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["cohort_session.id"],
            name=op.f("fk_session_theme_session_id_cohort_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_theme")),
        sa.UniqueConstraint(
            "session_id", "issue_code", name=op.f("uq_session_theme_session_id_issue_code")
        ),
    )
    with op.batch_alter_table("session_theme", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_theme_issue_code"), ["issue_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_session_theme_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "survey_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "timing",
            sa.Enum(
                "baseline", "exit", "follow_up", name="surveytiming", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("triggered_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("last_reminded_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resent_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohort.id"], name=op.f("fk_survey_invitation_cohort_id_cohort")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["user_account.id"],
            name=op.f("fk_survey_invitation_person_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["cohort_place.id"],
            name=op.f("fk_survey_invitation_place_id_cohort_place"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_round.id"],
            name=op.f("fk_survey_invitation_round_id_programme_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitation")),
        sa.UniqueConstraint(
            "place_id", "timing", name=op.f("uq_survey_invitation_place_id_timing")
        ),
    )
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_invitation_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_invitation_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_invitation_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_invitation_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_invitation_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_survey_invitation_timing"), ["timing"], unique=False)

    op.create_table(
        "case_study_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_study_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "awaiting_confirmation",
                "submitted",
                "in_review",
                "changes_requested",
                "resubmitted",
                "approved",
                "published",
                "rejected",
                "withdrawn",
                "expired",
                name="casestudystatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("changed_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_study_id"],
            ["case_study.id"],
            name=op.f("fk_case_study_status_change_case_study_id_case_study"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_study_status_change_changed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_study_status_change")),
    )
    with op.batch_alter_table("case_study_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_study_status_change_case_study_id"), ["case_study_id"], unique=False
        )

    op.create_table(
        "coaching_booking_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("participant", "coach", name="reminderkind", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("for_starts_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["coaching_booking.id"],
            name=op.f("fk_coaching_booking_reminder_booking_id_coaching_booking"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_booking_reminder")),
        sa.UniqueConstraint(
            "booking_id",
            "kind",
            "for_starts_at",
            name=op.f("uq_coaching_booking_reminder_booking_id_kind_for_starts_at"),
        ),
    )
    with op.batch_alter_table("coaching_booking_reminder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coaching_booking_reminder_booking_id"), ["booking_id"], unique=False
        )

    op.create_table(
        "survey_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["survey_invitation.id"],
            name=op.f("fk_survey_link_invitation_id_survey_invitation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_survey_link_token_hash")),
    )
    with op.batch_alter_table("survey_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_link_invitation_id"), ["invitation_id"], unique=False
        )

    op.create_table(
        "survey_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "in_progress", "submitted", name="responsestatus", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column(
            "mode",
            sa.Enum("online", "paper", "phone", name="responsemode", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("keyed_in_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_pages", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["survey_invitation.id"],
            name=op.f("fk_survey_response_invitation_id_survey_invitation"),
        ),
        sa.ForeignKeyConstraint(
            ["keyed_in_by_id"],
            ["user_account.id"],
            name=op.f("fk_survey_response_keyed_in_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["survey_version.id"],
            name=op.f("fk_survey_response_version_id_survey_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_survey_response_invitation_id")),
    )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_response_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_survey_response_submitted_at"), ["submitted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_response_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "survey_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("measure_code", sa.String(length=60), nullable=False),
        sa.Column(
            "timing",
            sa.Enum(
                "baseline", "exit", "follow_up", name="surveytiming", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("choice", sa.String(length=60), nullable=True),
        sa.Column("choices", sa.JSON(), nullable=True),
        sa.Column("number", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("answered_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_question.id"],
            name=op.f("fk_survey_answer_question_id_survey_question"),
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_response.id"],
            name=op.f("fk_survey_answer_response_id_survey_response"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answer")),
        sa.UniqueConstraint(
            "response_id", "question_id", name=op.f("uq_survey_answer_response_id_question_id")
        ),
    )
    with op.batch_alter_table("survey_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_answer_measure_code"), ["measure_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_answer_question_id"), ["question_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_answer_response_id"), ["response_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_survey_answer_timing"), ["timing"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("survey_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_answer_timing"))
        batch_op.drop_index(batch_op.f("ix_survey_answer_response_id"))
        batch_op.drop_index(batch_op.f("ix_survey_answer_question_id"))
        batch_op.drop_index(batch_op.f("ix_survey_answer_measure_code"))

    op.drop_table("survey_answer")
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_response_version_id"))
        batch_op.drop_index(batch_op.f("ix_survey_response_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_survey_response_status"))

    op.drop_table("survey_response")
    with op.batch_alter_table("survey_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_link_invitation_id"))

    op.drop_table("survey_link")
    with op.batch_alter_table("coaching_booking_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_booking_reminder_booking_id"))

    op.drop_table("coaching_booking_reminder")
    with op.batch_alter_table("case_study_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_study_status_change_case_study_id"))

    op.drop_table("case_study_status_change")
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_invitation_timing"))
        batch_op.drop_index(batch_op.f("ix_survey_invitation_round_id"))
        batch_op.drop_index(batch_op.f("ix_survey_invitation_place_id"))
        batch_op.drop_index(batch_op.f("ix_survey_invitation_person_id"))
        batch_op.drop_index(batch_op.f("ix_survey_invitation_created_at"))
        batch_op.drop_index(batch_op.f("ix_survey_invitation_cohort_id"))

    op.drop_table("survey_invitation")
    with op.batch_alter_table("session_theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_theme_session_id"))
        batch_op.drop_index(batch_op.f("ix_session_theme_issue_code"))

    op.drop_table("session_theme")
    with op.batch_alter_table("coaching_outside_support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_outside_support_round_id"))
        batch_op.drop_index(batch_op.f("ix_coaching_outside_support_place_id"))
        batch_op.drop_index(batch_op.f("ix_coaching_outside_support_participant_id"))
        batch_op.drop_index(batch_op.f("ix_coaching_outside_support_contractor_id"))
        batch_op.drop_index(batch_op.f("ix_coaching_outside_support_coach_id"))

    op.drop_table("coaching_outside_support")
    with op.batch_alter_table("coaching_booking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_booking_status"))
        batch_op.drop_index(batch_op.f("ix_coaching_booking_round_id"))
        batch_op.drop_index(batch_op.f("ix_coaching_booking_place_id"))
        batch_op.drop_index("ix_coaching_booking_participant_starts")
        batch_op.drop_index(batch_op.f("ix_coaching_booking_contractor_id"))
        batch_op.drop_index("ix_coaching_booking_coach_starts")

    op.drop_table("coaching_booking")
    with op.batch_alter_table("case_study", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_study_status"))
        batch_op.drop_index(batch_op.f("ix_case_study_sector_code"))
        batch_op.drop_index(batch_op.f("ix_case_study_round_id"))
        batch_op.drop_index(batch_op.f("ix_case_study_place_id"))
        batch_op.drop_index(batch_op.f("ix_case_study_person_id"))
        batch_op.drop_index(batch_op.f("ix_case_study_consent_expires_at"))
        batch_op.drop_index(batch_op.f("ix_case_study_cohort_id"))

    op.drop_table("case_study")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_session_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_place_id"))

    op.drop_table("attendance")
    with op.batch_alter_table("survey_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_question_version_id"))
        batch_op.drop_index(batch_op.f("ix_survey_question_measure_code"))

    op.drop_table("survey_question")
    with op.batch_alter_table("confirmed_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_confirmed_conflict_application_b_id"))
        batch_op.drop_index(batch_op.f("ix_confirmed_conflict_application_a_id"))

    op.drop_table("confirmed_conflict")
    with op.batch_alter_table("cohort_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_status_change_cohort_id"))

    op.drop_table("cohort_status_change")
    with op.batch_alter_table("cohort_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_session_starts_at"))
        batch_op.drop_index(batch_op.f("ix_cohort_session_cohort_id"))

    op.drop_table("cohort_session")
    with op.batch_alter_table("cohort_place", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_cohort_place_one_holding_place",
            sqlite_where=sa.text("status IN ('offered', 'accepted')"),
            postgresql_where=sa.text("status IN ('offered', 'accepted')"),
        )
        batch_op.drop_index(batch_op.f("ix_cohort_place_person_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_place_cohort_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_place_application_id"))

    op.drop_table("cohort_place")
    with op.batch_alter_table("survey_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_version_survey_id"))

    op.drop_table("survey_version")
    op.drop_table("issued_report")
    with op.batch_alter_table("contractor_contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contractor_contract_round_id"))
        batch_op.drop_index(batch_op.f("ix_contractor_contract_contractor_id"))

    op.drop_table("contractor_contract")
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_status"))
        batch_op.drop_index(batch_op.f("ix_cohort_round_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_facilitator_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_contractor_id"))

    op.drop_table("cohort")
    with op.batch_alter_table("coaching_weekly_window", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_weekly_window_coach_id"))

    op.drop_table("coaching_weekly_window")
    with op.batch_alter_table("coaching_waiting_entry", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_coaching_waiting_entry_one_open",
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_coaching_waiting_entry_participant_id"))
        batch_op.drop_index(batch_op.f("ix_coaching_waiting_entry_coach_id"))

    op.drop_table("coaching_waiting_entry")
    op.drop_table("coaching_profile")
    with op.batch_alter_table("coaching_availability_exception", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_availability_exception_on"))
        batch_op.drop_index(batch_op.f("ix_coaching_availability_exception_coach_id"))

    op.drop_table("coaching_availability_exception")
    op.drop_table("survey")
