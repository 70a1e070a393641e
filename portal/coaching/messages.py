"""Emails about bookings, each with a calendar file, all through the outbox.

Both sides get every message. The calendar file is one event per booking: the coach is the
ORGANIZER and both people are ATTENDEEs; its UID (``coaching-booking-<id>@<host>``) stays
for the life of the booking and its SEQUENCE rises with every move and with the
cancellation, so calendar programs add, move and remove the same event. Times are written
in Europe/London with a VTIMEZONE block (``portal.calendar``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy.orm import Session

from portal.auth.models import EmailCategory, User
from portal.calendar import CalendarEvent, calendar_file, event_uid
from portal.coaching.models import Booking, LocationType, ReminderKind
from portal.notifications.services import Attachment, queue_email
from portal.timefmt import govuk_datetime, govuk_time
from portal.urls import external_url

CALENDAR_CONTENT_TYPE = "text/calendar"
CALENDAR_FILE_NAME = "one-to-one-support.ics"


def _domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def booking_uid(booking: Booking) -> str:
    return event_uid("coaching-booking", booking.id, _domain())


def support_label(session: Session, code: str) -> str:
    from portal.coaching.diary import support_type_labels

    return support_type_labels(session).get(code, code.replace("_", " ").capitalize())


def when_text(booking: Booking) -> str:
    """ "Tuesday 3 March 2026, 10am to 11am" (London time)."""
    return f"{govuk_datetime(booking.starts_at)} to {govuk_time(booking.ends_at)}"


def where_text(booking: Booking, coach: User, participant: User) -> str:
    """Where the session happens, in words both people understand."""
    if booking.location_type == LocationType.PHONE:
        number = f" on {booking.location_detail}" if booking.location_detail else ""
        return f"Phone call: {coach.name} will phone {participant.name}{number}"
    if booking.location_type == LocationType.VIDEO:
        return (
            f"Video call: {booking.location_detail}"
            if booking.location_detail
            else f"Video call: {coach.name} will send the link"
        )
    return booking.location_detail or "In person: the place will be confirmed"


def booking_people(session: Session, booking: Booking) -> tuple[User, User]:
    """The booking's coach and participant."""
    coach = session.get(User, booking.coach_id)
    participant = session.get(User, booking.participant_id)
    assert coach is not None
    assert participant is not None
    return coach, participant


def booking_page_values(session: Session, booking: Booking) -> dict[str, object]:
    """What every page about one booking shows, to the coach or the participant: the
    booking, both people, where it happens and the kind of support."""
    coach, participant = booking_people(session, booking)
    return {
        "booking": booking,
        "coach": coach,
        "participant": participant,
        "where": where_text(booking, coach, participant),
        "kind": support_label(session, booking.support_type),
    }


def calendar_event(session: Session, booking: Booking) -> CalendarEvent:
    coach, participant = booking_people(session, booking)
    kind = support_label(session, booking.support_type)
    video_link = (
        booking.location_detail
        if booking.location_type == LocationType.VIDEO
        and booking.location_detail.startswith("https://")
        else ""
    )
    return CalendarEvent(
        uid=booking_uid(booking),
        sequence=booking.calendar_sequence,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=f"Peer Networks {kind.lower()}: {participant.name} with {coach.name}",
        description="\n".join(
            [
                f"One-to-one {kind.lower()} through Peer Networks.",
                f"Topic: {booking.topic}",
                f"Where: {where_text(booking, coach, participant)}",
            ]
        ),
        location=where_text(booking, coach, participant),
        url=video_link,
        organizer_email=coach.email,
        organizer_name=coach.name,
        attendees=((participant.email, participant.name), (coach.email, coach.name)),
    )


def booking_calendar(
    session: Session, booking: Booking, *, method: Literal["REQUEST", "CANCEL"]
) -> bytes:
    """The booking as an invitation or update (REQUEST) or a cancellation (CANCEL)."""
    return calendar_file([calendar_event(session, booking)], method=method)


def _context(session: Session, booking: Booking, coach: User, participant: User) -> dict:
    return {
        "coach_name": coach.name,
        "participant_name": participant.name,
        "kind": support_label(session, booking.support_type).lower(),
        "when": when_text(booking),
        "where": where_text(booking, coach, participant),
        "topic": booking.topic,
        "minutes": booking.minutes,
    }


def _send_both(
    session: Session,
    booking: Booking,
    *,
    template: str,
    subjects: tuple[str, str],
    method: Literal["REQUEST", "CANCEL"],
    extra: dict | None = None,
    category: EmailCategory | None = None,
    audiences: tuple[Literal["participant", "coach"], ...] = ("participant", "coach"),
) -> None:
    coach, participant = booking_people(session, booking)
    attachment = Attachment(
        CALENDAR_FILE_NAME, CALENDAR_CONTENT_TYPE, booking_calendar(session, booking, method=method)
    )
    context = {**_context(session, booking, coach, participant), **(extra or {})}
    for audience in audiences:
        to = participant if audience == "participant" else coach
        link = (
            external_url("one_to_one.booking", booking_id=booking.id)
            if audience == "participant"
            else external_url("coaching.booking", booking_id=booking.id)
        )
        extras: dict[str, object] = {}
        if category is not None:
            extras["preferences_url"] = external_url("account.email_preferences")
        queue_email(
            session,
            to=to,
            subject=subjects[0] if audience == "participant" else subjects[1],
            template=template,
            context={
                **context,
                **extras,
                "audience": audience,
                "name": to.name,
                "booking_url": link,
            },
            category=category,
            attachments=[attachment],
        )


def send_confirmation(session: Session, booking: Booking) -> None:
    coach, participant = booking_people(session, booking)
    when = govuk_datetime(booking.starts_at)
    _send_both(
        session,
        booking,
        template="booking_confirmed",
        subjects=(
            f"Booked: one-to-one support with {coach.name}, {when}",
            f"New booking: {participant.name}, {when}",
        ),
        method="REQUEST",
    )


def send_change(session: Session, booking: Booking, *, previous_starts_at: dt.datetime) -> None:
    coach, participant = booking_people(session, booking)
    when = govuk_datetime(booking.starts_at)
    _send_both(
        session,
        booking,
        template="booking_changed",
        subjects=(
            f"Moved: one-to-one support with {coach.name}, now {when}",
            f"Booking moved: {participant.name}, now {when}",
        ),
        method="REQUEST",
        extra={"previous_when": govuk_datetime(previous_starts_at)},
    )


def send_cancellation(session: Session, booking: Booking) -> None:
    coach, participant = booking_people(session, booking)
    when = govuk_datetime(booking.starts_at)
    _send_both(
        session,
        booking,
        template="booking_cancelled",
        subjects=(
            f"Cancelled: one-to-one support with {coach.name}, {when}",
            f"Booking cancelled: {participant.name}, {when}",
        ),
        method="CANCEL",
        extra={
            "cancelled_by": booking.cancelled_by.value if booking.cancelled_by else "",
            "reason": booking.cancellation_reason,
            "late": booking.late_cancellation,
            "book_url": external_url("one_to_one.index"),
        },
    )


def send_reminder(session: Session, booking: Booking, kind: ReminderKind) -> None:
    """A reminder (optional email: people can turn reminders off) with the calendar file."""
    coach, participant = booking_people(session, booking)
    when = govuk_datetime(booking.starts_at)
    audience: Literal["participant", "coach"] = (
        "participant" if kind == ReminderKind.PARTICIPANT else "coach"
    )
    _send_both(
        session,
        booking,
        template="booking_reminder",
        subjects=(
            f"Reminder: one-to-one support with {coach.name}, {when}",
            f"Reminder: {participant.name}, {when}",
        ),
        method="REQUEST",
        category=EmailCategory.REMINDERS,
        audiences=(audience,),
    )


def send_time_offer(
    session: Session,
    *,
    to: User,
    coach: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    book_url: str,
    move_url: str | None,
    stop_url: str,
) -> None:
    """Tell someone waiting that an earlier time with a coach is free (no calendar file:
    nothing is booked until they book it)."""
    when = f"{govuk_datetime(starts_at)} to {govuk_time(ends_at)}"
    queue_email(
        session,
        to=to,
        subject=f"An earlier time with {coach.name} is free: {govuk_datetime(starts_at)}",
        template="booking_time_free",
        context={
            "name": to.name,
            "coach_name": coach.name,
            "when": when,
            "book_url": book_url,
            "move_url": move_url,
            "stop_url": stop_url,
        },
    )
