"""A business across rounds, for the officers' business page: its people, their applications,
places and the support they had. A fixed number of statements; contractor leads see only
the people and places in their own contractors' cohorts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.coaching.hours import hours_from_minutes
from portal.coaching.models import Booking, BookingStatus, OutsideSupport
from portal.cohorts.models import Attendance, Cohort, Place, PlaceStatus
from portal.people.scope import Viewer, places_in_scope
from portal.registration.models import Application, ApplicationStatus, Business
from portal.rounds.models import Round


@dataclass(frozen=True)
class BusinessRow:
    """One application of the business's, with the place it led to (if any)."""

    person_id: int
    person_name: str
    round_name: str
    reference: str
    status: ApplicationStatus
    cohort_id: int | None
    cohort_name: str
    place_status: PlaceStatus | None
    group_hours: Decimal
    one_to_one_hours: Decimal


@dataclass(frozen=True)
class BusinessRecord:
    business: Business
    rows: list[BusinessRow]

    @property
    def rounds(self) -> list[str]:
        return list(dict.fromkeys(row.round_name for row in self.rows))

    @property
    def people(self) -> list[tuple[int, str]]:
        return list(dict.fromkeys((row.person_id, row.person_name) for row in self.rows))

    @property
    def group_hours(self) -> Decimal:
        return sum((row.group_hours for row in self.rows), Decimal(0))

    @property
    def one_to_one_hours(self) -> Decimal:
        return sum((row.one_to_one_hours for row in self.rows), Decimal(0))


def business_record(session: Session, business: Business, viewer: Viewer) -> BusinessRecord:
    """The business's applications across rounds with their places and support. No side
    effects."""
    query = (
        select(
            Application.person_id,
            User.name,
            Round.name,
            Application.reference,
            Application.status,
            Place.id,
            Place.status,
            Cohort.id,
            Cohort.name,
        )
        .join(User, User.id == Application.person_id)
        .join(Round, Round.id == Application.round_id)
        .outerjoin(Place, Place.application_id == Application.id)
        .outerjoin(Cohort, Cohort.id == Place.cohort_id)
        .where(Application.business_id == business.id)
        .order_by(Round.starts_on, User.name, Application.id, Place.id)
    )
    if viewer.contractor_ids is not None:
        query = query.where(Place.id.in_(places_in_scope(viewer.contractor_ids)))
    found = session.execute(query).all()
    place_ids = [row[5] for row in found if row[5] is not None]
    group = dict(
        session.execute(
            select(Attendance.place_id, func.sum(Attendance.hours))
            .where(Attendance.place_id.in_(place_ids))
            .group_by(Attendance.place_id)
        ).all()
    )
    minutes: dict[int, int] = {}
    for place_id, total in session.execute(
        select(Booking.place_id, func.sum(Booking.delivered_minutes))
        .where(Booking.place_id.in_(place_ids), Booking.status == BookingStatus.DELIVERED)
        .group_by(Booking.place_id)
        .union_all(
            select(OutsideSupport.place_id, func.sum(OutsideSupport.minutes))
            .where(OutsideSupport.place_id.in_(place_ids))
            .group_by(OutsideSupport.place_id)
        )
    ):
        minutes[place_id] = minutes.get(place_id, 0) + int(total or 0)
    rows = [
        BusinessRow(
            person_id=person_id,
            person_name=name,
            round_name=round_name,
            reference=reference,
            status=status,
            cohort_id=cohort_id,
            cohort_name=cohort_name or "",
            place_status=place_status,
            group_hours=Decimal(group.get(place_id) or 0),
            one_to_one_hours=hours_from_minutes(minutes.get(place_id, 0)),
        )
        for (
            person_id,
            name,
            round_name,
            reference,
            status,
            place_id,
            place_status,
            cohort_id,
            cohort_name,
        ) in found
    ]
    return BusinessRecord(business, rows)
