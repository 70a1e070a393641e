"""Everything the portal holds about one person, across rounds, for the officers' person page.

A fixed number of statements whatever the person's history: each part is one query over
all their applications, places, sessions, bookings and so on (columns, not objects, so no
relationship loads behind the scenes). Contractor leads' records are cut to the places in
their own contractors' cohorts and what hangs off them; the applications' history, emails,
contact notes and audit trail are for officers only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from portal.audit.models import AuditEvent
from portal.audit.wording import describe_action
from portal.auth.models import User
from portal.casestudies.models import CaseStudy, CaseStudyStatus
from portal.coaching.hours import hours_from_minutes
from portal.coaching.models import Booking, BookingStatus, OutsideSupport
from portal.cohorts.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortSession,
    CohortStatus,
    Place,
    PlaceStatus,
    SessionStatus,
)
from portal.notifications.models import OutboxMessage, OutboxStatus
from portal.people.scope import Viewer, places_in_scope
from portal.registration.models import Application, ApplicationStatus, StatusChange
from portal.rounds.models import Round
from portal.surveys.models import ResponseStatus, SurveyInvitation, SurveyResponse, SurveyTiming

# The audit trail shows the latest events only: a person's page is not the audit search.
AUDIT_LIMIT = 100


@dataclass(frozen=True)
class StatusRow:
    status: ApplicationStatus
    changed_at: dt.datetime
    who: str
    reason: str


@dataclass
class ApplicationRow:
    id: int
    reference: str
    round_name: str
    status: ApplicationStatus
    business_id: int | None
    business_name: str
    postcode: str
    phone: str
    submitted_at: dt.datetime | None
    history: list[StatusRow] = field(default_factory=list)


@dataclass(frozen=True)
class SessionRow:
    starts_at: dt.datetime
    status: SessionStatus
    attendance: AttendanceStatus | None
    hours: Decimal | None


@dataclass
class PlaceRow:
    id: int
    application_id: int
    cohort_id: int
    cohort_name: str
    cohort_status: CohortStatus
    round_name: str
    status: PlaceStatus
    accepted_at: dt.datetime | None
    sessions: list[SessionRow] = field(default_factory=list)
    one_to_one_minutes: int = 0

    @property
    def group_hours(self) -> Decimal:
        return sum((row.hours or Decimal(0) for row in self.sessions), Decimal(0))

    @property
    def one_to_one_hours(self) -> Decimal:
        return hours_from_minutes(self.one_to_one_minutes)


@dataclass(frozen=True)
class BookingRow:
    starts_at: dt.datetime
    coach: str
    support_type: str
    status: BookingStatus | None  # None: support recorded outside the booking system
    minutes_delivered: int


@dataclass(frozen=True)
class SurveyRow:
    timing: SurveyTiming
    cohort_name: str
    sent_at: dt.datetime | None
    reminders_sent: int
    answered_at: dt.datetime | None
    started: bool


@dataclass(frozen=True)
class CaseStudyRow:
    id: int
    title: str
    status: CaseStudyStatus
    status_changed_at: dt.datetime


@dataclass(frozen=True)
class EmailRow:
    subject: str
    status: OutboxStatus
    created_at: dt.datetime
    sent_at: dt.datetime | None


@dataclass(frozen=True)
class EventRow:
    occurred_at: dt.datetime
    what: str
    who: str
    reason: str


@dataclass
class PersonRecord:
    person: User
    applications: list[ApplicationRow]
    places: list[PlaceRow]
    bookings: list[BookingRow]
    surveys: list[SurveyRow]
    case_studies: list[CaseStudyRow]
    emails: list[EmailRow]
    events: list[EventRow]

    @property
    def phone(self) -> str:
        """The phone number last given (the latest application that has one)."""
        return next((row.phone for row in reversed(self.applications) if row.phone), "")

    @property
    def one_to_one_hours(self) -> Decimal:
        return hours_from_minutes(sum(row.one_to_one_minutes for row in self.places))


def _applications(session: Session, person_id: int, only: list[int] | None) -> list[ApplicationRow]:
    query = (
        select(
            Application.id,
            Application.reference,
            Round.name,
            Application.status,
            Application.business_id,
            Application.business_name,
            Application.postcode,
            Application.phone,
            Application.submitted_at,
        )
        .join(Round, Round.id == Application.round_id)
        .where(Application.person_id == person_id)
        .order_by(Round.starts_on, Application.id)
    )
    if only is not None:
        query = query.where(Application.id.in_(only))
    return [
        ApplicationRow(
            id=row[0],
            reference=row[1],
            round_name=row[2],
            status=row[3],
            business_id=row[4],
            business_name=row[5] or "",
            postcode=row[6] or "",
            phone=row[7] or "",
            submitted_at=row[8],
        )
        for row in session.execute(query)
    ]


Change = tuple[int, ApplicationStatus, dt.datetime, int | None, str]


def _status_changes(session: Session, applications: list[ApplicationRow]) -> list[Change]:
    return [
        (row[0], row[1], row[2], row[3], row[4])
        for row in session.execute(
            select(
                StatusChange.application_id,
                StatusChange.status,
                StatusChange.changed_at,
                StatusChange.changed_by_id,
                StatusChange.reason,
            )
            .where(StatusChange.application_id.in_([row.id for row in applications]))
            .order_by(StatusChange.changed_at, StatusChange.id)
        )
    ]


def _places(session: Session, person_id: int, viewer: Viewer) -> list[PlaceRow]:
    query = (
        select(
            Place.id,
            Place.application_id,
            Place.cohort_id,
            Cohort.name,
            Cohort.status,
            Round.name,
            Place.status,
            Place.accepted_at,
        )
        .join(Cohort, Cohort.id == Place.cohort_id)
        .join(Round, Round.id == Cohort.round_id)
        .where(Place.person_id == person_id)
        .order_by(Round.starts_on, Place.id)
    )
    if viewer.contractor_ids is not None:
        query = query.where(Place.id.in_(places_in_scope(viewer.contractor_ids)))
    return [PlaceRow(*row) for row in session.execute(query)]


def _sessions(session: Session, places: list[PlaceRow]) -> None:
    """Each place's cohort sessions (not cancelled ones), with the person's attendance."""
    by_cohort: dict[int, list[PlaceRow]] = defaultdict(list)
    for place in places:
        by_cohort[place.cohort_id].append(place)
    if not by_cohort:
        return
    rows = session.execute(
        select(
            CohortSession.cohort_id,
            CohortSession.starts_at,
            CohortSession.status,
            Attendance.place_id,
            Attendance.status,
            Attendance.hours,
        )
        .outerjoin(
            Attendance,
            and_(
                Attendance.session_id == CohortSession.id,
                Attendance.place_id.in_([place.id for place in places]),
            ),
        )
        .where(
            CohortSession.cohort_id.in_(list(by_cohort)),
            CohortSession.status != SessionStatus.CANCELLED,
        )
        .order_by(CohortSession.starts_at)
    )
    for cohort_id, starts_at, status, place_id, attended, hours in rows:
        for place in by_cohort[cohort_id]:
            mine = place_id == place.id
            if place_id is None or mine:
                row = SessionRow(starts_at, status, None, None)
                if mine:
                    row = SessionRow(starts_at, status, attended, hours)
                place.sessions.append(row)


Support = tuple[dt.datetime, int, str, BookingStatus | None, int]


def _support(session: Session, person_id: int, places: list[PlaceRow]) -> list[Support]:
    """1:1 bookings and support recorded outside the booking system, oldest first, as
    (when, coach id, kind, booking status or None, minutes delivered). Adds each place's
    minutes delivered (the "1:1 hours delivered" of figures.md)."""
    by_id = {place.id: place for place in places}
    booked = session.execute(
        select(
            Booking.place_id,
            Booking.starts_at,
            Booking.coach_id,
            Booking.support_type,
            Booking.status,
            Booking.delivered_minutes,
        ).where(Booking.participant_id == person_id, Booking.place_id.in_(list(by_id)))
    ).all()
    outside = session.execute(
        select(
            OutsideSupport.place_id,
            OutsideSupport.happened_on,
            OutsideSupport.coach_id,
            OutsideSupport.support_type,
            OutsideSupport.minutes,
        ).where(
            OutsideSupport.participant_id == person_id,
            OutsideSupport.place_id.in_(list(by_id)),
        )
    ).all()
    rows: list[Support] = []
    for place_id, starts_at, coach_id, support_type, status, minutes in booked:
        delivered = (minutes or 0) if status == BookingStatus.DELIVERED else 0
        by_id[place_id].one_to_one_minutes += delivered
        rows.append((starts_at, coach_id, support_type, status, delivered))
    for place_id, happened_on, coach_id, support_type, minutes in outside:
        by_id[place_id].one_to_one_minutes += minutes
        when = dt.datetime.combine(happened_on, dt.time(12), tzinfo=dt.UTC)
        rows.append((when, coach_id, support_type, None, minutes))
    return sorted(rows, key=lambda row: row[0])


def _surveys(session: Session, person_id: int, places: list[PlaceRow]) -> list[SurveyRow]:
    names = {place.id: place.cohort_name for place in places}
    rows = session.execute(
        select(
            SurveyInvitation.timing,
            SurveyInvitation.place_id,
            SurveyInvitation.sent_at,
            SurveyInvitation.reminders_sent,
            SurveyResponse.status,
            SurveyResponse.submitted_at,
        )
        .outerjoin(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
        .where(SurveyInvitation.person_id == person_id, SurveyInvitation.place_id.in_(list(names)))
        .order_by(SurveyInvitation.triggered_at, SurveyInvitation.id)
    )
    return [
        SurveyRow(
            timing=timing,
            cohort_name=names[place_id],
            sent_at=sent_at,
            reminders_sent=reminders,
            answered_at=submitted_at if status == ResponseStatus.SUBMITTED else None,
            started=status is not None,
        )
        for timing, place_id, sent_at, reminders, status, submitted_at in rows
    ]


def _case_studies(session: Session, person_id: int, places: list[PlaceRow]) -> list[CaseStudyRow]:
    rows = session.execute(
        select(CaseStudy.id, CaseStudy.title, CaseStudy.status, CaseStudy.status_changed_at)
        .where(
            CaseStudy.person_id == person_id,
            CaseStudy.place_id.in_([place.id for place in places]),
        )
        .order_by(CaseStudy.created_at, CaseStudy.id)
    )
    return [CaseStudyRow(*row) for row in rows]


def _emails(session: Session, person: User) -> list[EmailRow]:
    rows = session.execute(
        select(
            OutboxMessage.subject,
            OutboxMessage.status,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
        )
        # By account only: to_address has no index, and every email to a person with an
        # account is queued with it.
        .where(OutboxMessage.user_id == person.id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
    return [EmailRow(*row) for row in rows]


def _events(
    session: Session, person: User, applications: list[ApplicationRow], places: list[PlaceRow]
) -> list[AuditEvent]:
    """The latest events about the person, their applications and places, or done by them,
    newest first."""

    def about(entity_type: str, ids: list[int]) -> ColumnElement[bool]:
        return and_(
            AuditEvent.entity_type == entity_type,
            AuditEvent.entity_id.in_([str(entity_id) for entity_id in ids]),
        )

    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                or_(
                    about("user", [person.id]),
                    about("application", [row.id for row in applications]),
                    about("cohort_place", [row.id for row in places]),
                    # Indexed columns only (an OR with one unindexed column scans the whole
                    # log): what staff did on the person's behalf is about their application.
                    AuditEvent.actor_id == person.id,
                )
            )
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(AUDIT_LIMIT)
        )
    )


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [user_id for user_id in ids if user_id is not None]
    if not wanted:
        return {}
    found = session.execute(select(User.id, User.name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in found}


def person_record(session: Session, person: User, viewer: Viewer) -> PersonRecord:
    """Everything the viewer may see about ``person`` (see the module docstring). No side
    effects."""
    officer = viewer.is_officer
    places = _places(session, person.id, viewer)
    # A contractor lead sees the contact details given with the places in their scope.
    only = None if officer else [place.application_id for place in places]
    applications = _applications(session, person.id, only)
    changes = _status_changes(session, applications) if officer else []
    _sessions(session, places)
    support = _support(session, person.id, places)
    events = _events(session, person, applications, places) if officer else []
    names = _names(
        session,
        {change[3] for change in changes}
        | {row[1] for row in support}
        | {event.actor_id for event in events}
        | {event.on_behalf_of_id for event in events},
    )
    by_id = {row.id: row for row in applications}
    for application_id, status, changed_at, changed_by_id, reason in changes:
        by_id[application_id].history.append(
            StatusRow(status, changed_at, _who(names, changed_by_id, person), reason)
        )
    return PersonRecord(
        person=person,
        applications=applications,
        places=places,
        bookings=[
            BookingRow(when, names.get(coach_id, ""), kind, status, minutes)
            for when, coach_id, kind, status, minutes in support
        ],
        surveys=_surveys(session, person.id, places),
        case_studies=_case_studies(session, person.id, places),
        emails=_emails(session, person) if officer else [],
        events=[
            EventRow(
                event.occurred_at,
                describe_action(event.action),
                _event_who(names, event, person),
                event.reason or "",
            )
            for event in events
        ],
    )


def _who(names: dict[int, str], user_id: int | None, person: User) -> str:
    if user_id is None:
        return "The portal (automatic)"
    if user_id == person.id:
        return f"{person.name} (themselves)"
    return names.get(user_id, "")


def _event_who(names: dict[int, str], event: AuditEvent, person: User) -> str:
    who = _who(names, event.actor_id, person)
    if event.on_behalf_of_id is not None and event.on_behalf_of_id != event.actor_id:
        who += f", on behalf of {names.get(event.on_behalf_of_id, '')}"
    return who
