"""Cohorts, the places in them, their sessions and the attendance registers.

A cohort belongs to a round and, once confirmed, to a contractor and a facilitator. A
participation is one person's place in a cohort: offered, accepted (placed), declined,
lapsed or left. Hours attended come only from the registers, one row per person per session.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_base import Base, enum_column, utcnow
from portal.registration.models import PartOfDay


class CohortStatus(enum.StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def tag_colour(self) -> str:
        return {
            "proposed": "grey",
            "confirmed": "blue",
            "running": "green",
            "completed": "purple",
            "cancelled": "red",
        }[self.value]


class CohortBasis(enum.StrEnum):
    SECTOR = "sector"
    OWNERSHIP = "ownership"
    ORGANISATION = "organisation"
    MIXED = "mixed"
    MANUAL = "manual"  # recruited as a group by a partner network, formed by hand

    @property
    def label(self) -> str:
        return {
            "sector": "Same sector",
            "ownership": "Same ownership profile",
            "organisation": "Same business organisation",
            "mixed": "Mixed",
            "manual": "Formed by hand",
        }[self.value]


class CohortDelivery(enum.StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"

    @property
    def label(self) -> str:
        return {"online": "Online", "in_person": "In person"}[self.value]


class PlaceStatus(enum.StrEnum):
    PROPOSED = "proposed"  # in a proposed cohort, not yet offered
    OFFERED = "offered"
    ACCEPTED = "accepted"  # placed
    DECLINED = "declined"
    LAPSED = "lapsed"  # no reply by the reply-by date
    LEFT = "left"  # left after accepting (before or after the first session)
    MOVED = "moved"  # moved by an officer, or at their own request, to another cohort
    REMOVED = "removed"  # taken out of a proposal or a cancelled cohort
    WITHDRAWN = "withdrawn"  # an open offer withdrawn by an officer

    @property
    def label(self) -> str:
        return {
            "proposed": "Proposed",
            "offered": "Offered",
            "accepted": "Placed",
            "declined": "Declined",
            "lapsed": "Offer lapsed",
            "left": "Left",
            "moved": "Moved to another cohort",
            "removed": "Removed",
            "withdrawn": "Offer withdrawn",
        }[self.value]


class DeclineReason(enum.StrEnum):
    """Why someone declined a place, if they said (stored in ``Place.end_reason``)."""

    DATES = "dates"
    TIME = "time"
    FORMAT = "format"
    BUSINESS = "business"
    NOT_FOR_ME = "not_for_me"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "dates": "The days or times do not suit me",
            "time": "I cannot give the time it needs",
            "format": "The format or place does not suit me",
            "business": "My business's circumstances have changed",
            "not_for_me": "A peer group is not what I need",
            "other": "Another reason",
        }[self.value]


# Places that count towards a cohort's size.
HOLDING_PLACE = frozenset({PlaceStatus.PROPOSED, PlaceStatus.OFFERED, PlaceStatus.ACCEPTED})


class SessionStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    PARTIAL = "partial"
    APOLOGIES = "apologies"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return {
            "present": "Present for the whole session",
            "partial": "Present for part of the session",
            "apologies": "Absent, sent apologies",
            "absent": "Absent",
        }[self.value]


class Cohort(Base):
    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("programme_round.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    basis: Mapped[CohortBasis] = mapped_column(enum_column(CohortBasis))
    # What the members share on the basis ("C" for manufacturing, "women_led", a chamber's code).
    basis_value: Mapped[str] = mapped_column(String(60), default="")
    delivery: Mapped[CohortDelivery] = mapped_column(enum_column(CohortDelivery))
    meeting_weekday: Mapped[int]
    meeting_part_of_day: Mapped[PartOfDay] = mapped_column(enum_column(PartOfDay))
    districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    score: Mapped[int | None]
    missed_goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[CohortStatus] = mapped_column(enum_column(CohortStatus), index=True)
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Locked by an officer: a re-run of the matching keeps it as it is.
    locked: Mapped[bool] = mapped_column(default=False)
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("contractor.id"), index=True)
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Delivery settings: the round's defaults, changeable per cohort.
    planned_hours: Mapped[int]
    session_length_minutes: Mapped[int]
    session_frequency_days: Mapped[int]
    start_on: Mapped[dt.date | None] = mapped_column(Date)
    start_time: Mapped[str] = mapped_column(String(5), default="")  # "09:30", London time
    venue: Mapped[str] = mapped_column(Text, default="")
    online_link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    places: Mapped[list[Place]] = relationship(
        back_populates="cohort", order_by="Place.id", lazy="selectin"
    )
    sessions: Mapped[list[CohortSession]] = relationship(
        back_populates="cohort", order_by="CohortSession.starts_at", lazy="selectin"
    )


class Place(Base):
    """One person's place in a cohort (the domain's "participation")."""

    __tablename__ = "cohort_place"
    __table_args__ = (
        # Nobody holds two places at once: one offered or accepted place per application.
        Index(
            "uq_cohort_place_one_holding_place",
            "application_id",
            unique=True,
            sqlite_where=text("status IN ('offered', 'accepted')"),
            postgresql_where=text("status IN ('offered', 'accepted')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[PlaceStatus] = mapped_column(enum_column(PlaceStatus))
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    offered_at: Mapped[dt.datetime | None]
    reply_by: Mapped[dt.date | None] = mapped_column(Date)
    accepted_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    end_reason: Mapped[str] = mapped_column(Text, default="")
    # Hashes of the one-click links in the offer email, and of the calendar feed's secret.
    offer_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    locked: Mapped[bool] = mapped_column(default=False)

    cohort: Mapped[Cohort] = relationship(back_populates="places")


class CohortSession(Base):
    __tablename__ = "cohort_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime]
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus), default=SessionStatus.PLANNED
    )
    venue: Mapped[str] = mapped_column(Text, default="")
    online_link: Mapped[str] = mapped_column(String(500), default="")
    # Calendar files: a stable UID and a sequence that rises with each change.
    calendar_sequence: Mapped[int] = mapped_column(default=0)
    # Confidential to the group: only the facilitator sees these.
    facilitator_notes: Mapped[str] = mapped_column(Text, default="")
    register_taken_at: Mapped[dt.datetime | None]

    cohort: Mapped[Cohort] = relationship(back_populates="sessions")
    attendance: Mapped[list[Attendance]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    themes: Mapped[list[SessionTheme]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def length_hours(self) -> Decimal:
        return Decimal((self.ends_at - self.starts_at).total_seconds()) / Decimal(3600)


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "place_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("cohort_session.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("cohort_place.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class SessionTheme(Base):
    """An issue the facilitator recorded as discussed in a session."""

    __tablename__ = "session_theme"
    __table_args__ = (UniqueConstraint("session_id", "issue_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("cohort_session.id"), index=True)
    issue_code: Mapped[str] = mapped_column(String(60), index=True)


class ConfirmedConflict(Base):
    """Two applications an officer confirmed must not share a cohort (from suggested pairs)."""

    __tablename__ = "confirmed_conflict"
    __table_args__ = (UniqueConstraint("application_a_id", "application_b_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_a_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    application_b_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CohortStatusChange(Base):
    __tablename__ = "cohort_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    status: Mapped[CohortStatus] = mapped_column(enum_column(CohortStatus))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
