"""One-to-one support: coaches' availability, bookings, reminders, support recorded outside
the booking system, and people waiting for an earlier time.

Overlapping bookings are refused by the database itself, whatever the code above it does:

- PostgreSQL: two exclusion constraints over each booking's blocked time range (the session
  plus the coach's buffer after it), one per coach and one per participant, limited to
  bookings that are not cancelled. They need the ``btree_gist`` extension (integer equality
  in a GiST index); the migration creates it.
- SQLite: two triggers that refuse the same overlaps, raising the same constraint names. Every
  request that may write takes SQLite's write lock when its transaction begins (``BEGIN
  IMMEDIATE``, see portal.db), so two bookings racing for one time queue rather than both
  passing the check.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_base import Base, enum_column, utcnow

# The constraint names both databases report for an overlapping booking.
COACH_OVERLAP = "xc_coaching_booking_coach_overlap"
PARTICIPANT_OVERLAP = "xc_coaching_booking_participant_overlap"
OVERLAP_CONSTRAINTS = (COACH_OVERLAP, PARTICIPANT_OVERLAP)

DEFAULT_SESSION_LENGTHS = (60,)
DEFAULT_BUFFER_MINUTES = 15
DEFAULT_MIN_NOTICE_HOURS = 24
DEFAULT_HORIZON_WEEKS = 8


class LocationType(enum.StrEnum):
    VIDEO = "video"
    PHONE = "phone"
    IN_PERSON = "in_person"

    @property
    def label(self) -> str:
        return {"video": "Video call", "phone": "Phone call", "in_person": "In person"}[self.value]


class BookingStatus(enum.StrEnum):
    BOOKED = "booked"
    DELIVERED = "delivered"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "booked": "Booked",
            "delivered": "Delivered",
            "no_show": "Did not attend",
            "cancelled": "Cancelled",
        }[self.value]

    @property
    def tag_colour(self) -> str:
        return {
            "booked": "blue",
            "delivered": "green",
            "no_show": "orange",
            "cancelled": "grey",
        }[self.value]


# Bookings that hold their time: everything but a cancellation.
HOLDING = (BookingStatus.BOOKED, BookingStatus.DELIVERED, BookingStatus.NO_SHOW)


class CancelledBy(enum.StrEnum):
    PARTICIPANT = "participant"
    COACH = "coach"


class ExceptionKind(enum.StrEnum):
    TIME_OFF = "time_off"
    EXTRA_HOURS = "extra_hours"

    @property
    def label(self) -> str:
        return {"time_off": "Not available", "extra_hours": "Extra hours"}[self.value]


class SupportChannel(enum.StrEnum):
    """How one-to-one support recorded outside the booking system was given."""

    PHONE = "phone"
    EMAIL = "email"
    VIDEO = "video"
    IN_PERSON = "in_person"

    @property
    def label(self) -> str:
        return {
            "phone": "Phone call",
            "email": "Email exchange",
            "video": "Video call",
            "in_person": "In person",
        }[self.value]


class ReminderKind(enum.StrEnum):
    PARTICIPANT = "participant"
    COACH = "coach"


def _default_lengths() -> list[int]:
    return list(DEFAULT_SESSION_LENGTHS)


def _default_support_types() -> list[str]:
    return ["coaching"]


class CoachProfile(Base):
    """What a coach offers and the rules their free times follow."""

    __tablename__ = "coaching_profile"
    __table_args__ = (
        CheckConstraint("buffer_minutes >= 0", name="buffer_not_negative"),
        CheckConstraint("min_notice_hours >= 0", name="notice_not_negative"),
        CheckConstraint("horizon_weeks >= 1", name="horizon_at_least_a_week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    # Minutes, e.g. [60, 90]: the session lengths participants may choose from.
    session_lengths: Mapped[list[int]] = mapped_column(JSON, default=_default_lengths)
    buffer_minutes: Mapped[int] = mapped_column(default=DEFAULT_BUFFER_MINUTES)
    min_notice_hours: Mapped[int] = mapped_column(default=DEFAULT_MIN_NOTICE_HOURS)
    horizon_weeks: Mapped[int] = mapped_column(default=DEFAULT_HORIZON_WEEKS)
    # Codes of `reference_item` support types (coaching, mentoring, advice).
    support_types: Mapped[list[str]] = mapped_column(JSON, default=_default_support_types)
    location_type: Mapped[LocationType] = mapped_column(
        enum_column(LocationType), default=LocationType.VIDEO
    )
    # The address (in person) or the meeting link (video); empty for phone calls.
    location_detail: Mapped[str] = mapped_column(Text, default="")
    about: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WeeklyWindow(Base):
    """Hours a coach is available every week, in London wall-clock time ("09:00"-"12:30")."""

    __tablename__ = "coaching_weekly_window"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_in_week"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    weekday: Mapped[int]  # 0 Monday .. 6 Sunday
    start_time: Mapped[str] = mapped_column(String(5))
    end_time: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AvailabilityException(Base):
    """A one-off change on one London date: time off (the whole day when no times are
    given) or extra hours."""

    __tablename__ = "coaching_availability_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    on: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[ExceptionKind] = mapped_column(enum_column(ExceptionKind))
    start_time: Mapped[str] = mapped_column(String(5), default="")
    end_time: Mapped[str] = mapped_column(String(5), default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


_NOT_CANCELLED = "status <> 'cancelled'"


def _tstzrange() -> ColumnElement[Any]:
    return func.tstzrange(
        literal_column("blocked_from"), literal_column("blocked_until"), literal_column("'[)'")
    )


class Booking(Base):
    """One booked one-to-one session between a coach and a participant.

    ``blocked_from`` to ``blocked_until`` is the time the booking holds: the session and the
    coach's buffer after it. No coach and no participant can hold two bookings whose blocked
    times overlap (see the module docstring). Rescheduling changes the times of the same
    row, so the calendar UID stays and ``calendar_sequence`` rises.
    """

    __tablename__ = "coaching_booking"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("blocked_from <= starts_at", name="blocked_from_start"),
        CheckConstraint("blocked_until >= ends_at", name="blocked_until_end"),
        CheckConstraint(
            "delivered_minutes IS NULL OR delivered_minutes > 0", name="delivered_minutes_positive"
        ),
        Index("ix_coaching_booking_coach_starts", "coach_id", "starts_at"),
        Index("ix_coaching_booking_participant_starts", "participant_id", "starts_at"),
        ExcludeConstraint(
            (literal_column("coach_id"), "="),
            (_tstzrange(), "&&"),
            name=COACH_OVERLAP,
            using="gist",
            where=text(_NOT_CANCELLED),
        ).ddl_if(dialect="postgresql"),
        ExcludeConstraint(
            (literal_column("participant_id"), "="),
            (_tstzrange(), "&&"),
            name=PARTICIPANT_OVERLAP,
            using="gist",
            where=text(_NOT_CANCELLED),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("programme_round.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("cohort_place.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    coach_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The contractor whose coach gives the support (figures and contractor leads' reports).
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("contractor.id"), index=True)
    support_type: Mapped[str] = mapped_column(String(60))
    topic: Mapped[str] = mapped_column(Text)
    location_type: Mapped[LocationType] = mapped_column(enum_column(LocationType))
    location_detail: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    blocked_from: Mapped[dt.datetime]
    blocked_until: Mapped[dt.datetime]
    status: Mapped[BookingStatus] = mapped_column(
        enum_column(BookingStatus), default=BookingStatus.BOOKED, index=True
    )
    calendar_sequence: Mapped[int] = mapped_column(default=0)
    booked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rescheduled_at: Mapped[dt.datetime | None]
    reschedule_count: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[dt.datetime | None]
    cancelled_by: Mapped[CancelledBy | None] = mapped_column(enum_column(CancelledBy))
    cancellation_reason: Mapped[str] = mapped_column(Text, default="")
    # Cancelled by the participant after the round's cut-off.
    late_cancellation: Mapped[bool] = mapped_column(default=False)
    outcome_recorded_at: Mapped[dt.datetime | None]
    outcome_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    delivered_minutes: Mapped[int | None]
    # Private to the coach.
    coach_note: Mapped[str] = mapped_column(Text, default="")

    @property
    def minutes(self) -> int:
        """The booked length in minutes."""
        return int((self.ends_at - self.starts_at) / dt.timedelta(minutes=1))

    @property
    def is_holding(self) -> bool:
        return self.status in HOLDING


def _sqlite_overlap_trigger(event_name: str) -> DDL:
    """A trigger refusing an overlapping booking on SQLite, raising the constraint's name
    (the PostgreSQL exclusion constraints' equivalent)."""
    same_row = "" if event_name == "INSERT" else " AND other.id <> NEW.id"
    checks = "\n".join(
        # Only our own constant names and columns go into this DDL.
        f"""  SELECT RAISE(ABORT, '{name}') WHERE EXISTS (
    SELECT 1 FROM coaching_booking AS other
    WHERE other.{column} = NEW.{column} AND other.status <> 'cancelled'{same_row}
      AND other.blocked_from < NEW.blocked_until AND NEW.blocked_from < other.blocked_until
  );"""  # noqa: S608
        for name, column in ((COACH_OVERLAP, "coach_id"), (PARTICIPANT_OVERLAP, "participant_id"))
    )
    timing = "INSERT" if event_name == "INSERT" else "UPDATE"
    return DDL(
        f"CREATE TRIGGER coaching_booking_no_overlap_{timing.lower()}\n"
        f"BEFORE {timing} ON coaching_booking\n"
        "FOR EACH ROW WHEN NEW.status <> 'cancelled'\n"
        f"BEGIN\n{checks}\nEND"
    ).execute_if(dialect="sqlite")


event.listen(Booking.__table__, "after_create", _sqlite_overlap_trigger("INSERT"))
event.listen(Booking.__table__, "after_create", _sqlite_overlap_trigger("UPDATE"))


class BookingReminder(Base):
    """A reminder sent for a booking at one start time: one per booking, kind and time, so
    a moved booking gets a new one and a job run twice sends nothing twice."""

    __tablename__ = "coaching_booking_reminder"
    __table_args__ = (UniqueConstraint("booking_id", "kind", "for_starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("coaching_booking.id"), index=True)
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind))
    for_starts_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OutsideSupport(Base):
    """One-to-one support given outside the booking system (a phone call, an email
    exchange), recorded by the coach so the hours figures are complete."""

    __tablename__ = "coaching_outside_support"
    __table_args__ = (CheckConstraint("minutes > 0", name="minutes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("programme_round.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("cohort_place.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("contractor.id"), index=True)
    support_type: Mapped[str] = mapped_column(String(60))
    channel: Mapped[SupportChannel] = mapped_column(enum_column(SupportChannel))
    happened_on: Mapped[dt.date] = mapped_column(Date)
    minutes: Mapped[int]
    # Private to the coach.
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class WaitingEntry(Base):
    """A participant waiting to hear of an earlier time with a coach."""

    __tablename__ = "coaching_waiting_entry"
    __table_args__ = (
        Index(
            "uq_coaching_waiting_entry_one_open",
            "participant_id",
            "coach_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("programme_round.id"))
    joined_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]
    offers_sent: Mapped[int] = mapped_column(default=0)
    last_offered_at: Mapped[dt.datetime | None]
