"""Calendar files and emails to a cohort's members.

One session as a calendar file (a download, or an invitation, update or cancellation for
one member), every session as the feed calendar programs subscribe to, and the emails that
tell members a session moved, was added or cancelled, or that the schedule changed.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from typing import Literal
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.calendar import CalendarEvent, calendar_file, event_uid
from portal.cohorts.delivery import active_sessions, session_numbers
from portal.cohorts.membership import current_members, people
from portal.cohorts.models import Cohort, CohortDelivery, CohortSession
from portal.notifications.services import Attachment, queue_email
from portal.presentation import possessive
from portal.timefmt import govuk_datetime, govuk_time
from portal.urls import external_url

CALENDAR_CONTENT_TYPE = "text/calendar"


# Calendar files


def _domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def session_uid(cohort_session: CohortSession) -> str:
    return event_uid("cohort-session", cohort_session.id, _domain())


def _organizer(session: Session, cohort: Cohort) -> tuple[str, str]:
    if cohort.facilitator_id is not None:
        facilitator = session.get(User, cohort.facilitator_id)
        if facilitator is not None:
            return facilitator.email, facilitator.name
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return address or f"no-reply@{_domain()}", name or current_app.config["SERVICE_NAME"]


def where(cohort_session: CohortSession) -> str:
    """Where the session happens, in words: the venue or the online meeting's link."""
    cohort = cohort_session.cohort
    if cohort.delivery == CohortDelivery.ONLINE:
        return cohort_session.online_link or cohort.online_link or "Online: link to follow"
    return cohort_session.venue or cohort.venue or "Venue to be confirmed"


def session_when(cohort_session: CohortSession) -> str:
    """ "Tuesday 3 March 2026, 9:30am to midday" (London time)."""
    return f"{govuk_datetime(cohort_session.starts_at)} to {govuk_time(cohort_session.ends_at)}"


def session_event(
    session: Session,
    cohort_session: CohortSession,
    *,
    attendees: tuple[tuple[str, str], ...] = (),
) -> CalendarEvent:
    cohort = cohort_session.cohort
    organizer_email, organizer_name = _organizer(session, cohort)
    number = session_numbers(cohort).get(cohort_session.id)
    title = f"Peer Networks: {cohort.name}"
    lines = [
        f"Session {number} of your Peer Networks group, {cohort.name}."
        if number
        else f"A session of your Peer Networks group, {cohort.name}.",
        f"Where: {where(cohort_session)}",
        f"Facilitator: {organizer_name}" if cohort.facilitator_id else "",
        f"Your group's page: {external_url('my_cohort.index')}",
    ]
    online = cohort.delivery == CohortDelivery.ONLINE
    return CalendarEvent(
        uid=session_uid(cohort_session),
        sequence=cohort_session.calendar_sequence,
        starts_at=cohort_session.starts_at,
        ends_at=cohort_session.ends_at,
        summary=title,
        description="\n".join(line for line in lines if line),
        location=where(cohort_session),
        url=(cohort_session.online_link or cohort.online_link) if online else "",
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        attendees=attendees,
    )


def session_calendar(
    session: Session,
    cohort_session: CohortSession,
    *,
    method: Literal["PUBLISH", "REQUEST", "CANCEL"] = "PUBLISH",
    recipient: User | None = None,
) -> bytes:
    """One session as a calendar file: a download (PUBLISH), or for ``recipient`` an
    invitation or update (REQUEST) or a cancellation (CANCEL)."""
    attendees = ((recipient.email, recipient.name),) if recipient is not None else ()
    return calendar_file(
        [session_event(session, cohort_session, attendees=attendees)], method=method
    )


def feed_calendar(session: Session, cohort: Cohort) -> bytes:
    """Every session of the cohort not cancelled, as a feed calendar programs subscribe to.
    No attendees: the feed names nobody."""
    events = [session_event(session, s) for s in active_sessions(cohort)]
    return calendar_file(events, method="PUBLISH", calendar_name=f"Peer Networks: {cohort.name}")


# Emails to members


def email_session_change(
    session: Session,
    cohort_session: CohortSession,
    *,
    change: Literal["moved", "added", "cancelled"],
    reason: str,
    now: dt.datetime,
    previous: dt.datetime | None = None,
) -> None:
    cohort = cohort_session.cohort
    members = current_members(cohort)
    method: Literal["REQUEST", "CANCEL"] = "CANCEL" if change == "cancelled" else "REQUEST"
    subject = {
        "moved": f"A session of {cohort.name} has moved",
        "added": f"A new session for {cohort.name}",
        "cancelled": f"A session of {cohort.name} is cancelled",
    }[change]
    for person in people(session, members).values():
        queue_email(
            session,
            to=person,
            subject=subject,
            template="session_cancelled" if change == "cancelled" else "session_changed",
            context={
                "name": person.name,
                "cohort_name": cohort.name,
                "change": change,
                "when": session_when(cohort_session),
                "previous_when": govuk_datetime(previous) if previous else "",
                "where": where(cohort_session),
                "reason": reason,
                "sessions": [],
                "cohort_url": external_url("my_cohort.index"),
            },
            attachments=[
                Attachment(
                    "session.ics",
                    CALENDAR_CONTENT_TYPE,
                    session_calendar(session, cohort_session, method=method, recipient=person),
                )
            ],
        )


def cancellation_files(
    session: Session, cohort: Cohort, cohort_session: CohortSession
) -> dict[int, bytes]:
    """Cancellation files for a session about to be deleted, by person id."""
    cohort_session.calendar_sequence += 1
    return {
        person.id: session_calendar(session, cohort_session, method="CANCEL", recipient=person)
        for person in people(session, current_members(cohort)).values()
    }


def email_schedule(
    session: Session,
    cohort: Cohort,
    *,
    now: dt.datetime,
    cancellations: list[dict[int, bytes]],
) -> None:
    upcoming = [s for s in active_sessions(cohort) if s.ends_at > now]
    if not upcoming and not cancellations:
        return
    every_session = calendar_file([session_event(session, s) for s in upcoming], method="PUBLISH")
    for person in people(session, current_members(cohort)).values():
        attachments = []
        if upcoming:
            attachments.append(Attachment("sessions.ics", CALENDAR_CONTENT_TYPE, every_session))
        for number, files in enumerate(cancellations, start=1):
            if person.id in files:
                attachments.append(
                    Attachment(
                        f"cancelled-session-{number}.ics", CALENDAR_CONTENT_TYPE, files[person.id]
                    )
                )
        queue_email(
            session,
            to=person,
            subject=f"The dates of {possessive(cohort.name)} sessions",
            template="session_changed",
            context={
                "name": person.name,
                "cohort_name": cohort.name,
                "change": "schedule",
                "when": "",
                "previous_when": "",
                "where": where(upcoming[0]) if upcoming else "",
                "reason": "",
                "sessions": [session_when(s) for s in upcoming],
                "removed": len(cancellations),
                "cohort_url": external_url("my_cohort.index"),
            },
            attachments=attachments,
        )
