"""The emails a change to a confirmed or running cohort sends, with calendar files.

A member moved to another cohort gets the new group's sessions (``sessions.ics``) and a
cancellation of each session still to come in the group they left; a member withdrawn or
whose cohort is cancelled gets the cancellations; members of a cohort whose details changed
get what changed and, where the sessions changed, the calendar files. Facilitators are told
who joined or left their group. Everything goes through the outbox (``queue_email``), sent
after the request's transaction commits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.calendar import calendar_file
from portal.cohorts.delivery import active_sessions
from portal.cohorts.member_emails import CALENDAR_CONTENT_TYPE, session_event, session_when, where
from portal.cohorts.models import Cohort, SessionStatus
from portal.cohorts.offer_details import offer_details
from portal.notifications.services import Attachment, queue_email
from portal.urls import external_url


def upcoming(cohort: Cohort, now: dt.datetime) -> list:
    """The cohort's planned sessions still to come, in order."""
    return [
        s for s in active_sessions(cohort) if s.status == SessionStatus.PLANNED and s.ends_at > now
    ]


def cancellations_for(
    session: Session, cohort: Cohort, person: User, now: dt.datetime
) -> list[Attachment]:
    """A cancellation of each session still to come, for one person leaving the group: the
    sessions go on for the others, so their stored calendar sequence is not changed; the
    file carries the next one, which calendar programs need to accept a cancellation."""
    files = []
    for number, cohort_session in enumerate(upcoming(cohort, now), start=1):
        event = session_event(session, cohort_session, attendees=((person.email, person.name),))
        event = dataclasses.replace(event, sequence=event.sequence + 1)
        files.append(
            Attachment(
                f"cancelled-session-{number}.ics",
                CALENDAR_CONTENT_TYPE,
                calendar_file([event], method="CANCEL"),
            )
        )
    return files


def sessions_file(session: Session, cohort: Cohort, now: dt.datetime) -> list[Attachment]:
    """The cohort's sessions still to come as one calendar file (none if there are none)."""
    coming = upcoming(cohort, now)
    if not coming:
        return []
    events = [session_event(session, s) for s in coming]
    return [
        Attachment("sessions.ics", CALENDAR_CONTENT_TYPE, calendar_file(events, method="PUBLISH"))
    ]


def email_member_moved(
    session: Session,
    person: User,
    *,
    source: Cohort,
    target: Cohort,
    reason: str,
    own_request: bool,
    now: dt.datetime,
) -> None:
    details = offer_details(session, target, now=now)
    queue_email(
        session,
        to=person,
        subject=f"You have moved to {target.name}",
        template="cohort_member_changed",
        context={
            "name": person.name,
            "change": "moved",
            "own_request": own_request,
            "source_name": source.name,
            "cohort_name": target.name,
            "reason": reason,
            "details": details,
            "cohort_url": external_url("my_cohort.index"),
        },
        attachments=[
            *sessions_file(session, target, now),
            *cancellations_for(session, source, person, now),
        ],
    )


def email_member_withdrawn(
    session: Session, person: User, *, cohort: Cohort, reason: str, now: dt.datetime
) -> None:
    queue_email(
        session,
        to=person,
        subject=f"Your place in {cohort.name} has ended",
        template="cohort_member_changed",
        context={
            "name": person.name,
            "change": "withdrawn",
            "cohort_name": cohort.name,
            "reason": reason,
        },
        attachments=cancellations_for(session, cohort, person, now),
    )


def email_offer_withdrawn(session: Session, person: User, *, cohort: Cohort, reason: str) -> None:
    queue_email(
        session,
        to=person,
        subject=f"Your offer of a place in {cohort.name} is withdrawn",
        template="cohort_member_changed",
        context={
            "name": person.name,
            "change": "offer_withdrawn",
            "cohort_name": cohort.name,
            "reason": reason,
        },
    )


def email_offer_moved(
    session: Session, person: User, *, source: Cohort, target: Cohort, reason: str
) -> None:
    """Sent before the new offer's own email (``offers.offer_place``), which has the links."""
    queue_email(
        session,
        to=person,
        subject=f"Your offer is now of a place in {target.name}",
        template="cohort_member_changed",
        context={
            "name": person.name,
            "change": "offer_moved",
            "source_name": source.name,
            "cohort_name": target.name,
            "reason": reason,
        },
    )


def email_cohort_cancelled(
    session: Session,
    person: User,
    *,
    cohort: Cohort,
    reason: str,
    offered_in: Cohort | None,
    attachments: Sequence[Attachment],
) -> None:
    queue_email(
        session,
        to=person,
        subject=f"{cohort.name} is cancelled",
        template="cohort_member_changed",
        context={
            "name": person.name,
            "change": "cancelled",
            "cohort_name": cohort.name,
            "reason": reason,
            "offered_in": offered_in.name if offered_in else "",
        },
        attachments=attachments,
    )


def email_details_changed(
    session: Session,
    cohort: Cohort,
    members: Sequence[User],
    *,
    changes: Sequence[str],
    reason: str,
    cancellations: dict[int, list[Attachment]],
    calendar: bool,
    now: dt.datetime,
) -> None:
    """Tell each member what changed. ``calendar``: attach the sessions still to come (their
    times, place or organiser changed); ``cancellations``: by person id, files removing
    sessions that no longer happen."""
    coming = upcoming(cohort, now)
    files = sessions_file(session, cohort, now) if calendar else []
    for person in members:
        queue_email(
            session,
            to=person,
            subject=f"Changes to your Peer Networks group, {cohort.name}",
            template="cohort_member_changed",
            context={
                "name": person.name,
                "change": "details",
                "cohort_name": cohort.name,
                "changes": list(changes),
                "reason": reason,
                "sessions": [session_when(s) for s in coming] if calendar else [],
                "where": where(coming[0]) if coming else "",
                "calendar": bool(files),
                "removed": bool(cancellations.get(person.id)),
                "cohort_url": external_url("my_cohort.index"),
            },
            attachments=[*files, *cancellations.get(person.id, [])],
        )


def email_facilitator(
    session: Session, cohort: Cohort, *, lines: Sequence[str], facilitator_id: int | None = None
) -> None:
    """Tell the cohort's facilitator (or the one named) what changed in their group."""
    wanted = facilitator_id if facilitator_id is not None else cohort.facilitator_id
    facilitator = session.get(User, wanted) if wanted is not None else None
    if facilitator is None or not lines:
        return
    queue_email(
        session,
        to=facilitator,
        subject=f"Changes to {cohort.name}",
        template="cohort_facilitator_notice",
        context={
            "name": facilitator.name,
            "cohort_name": cohort.name,
            "lines": list(lines),
            "cohort_url": external_url("facilitation.cohort", cohort_id=cohort.id),
        },
    )
