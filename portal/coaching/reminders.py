"""The reminders job: one email to each side 24 hours before a booked session.

"24 hours before" is 24 real hours, worked out in UTC, so across a change of the clocks the
reminder comes at a different time on the clock than the session (an hour earlier or later).
Each reminder is recorded per booking, kind and start time, with a unique constraint: a
booking gets exactly one reminder of each kind, however often or concurrently the job runs,
and a booking that moves gets a new one for its new time. A booking made (or moved) less
than 24 hours ahead gets no reminder: its confirmation email has just told people the time.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.coaching import messages
from portal.coaching.models import Booking, BookingReminder, BookingStatus, ReminderKind
from portal.presentation import plural

REMINDER_LEAD = dt.timedelta(hours=24)
JOB_EVERY = dt.timedelta(minutes=5)


def send_due_reminders(session: Session, now: dt.datetime) -> str:
    """Queue each reminder that is due and not yet sent. Returns a summary for the job log.

    Side effects: flushes BookingReminder rows and queues emails (reminders are optional
    email: people who turned them off get none, but the reminder still counts as done).
    """
    due = session.scalars(
        select(Booking)
        .where(
            Booking.status == BookingStatus.BOOKED,
            Booking.starts_at > now,
            Booking.starts_at <= now + REMINDER_LEAD,
        )
        .order_by(Booking.starts_at, Booking.id)
    ).all()
    sent = 0
    for booking in due:
        if (booking.rescheduled_at or booking.booked_at) > booking.starts_at - REMINDER_LEAD:
            continue
        done = set(
            session.scalars(
                select(BookingReminder.kind).where(
                    BookingReminder.booking_id == booking.id,
                    BookingReminder.for_starts_at == booking.starts_at,
                )
            )
        )
        for kind in ReminderKind:
            if kind in done:
                continue
            try:
                with session.begin_nested():
                    session.add(
                        BookingReminder(
                            booking_id=booking.id,
                            kind=kind,
                            for_starts_at=booking.starts_at,
                            sent_at=now,
                        )
                    )
                    session.flush()
            except IntegrityError:  # another runner sent it first
                continue
            messages.send_reminder(session, booking, kind)
            sent += 1
    return f"{plural(sent, 'booking reminder')} queued"
