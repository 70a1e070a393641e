"""A cohort's delivery for the staff cohort page and its downloads: the schedule, the register
(members by sessions), group hours against the target, one-to-one hours, surveys and case
studies.

A fixed number of statements whatever the cohort's size: each part is one query over all
the cohort's places (columns, not objects, so no relationship loads behind the scenes).
Group hours come from held sessions' registers only and one-to-one hours follow figures.md
("1:1 hours delivered": delivered bookings plus support recorded outside the booking
system), as in ``portal.cohorts.hours`` and ``portal.coaching.hours``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.casestudies.models import CaseStudy, CaseStudyStatus
from portal.coaching.hours import hours_from_minutes
from portal.coaching.models import Booking, BookingStatus, OutsideSupport
from portal.cohorts.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortSession,
    Place,
    PlaceStatus,
    SessionStatus,
)
from portal.exports import Cell
from portal.registration.models import Application
from portal.surveys.models import ResponseStatus, SurveyInvitation, SurveyResponse, SurveyTiming
from portal.timefmt import to_london

# Places whose holders are (or were) members: those offered, declined or lapsed never were.
# A member moved to another cohort keeps the sessions they attended here.
MEMBER_STATUSES = (PlaceStatus.ACCEPTED, PlaceStatus.LEFT, PlaceStatus.MOVED)

# The short words a register cell shows (the attendance label is long for a grid).
ATTENDANCE_WORDS = {
    AttendanceStatus.PRESENT: "Attended",
    AttendanceStatus.PARTIAL: "Attended part",
    AttendanceStatus.APOLOGIES: "Apologies",
    AttendanceStatus.ABSENT: "Absent",
}


@dataclass(frozen=True)
class SessionRow:
    id: int
    number: int | None  # None for a cancelled session
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: SessionStatus
    register_taken: bool

    @property
    def status_text(self) -> str:
        if self.status == SessionStatus.HELD:
            return "Held, register taken" if self.register_taken else "Held, no register yet"
        return {SessionStatus.PLANNED: "Planned", SessionStatus.CANCELLED: "Cancelled"}.get(
            self.status, self.status.value.capitalize()
        )


@dataclass(frozen=True)
class Mark:
    """One member's register answer for one session."""

    status: AttendanceStatus
    hours: Decimal

    @property
    def words(self) -> str:
        return ATTENDANCE_WORDS[self.status]


@dataclass
class MemberRow:
    place_id: int
    person_id: int
    name: str
    email: str
    phone: str
    business_id: int | None
    business_name: str
    reference: str
    place_status: PlaceStatus
    marks: dict[int, Mark] = field(default_factory=dict)  # by session id
    group_hours: Decimal = Decimal("0.00")
    one_to_one_minutes: int = 0
    surveys: dict[SurveyTiming, str] = field(default_factory=dict)

    @property
    def one_to_one_hours(self) -> Decimal:
        return hours_from_minutes(self.one_to_one_minutes)

    def survey_text(self, timing: SurveyTiming) -> str:
        return self.surveys.get(timing, "Not invited")


@dataclass(frozen=True)
class CaseStudyRow:
    id: int
    person_id: int
    name: str
    title: str
    status: CaseStudyStatus


@dataclass(frozen=True)
class DeliveryRecord:
    sessions: list[SessionRow]
    members: list[MemberRow]
    case_studies: list[CaseStudyRow]
    target_hours: Decimal

    @property
    def register_sessions(self) -> list[SessionRow]:
        """Sessions not cancelled, in order: the register's columns."""
        return [s for s in self.sessions if s.status != SessionStatus.CANCELLED]


def _sessions(session: Session, cohort_id: int) -> list[SessionRow]:
    rows = session.execute(
        select(
            CohortSession.id,
            CohortSession.starts_at,
            CohortSession.ends_at,
            CohortSession.status,
            CohortSession.register_taken_at,
        )
        .where(CohortSession.cohort_id == cohort_id)
        .order_by(CohortSession.starts_at, CohortSession.id)
    ).all()
    found: list[SessionRow] = []
    number = 0
    for id_, starts_at, ends_at, status, taken_at in rows:
        if status != SessionStatus.CANCELLED:
            number += 1
        found.append(
            SessionRow(
                id_,
                number if status != SessionStatus.CANCELLED else None,
                starts_at,
                ends_at,
                status,
                taken_at is not None,
            )
        )
    return found


def _members(session: Session, cohort_id: int) -> list[MemberRow]:
    rows = session.execute(
        select(
            Place.id,
            Place.person_id,
            User.name,
            User.email,
            Application.phone,
            Application.business_id,
            Application.business_name,
            Application.reference,
            Place.status,
        )
        .join(User, User.id == Place.person_id)
        .join(Application, Application.id == Place.application_id)
        .where(Place.cohort_id == cohort_id, Place.status.in_(MEMBER_STATUSES))
        .order_by(User.name, Place.id)
    ).all()
    members = []
    for place_id, person_id, name, email, phone, business_id, business, reference, status in rows:
        members.append(
            MemberRow(
                place_id=place_id,
                person_id=person_id,
                name=name,
                email=email,
                phone=phone or "",
                business_id=business_id,
                business_name=business or "",
                reference=reference,
                place_status=status,
            )
        )
    return members


def _marks(session: Session, cohort_id: int, by_place: dict[int, MemberRow]) -> None:
    rows = session.execute(
        select(
            Attendance.place_id,
            Attendance.session_id,
            Attendance.status,
            Attendance.hours,
            CohortSession.status,
        )
        .join(CohortSession, CohortSession.id == Attendance.session_id)
        .where(CohortSession.cohort_id == cohort_id)
    )
    for place_id, session_id, status, hours, session_status in rows:
        member = by_place.get(place_id)
        if member is None:
            continue
        member.marks[session_id] = Mark(status, Decimal(hours))
        if session_status == SessionStatus.HELD:
            member.group_hours += Decimal(hours)


def _one_to_one(session: Session, cohort_id: int, by_place: dict[int, MemberRow]) -> None:
    booked = session.execute(
        select(Booking.place_id, Booking.delivered_minutes)
        .join(Place, Place.id == Booking.place_id)
        .where(Place.cohort_id == cohort_id, Booking.status == BookingStatus.DELIVERED)
    )
    outside = session.execute(
        select(OutsideSupport.place_id, OutsideSupport.minutes)
        .join(Place, Place.id == OutsideSupport.place_id)
        .where(Place.cohort_id == cohort_id)
    )
    for place_id, minutes in [*booked, *outside]:
        if place_id in by_place:
            by_place[place_id].one_to_one_minutes += minutes or 0


def _surveys(session: Session, cohort_id: int, by_place: dict[int, MemberRow]) -> None:
    rows = session.execute(
        select(
            SurveyInvitation.place_id,
            SurveyInvitation.timing,
            SurveyInvitation.sent_at,
            SurveyResponse.status,
        )
        .outerjoin(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
        .where(SurveyInvitation.cohort_id == cohort_id)
    )
    for place_id, timing, sent_at, status in rows:
        member = by_place.get(place_id)
        if member is None:
            continue
        if status == ResponseStatus.SUBMITTED:
            text = "Answered"
        elif status is not None:
            text = "Started"
        elif sent_at is not None:
            text = "Invited, not answered"
        else:
            text = "Not sent yet"
        member.surveys[timing] = text


def _case_studies(
    session: Session, cohort_id: int, by_place: dict[int, MemberRow]
) -> list[CaseStudyRow]:
    rows = session.execute(
        select(CaseStudy.id, CaseStudy.place_id, CaseStudy.title, CaseStudy.status)
        .where(CaseStudy.cohort_id == cohort_id, CaseStudy.status != CaseStudyStatus.DRAFT)
        .order_by(CaseStudy.created_at, CaseStudy.id)
    )
    return [
        CaseStudyRow(id_, by_place[place_id].person_id, by_place[place_id].name, title, status)
        for id_, place_id, title, status in rows
        if place_id in by_place
    ]


def delivery_record(session: Session, cohort: Cohort) -> DeliveryRecord:
    """The cohort's delivery (see the module docstring), in a fixed number of statements."""
    members = _members(session, cohort.id)
    by_place = {member.place_id: member for member in members}
    _marks(session, cohort.id, by_place)
    _one_to_one(session, cohort.id, by_place)
    _surveys(session, cohort.id, by_place)
    return DeliveryRecord(
        sessions=_sessions(session, cohort.id),
        members=members,
        case_studies=_case_studies(session, cohort.id, by_place),
        target_hours=Decimal(cohort.planned_hours),
    )


def table(
    record: DeliveryRecord, what: str, *, with_contacts: bool
) -> tuple[list[str], list[list[Cell]]]:
    """The header and rows of a download: ``what`` is "register" (members by sessions:
    answer and hours for each) or "members" (the member list with hours and surveys).
    Contact details (email address, phone) only ``with_contacts``."""
    header = ["Name", "Reference", "Business"]
    if with_contacts:
        header += ["Email address", "Phone number"]
    rows: list[list[Cell]] = []
    for member in record.members:
        row: list[Cell] = [member.name, member.reference, member.business_name]
        if with_contacts:
            row += [member.email, member.phone]
        rows.append(row)
    if what == "register":
        for s in record.register_sessions:
            when = to_london(s.starts_at).strftime("%Y-%m-%d %H:%M")
            header += [f"Session {s.number} ({when})", f"Session {s.number} hours"]
            for member, row in zip(record.members, rows, strict=True):
                mark = member.marks.get(s.id)
                row += [mark.words, mark.hours] if mark else ["Not recorded", None]
    else:
        header += ["Place", "Group hours to date", "Target hours", "One-to-one hours"]
        header += [f"{timing.label} survey" for timing in SurveyTiming]
        for member, row in zip(record.members, rows, strict=True):
            row += [
                member.place_status.label,
                member.group_hours,
                record.target_hours,
                member.one_to_one_hours,
            ]
            row += [member.survey_text(timing) for timing in SurveyTiming]
    return header, rows
