"""'Tell me if an earlier time opens': people waiting for an earlier time with a coach.

When a participant cancels or moves a booking, the time it freed is offered by email to
everyone waiting for that coach who would gain from it (they have no booking with the coach,
or only a later one), in the order they joined. The time is first come, first served: the
first to book it gets it (the database refuses a second booking), and the others stay on the
list for the next time that opens. A person stops waiting when they book or move a booking
with that coach, or say they no longer want to wait.

Functions flush and never commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.coaching import diary, messages
from portal.coaching.availability import Slot
from portal.coaching.models import Booking, BookingStatus, WaitingEntry
from portal.urls import external_url


def open_entry(session: Session, participant_id: int, coach_id: int) -> WaitingEntry | None:
    return session.scalar(
        select(WaitingEntry).where(
            WaitingEntry.participant_id == participant_id,
            WaitingEntry.coach_id == coach_id,
            WaitingEntry.ended_at.is_(None),
        )
    )


def waiting_for(session: Session, participant: User) -> set[int]:
    """The ids of the coaches this person is waiting for."""
    return set(
        session.scalars(
            select(WaitingEntry.coach_id).where(
                WaitingEntry.participant_id == participant.id, WaitingEntry.ended_at.is_(None)
            )
        )
    )


def start_waiting(
    session: Session, participant: User, coach_id: int, *, round_id: int, now: dt.datetime
) -> WaitingEntry:
    """Join the list for an earlier time with the coach (once: joining again keeps the
    place in the queue). Side effects: flushes the entry and an audit event."""
    entry = open_entry(session, participant.id, coach_id)
    if entry is not None:
        return entry
    entry = WaitingEntry(
        participant_id=participant.id, coach_id=coach_id, round_id=round_id, joined_at=now
    )
    session.add(entry)
    session.flush()
    record(
        session,
        actor=participant,
        action="coaching.waiting_started",
        entity_type="coaching_waiting_entry",
        entity_id=entry.id,
    )
    return entry


def stop_waiting(session: Session, participant: User, coach_id: int, *, now: dt.datetime) -> bool:
    """Leave the list for the coach, if on it. Returns whether they were."""
    entry = open_entry(session, participant.id, coach_id)
    if entry is None:
        return False
    entry.ended_at = now
    session.flush()
    return True


def _earliest_booking_with(
    session: Session, participant_id: int, coach_id: int, now: dt.datetime
) -> Booking | None:
    return session.scalar(
        select(Booking)
        .where(
            Booking.participant_id == participant_id,
            Booking.coach_id == coach_id,
            Booking.status == BookingStatus.BOOKED,
            Booking.starts_at > now,
        )
        .order_by(Booking.starts_at)
        .limit(1)
    )


def offer_freed_time(
    session: Session, *, coach_id: int, freed: Slot, freed_by: User, now: dt.datetime
) -> int:
    """Email the freed time to those waiting for the coach who would gain from it, if it can
    still be booked (far enough ahead, and nothing else now holds it). Returns how many were
    told. Side effects: flushes the entries' offer counts and queues the emails.
    """
    profile = diary.profile_for(session, coach_id)
    coach = session.get(User, coach_id)
    if profile is None or coach is None:
        return 0
    day = freed.london_date
    free = diary.free_times(
        session, coach_id, profile, now=now, first_day=day, last_day=day, lengths=[freed.minutes]
    )
    if freed not in free:
        return 0
    entries = session.scalars(
        select(WaitingEntry)
        .where(
            WaitingEntry.coach_id == coach_id,
            WaitingEntry.ended_at.is_(None),
            WaitingEntry.participant_id != freed_by.id,
        )
        .order_by(WaitingEntry.joined_at, WaitingEntry.id)
    ).all()
    told = 0
    for entry in entries:
        person = session.get(User, entry.participant_id)
        if person is None or not person.is_active:
            continue
        current = _earliest_booking_with(session, person.id, coach_id, now)
        if current is not None and current.starts_at <= freed.starts_at:
            continue
        starts = freed.starts_at.isoformat()
        messages.send_time_offer(
            session,
            to=person,
            coach=coach,
            starts_at=freed.starts_at,
            ends_at=freed.ends_at,
            book_url=external_url(
                "one_to_one.book", coach_id=coach_id, starts_at=starts, minutes=freed.minutes
            ),
            move_url=external_url(
                "one_to_one.confirm_reschedule", booking_id=current.id, starts_at=starts
            )
            if current is not None and current.minutes == freed.minutes
            else None,
            stop_url=external_url("one_to_one.coach_times", coach_id=coach_id),
        )
        entry.offers_sent += 1
        entry.last_offered_at = now
        told += 1
    session.flush()
    return told
