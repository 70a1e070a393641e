"""Booking one-to-one support: every change to a booking (book, move, cancel, record what
happened). Who may book whom and the entitlement are in ``portal.coaching.scope``; support
recorded outside the booking system in ``portal.coaching.outside``.

Functions flush and never commit. Records outside a person's scope raise ``NotFound`` (404).
Rules a person broke raise ``BookingError`` with a message for them; a time someone else
took first raises ``SlotTaken``. Overlaps are refused by the database (see
``portal.coaching.models``); the checks here only give the kinder message first. A change
to a booking another request changed first (two cancellations, a move racing a
cancellation) raises ``BookingChanged``: every change goes through the guarded mechanism of
``portal.state_changes``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from portal.audit.services import record
from portal.auth.models import User
from portal.coaching import diary, messages, waiting
from portal.coaching.availability import Slot
from portal.coaching.models import (
    OVERLAP_CONSTRAINTS,
    PARTICIPANT_OVERLAP,
    Booking,
    BookingStatus,
    CancelledBy,
    CoachProfile,
    LocationType,
)
from portal.coaching.scope import (
    balance,
    booking_contractor_id,
    booking_place,
    minutes_text,
    offered_coach,
)
from portal.cohorts.models import Place
from portal.db import violated_constraint
from portal.registration.models import Application
from portal.rounds.models import Round
from portal.state_changes import Audit, StatusConflict, change_status

TOPIC_MAX = 500
NOTE_MAX = 2000
MAX_DELIVERED_MINUTES = 480


class BookingError(Exception):
    """A rule stopped the change; the message is written for the person to read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BookingChanged(BookingError):
    """Another request changed the booking first (the coach cancelled as the participant
    did, two clicks, a move racing a cancellation); ``status`` is what it is now."""

    def __init__(self, status: BookingStatus | None) -> None:
        super().__init__(
            {
                BookingStatus.CANCELLED: "This booking has already been cancelled",
                BookingStatus.DELIVERED: "This session has already been recorded as delivered",
                BookingStatus.NO_SHOW: "This session has already been recorded as not attended",
            }.get(status, "This booking has just been changed")  # type: ignore[arg-type]
        )
        self.status = status


class SlotTaken(BookingError):
    """Someone else booked the time first."""

    def __init__(self) -> None:
        super().__init__("That time has just been taken")


# Checking a time


def check_time(
    session: Session,
    *,
    coach: User,
    profile: CoachProfile,
    place: Place,
    starts_at: dt.datetime,
    minutes: int,
    now: dt.datetime,
    ignore_booking_id: int | None = None,
) -> Slot:
    """The slot, if the coach is free then and the person may book it (any length of the
    coach's, or ``minutes`` when moving a booking whose length they no longer offer).

    Raises SlotTaken when another booking holds the time, and BookingError for a time that
    has passed, is not offered, or clashes with the person's own bookings or group sessions.
    No side effects.
    """
    if starts_at <= now:
        raise BookingError("That time has passed. Choose another time")
    wanted = Slot(starts_at, starts_at + dt.timedelta(minutes=minutes))
    day = wanted.london_date
    common: dict[str, Any] = {
        "now": now,
        "first_day": day,
        "last_day": day,
        "lengths": [minutes],
        "ignore_booking_id": ignore_booking_id,
    }
    if wanted in diary.free_times(
        session,
        coach.id,
        profile,
        participant_id=place.person_id,
        cohort_id=place.cohort_id,
        **common,
    ):
        return wanted
    # Not free: say why. Offered at all (hours, notice, horizon, group sessions)?
    if wanted not in diary.free_times(
        session, coach.id, profile, count_coach_bookings=False, **common
    ):
        raise BookingError(f"{coach.name} is not available at that time. Choose another time")
    held = diary.booked_intervals(
        session,
        coach_id=coach.id,
        between=(wanted.starts_at, wanted.ends_at + dt.timedelta(minutes=profile.buffer_minutes)),
        ignore_booking_id=ignore_booking_id,
    )
    if held:
        raise SlotTaken()
    raise BookingError(
        "You already have one-to-one support or a group session booked close to that time. "
        "Choose another time"
    )


def _insert_or_refuse(session: Session, booking: Booking) -> None:
    """Flush the booking in a savepoint: an overlap the database refuses becomes SlotTaken
    (the coach's time) or BookingError (the person's own), and the request goes on."""
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
    except IntegrityError as error:
        _refuse_overlap(error)


def _refuse_overlap(error: IntegrityError) -> NoReturn:
    """Raise what an overlap the database refused means: BookingError for the person's own
    bookings, SlotTaken for the coach's time. Any other IntegrityError is raised again."""
    name = overlap_constraint(error)
    if name is None:
        raise error
    if name == PARTICIPANT_OVERLAP:
        raise BookingError(
            "You already have one-to-one support booked close to that time. Choose another time"
        ) from error
    raise SlotTaken() from error


def overlap_constraint(error: IntegrityError) -> str | None:
    """Which overlap rule the database refused, on either database, or None."""
    name = violated_constraint(error)
    if name in OVERLAP_CONSTRAINTS:
        return name
    text = str(error.orig)
    for constraint in OVERLAP_CONSTRAINTS:
        if constraint in text:
            return constraint
    return None


def _where(profile: CoachProfile, session: Session, place: Place) -> str:
    if profile.location_type == LocationType.PHONE:
        application = session.get(Application, place.application_id)
        return (application.phone or "") if application else ""
    return profile.location_detail


# Booking, moving, cancelling


def book(
    session: Session,
    *,
    participant: User,
    coach_id: int,
    starts_at: dt.datetime,
    minutes: int,
    support_type: str,
    topic: str,
    now: dt.datetime,
    notify: bool = True,
) -> Booking:
    """Book a time with a coach offered to the participant.

    Raises NotFound for a coach not offered to them, BookingError for a time not offered,
    passed or over their remaining entitlement, and SlotTaken when someone else booked it
    first. Side effects: flushes the booking, an audit event, emails to both (each with a
    calendar invitation; none with ``notify=False``, for demo data) and ends the person's
    wait for an earlier time with this coach.
    """
    place = booking_place(session, participant)
    if place is None:
        raise NotFound()
    # One booking at a time per person, so two at once cannot both pass the balance check.
    session.execute(select(Place.id).where(Place.id == place.id).with_for_update())
    coach, profile = offered_coach(session, place, coach_id)
    if support_type not in profile.support_types:
        raise BookingError(f"Select the kind of support you want from {coach.name}")  # noqa: S608
    if minutes not in profile.session_lengths:
        raise BookingError(f"{coach.name} does not offer sessions of that length")
    slot = check_time(
        session,
        coach=coach,
        profile=profile,
        place=place,
        starts_at=starts_at,
        minutes=minutes,
        now=now,
    )
    left = balance(session, place).remaining
    if minutes > left:
        raise BookingError(
            f"You have {minutes_text(left)} of one-to-one support left. Choose a shorter session"
            if left
            else "You have used all your one-to-one support for this round"
        )
    buffer = dt.timedelta(minutes=profile.buffer_minutes)
    booking = Booking(
        round_id=place.cohort.round_id,
        place_id=place.id,
        participant_id=participant.id,
        coach_id=coach.id,
        contractor_id=booking_contractor_id(place, coach),
        support_type=support_type,
        topic=topic,
        location_type=profile.location_type,
        location_detail=_where(profile, session, place),
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        buffer_minutes=profile.buffer_minutes,
        blocked_from=slot.starts_at,
        blocked_until=slot.ends_at + buffer,
        status=BookingStatus.BOOKED,
        calendar_sequence=0,
        booked_at=now,
        booked_by_id=participant.id,
    )
    _insert_or_refuse(session, booking)
    record(
        session,
        actor=participant,
        action="coaching.booked",
        entity_type="coaching_booking",
        entity_id=booking.id,
    )
    waiting.stop_waiting(session, participant, coach.id, now=now)
    if notify:
        messages.send_confirmation(session, booking)
    return booking


def cut_off(session: Session, booking: Booking) -> dt.datetime:
    """Until when the participant may move or cancel without it counting as late."""
    programme_round = session.get(Round, booking.round_id)
    assert programme_round is not None
    return booking.starts_at - dt.timedelta(hours=programme_round.cancellation_cutoff_hours)


def can_reschedule(session: Session, booking: Booking, now: dt.datetime) -> bool:
    return booking.status == BookingStatus.BOOKED and now < cut_off(session, booking)


def can_cancel(booking: Booking, now: dt.datetime) -> bool:
    return booking.status == BookingStatus.BOOKED and now < booking.starts_at


def is_late(session: Session, booking: Booking, now: dt.datetime) -> bool:
    return now >= cut_off(session, booking)


def check_new_time(
    session: Session,
    booking: Booking,
    *,
    coach: User,
    profile: CoachProfile,
    place: Place,
    starts_at: dt.datetime,
    now: dt.datetime,
) -> Slot:
    """``check_time`` for moving ``booking`` to ``starts_at``: its own length, and its own
    time not counted as taken. No side effects."""
    return check_time(
        session,
        coach=coach,
        profile=profile,
        place=place,
        starts_at=starts_at,
        minutes=booking.minutes,
        now=now,
        ignore_booking_id=booking.id,
    )


def reschedule(
    session: Session,
    booking: Booking,
    *,
    participant: User,
    starts_at: dt.datetime,
    now: dt.datetime,
) -> dt.datetime:
    """Move the participant's booking to another free time with the same coach, keeping its
    length. Allowed up to the round's cut-off. Returns the old start.

    Side effects: flushes the booking (its calendar sequence rises), an audit event, emails
    to both with a calendar update, and offers the freed time to people waiting.
    """
    if booking.participant_id != participant.id:
        raise NotFound()
    if booking.status != BookingStatus.BOOKED:
        raise BookingError("This booking can no longer be changed")
    if not can_reschedule(session, booking, now):
        raise BookingError(
            "It is too late to change this booking. You can still cancel it, or ask your coach"
        )
    place = session.get(Place, booking.place_id)
    coach = session.get(User, booking.coach_id)
    profile = diary.profile_for(session, booking.coach_id)
    if place is None or coach is None or profile is None:
        raise NotFound()
    if starts_at == booking.starts_at:
        raise BookingError("Choose a different time from your booking's current one")
    slot = check_new_time(
        session, booking, coach=coach, profile=profile, place=place, starts_at=starts_at, now=now
    )
    previous = (booking.starts_at, booking.ends_at)
    buffer = dt.timedelta(minutes=profile.buffer_minutes)
    try:
        with session.begin_nested():
            _change(
                session,
                booking,
                BookingStatus.BOOKED,
                audit=Audit(
                    participant,
                    "coaching.rescheduled",
                    "coaching_booking",
                    fields=["starts_at", "ends_at"],
                ),
                now=now,
                values={
                    "starts_at": slot.starts_at,
                    "ends_at": slot.ends_at,
                    "buffer_minutes": profile.buffer_minutes,
                    "blocked_from": slot.starts_at,
                    "blocked_until": slot.ends_at + buffer,
                    "calendar_sequence": booking.calendar_sequence + 1,
                    "reschedule_count": booking.reschedule_count + 1,
                    "rescheduled_at": now,
                },
            )
    except IntegrityError as error:
        session.refresh(booking)
        _refuse_overlap(error)
    messages.send_change(session, booking, previous_starts_at=previous[0])
    waiting.offer_freed_time(
        session, coach_id=booking.coach_id, freed=Slot(*previous), freed_by=participant, now=now
    )
    return previous[0]


def cancel_by_participant(
    session: Session, booking: Booking, *, participant: User, reason: str, now: dt.datetime
) -> None:
    """The participant cancels before the session starts. After the round's cut-off it is
    a late cancellation, which uses up the booked time if the round says so.

    Side effects: flushes the booking, an audit event, emails to both with a calendar
    cancellation, and offers the freed time to people waiting.
    """
    if booking.participant_id != participant.id:
        raise NotFound()
    if not can_cancel(booking, now):
        raise BookingError("This booking can no longer be cancelled")
    _cancel_for_participant(
        session,
        booking,
        participant,
        reason=reason,
        late=is_late(session, booking, now),
        now=now,
        audit=Audit(participant, "coaching.cancelled", "coaching_booking", reason=reason or None),
    )


def cancel_for_erasure(
    session: Session, booking: Booking, *, participant: User, actor: User | None, now: dt.datetime
) -> None:
    """An erased participant's booking still to come is cancelled (``portal.privacy.erasure``):
    never a late cancellation, the coach is told (the participant is not: nothing is sent to
    an erased person) and the freed time is offered to people waiting.

    Side effects: flushes the booking, an audit event, the coach's email and any offers.
    """
    _cancel_for_participant(
        session,
        booking,
        participant,
        reason="",
        late=False,
        now=now,
        audit=Audit(actor, "coaching.cancelled_on_erasure", "coaching_booking"),
    )


def _cancel_for_participant(
    session: Session,
    booking: Booking,
    participant: User,
    *,
    reason: str,
    late: bool,
    now: dt.datetime,
    audit: Audit,
) -> None:
    """Cancelled on the participant's side: both are told (an erased or restricted person
    is not emailed) and the freed time is offered to people waiting."""
    _cancel(
        session,
        booking,
        by=CancelledBy.PARTICIPANT,
        reason=reason,
        late=late,
        now=now,
        audit=audit,
    )
    messages.send_cancellation(session, booking)
    waiting.offer_freed_time(
        session,
        coach_id=booking.coach_id,
        freed=Slot(booking.starts_at, booking.ends_at),
        freed_by=participant,
        now=now,
    )


def cancel_by_coach(
    session: Session, booking: Booking, *, coach: User, reason: str, now: dt.datetime
) -> None:
    """The coach cancels before the session starts, saying why. It never counts against the
    participant: their hours are restored. The time is not offered to others (the coach
    cannot make it).

    Side effects: flushes the booking, an audit event and emails to both with a calendar
    cancellation.
    """
    if booking.coach_id != coach.id:
        raise NotFound()
    if not can_cancel(booking, now):
        raise BookingError("This booking can no longer be cancelled")
    _cancel(
        session,
        booking,
        by=CancelledBy.COACH,
        reason=reason,
        late=False,
        now=now,
        audit=Audit(coach, "coaching.cancelled_by_coach", "coaching_booking", reason=reason),
    )
    messages.send_cancellation(session, booking)


def _cancel(
    session: Session,
    booking: Booking,
    *,
    by: CancelledBy,
    reason: str,
    late: bool,
    now: dt.datetime,
    audit: Audit,
) -> None:
    _change(
        session,
        booking,
        BookingStatus.CANCELLED,
        audit=audit,
        now=now,
        allowed_from={BookingStatus.BOOKED},
        values={
            "cancelled_at": now,
            "cancelled_by": by,
            "cancellation_reason": reason,
            "late_cancellation": late,
            "calendar_sequence": booking.calendar_sequence + 1,
        },
    )


def _change(
    session: Session,
    booking: Booking,
    status: BookingStatus,
    *,
    audit: Audit,
    now: dt.datetime,
    values: dict[str, object],
    allowed_from: set[BookingStatus] | None = None,
) -> None:
    """Every change to a booking goes through the guarded mechanism
    (portal.state_changes): it happens only if the booking still has the status, calendar
    sequence and recorded outcome this request saw, and writes one audit event (a booking's
    history is its audit log). Raises BookingChanged when another request changed it first.
    """
    try:
        change_status(
            session,
            booking,
            status,
            audit=audit,
            now=now,
            allowed_from=allowed_from,
            values=values,
            unchanged=("calendar_sequence", "outcome_recorded_at"),
        )
    except StatusConflict as conflict:
        raise BookingChanged(conflict.current) from conflict


def can_record_outcome(booking: Booking, now: dt.datetime) -> bool:
    return booking.status != BookingStatus.CANCELLED and booking.starts_at <= now


def record_outcome(
    session: Session,
    booking: Booking,
    *,
    coach: User,
    delivered: bool,
    minutes: int | None,
    note: str,
    now: dt.datetime,
) -> None:
    """Record that the session was delivered (with its actual minutes and a private note) or
    that the participant did not come. Can be corrected later.

    Raises BookingError before the session has started, for a cancelled booking, or for
    minutes outside 1 to 480. Side effects: flushes the booking and an audit event.
    """
    if booking.coach_id != coach.id:
        raise NotFound()
    if booking.status == BookingStatus.CANCELLED:
        raise BookingError("This booking was cancelled")
    if booking.starts_at > now:
        raise BookingError("You can record what happened once the session has started")
    if delivered and (minutes is None or not 1 <= minutes <= MAX_DELIVERED_MINUTES):
        raise BookingError(f"The minutes delivered must be between 1 and {MAX_DELIVERED_MINUTES}")
    _change(
        session,
        booking,
        BookingStatus.DELIVERED if delivered else BookingStatus.NO_SHOW,
        audit=Audit(
            coach,
            "coaching.delivered" if delivered else "coaching.no_show",
            "coaching_booking",
            fields=["status", "delivered_minutes", "coach_note"],
        ),
        now=now,
        allowed_from={BookingStatus.BOOKED, BookingStatus.DELIVERED, BookingStatus.NO_SHOW},
        values={
            "delivered_minutes": minutes if delivered else None,
            "coach_note": note,
            "outcome_recorded_at": now,
            "outcome_recorded_by_id": coach.id,
        },
    )
