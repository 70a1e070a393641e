"""Demo data for one-to-one support: the demo coaches' availability, and a few bookings.

``load`` is a step of ``portal.demo.load``, run after the cohorts. Each demo coach without a
profile gets one, with weekly hours; then, if nobody has booked yet, a few members of the
confirmed cohorts whose contractor has a coach get bookings with that coach: some still to
come, one delivered, one missed, and support recorded outside the booking system. Running it
again adds nothing twice. No email is sent.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Role, User, UserRole
from portal.coaching import diary, services
from portal.coaching.models import (
    Booking,
    BookingStatus,
    CoachProfile,
    LocationType,
    OutsideSupport,
    SupportChannel,
    WeeklyWindow,
)
from portal.cohorts.models import Cohort, CohortStatus, Place, PlaceStatus
from portal.cohorts.schedule import to_utc
from portal.db_base import utcnow
from portal.timefmt import to_london

# (support types, location, detail, weekly hours as (weekday, start, end)), by coach, in turn.
OFFERS = [
    (
        ["coaching", "mentoring"],
        LocationType.VIDEO,
        "https://meet.example.org/colin-coach",
        [(0, "09:00", "12:00"), (2, "09:00", "12:00"), (3, "13:00", "17:00")],
    ),
    (
        ["coaching", "advice"],
        LocationType.IN_PERSON,
        "Fylde Coast Enterprise Partnership, 1 Harbour Way, Fleetwood FY7 6AA",
        [(1, "10:00", "16:00"), (4, "10:00", "16:00")],
    ),
]


def load(session: Session) -> int:
    """Set up the demo coaches and make a few bookings. Returns how many rows were made.

    Side effects: adds and flushes profiles, weekly hours, bookings and outside support.
    """
    made = 0
    coaches = list(
        session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.COACH)
            .order_by(User.id)
        )
    )
    for number, coach in enumerate(coaches):
        if diary.profile_for(session, coach.id) is not None:
            continue
        support_types, location, detail, hours = OFFERS[number % len(OFFERS)]
        session.add(
            CoachProfile(
                coach_id=coach.id,
                session_lengths=[60, 90],
                support_types=support_types,
                location_type=location,
                location_detail=detail,
                about="Has run and grown businesses in Lancashire for twenty years.",
            )
        )
        for weekday, start, end in hours:
            session.add(
                WeeklyWindow(coach_id=coach.id, weekday=weekday, start_time=start, end_time=end)
            )
        made += 1 + len(hours)
    session.flush()
    if session.scalar(select(Booking.id).limit(1)) is None:
        made += _bookings(session, coaches)
    return made


def _bookings(session: Session, coaches: list[User]) -> int:
    now = utcnow()
    made = 0
    for coach in coaches:
        places = session.scalars(
            select(Place)
            .join(Cohort, Cohort.id == Place.cohort_id)
            .where(
                Place.status == PlaceStatus.ACCEPTED,
                Cohort.status.in_((CohortStatus.CONFIRMED, CohortStatus.RUNNING)),
                Cohort.contractor_id.in_(list(coach.contractor_ids)),
            )
            .order_by(Place.id)
            .limit(4)
        ).all()
        if not places:
            continue
        profile = diary.profile_for(session, coach.id)
        assert profile is not None
        today = to_london(now).date()
        plan = [
            (places[0], today - dt.timedelta(days=9), BookingStatus.DELIVERED),
            (places[1 % len(places)], today - dt.timedelta(days=6), BookingStatus.NO_SHOW),
        ]
        for place, day, status in plan:
            made += _past_booking(session, coach, profile, place, day, status)
        upcoming = diary.free_times(session, coach.id, profile, now=now, lengths=[60])
        for place, slot in zip(places[2:], upcoming[::4], strict=False):
            person = session.get(User, place.person_id)
            assert person is not None
            try:
                services.book(
                    session,
                    participant=person,
                    coach_id=coach.id,
                    starts_at=slot.starts_at,
                    minutes=60,
                    support_type=profile.support_types[0],
                    topic="Following up an issue from the group: recruiting a first manager",
                    now=now,
                    notify=False,
                )
            except services.BookingError:
                continue
            made += 1
        session.add(
            OutsideSupport(
                round_id=places[0].cohort.round_id,
                place_id=places[0].id,
                participant_id=places[0].person_id,
                coach_id=coach.id,
                contractor_id=places[0].cohort.contractor_id,
                support_type=profile.support_types[0],
                channel=SupportChannel.PHONE,
                happened_on=today - dt.timedelta(days=3),
                minutes=20,
                recorded_by_id=coach.id,
            )
        )
        made += 1
    session.flush()
    return made


def _past_booking(
    session: Session,
    coach: User,
    profile: CoachProfile,
    place: Place,
    day: dt.date,
    status: BookingStatus,
) -> int:
    starts_at = to_utc(day, dt.time(10, 0))
    ends_at = starts_at + dt.timedelta(hours=1)
    buffer = dt.timedelta(minutes=profile.buffer_minutes)
    session.add(
        Booking(
            round_id=place.cohort.round_id,
            place_id=place.id,
            participant_id=place.person_id,
            coach_id=coach.id,
            contractor_id=place.cohort.contractor_id,
            support_type=profile.support_types[0],
            topic="Cash flow in the quiet months",
            location_type=profile.location_type,
            location_detail=profile.location_detail,
            starts_at=starts_at,
            ends_at=ends_at,
            buffer_minutes=profile.buffer_minutes,
            blocked_from=starts_at,
            blocked_until=ends_at + buffer,
            status=status,
            booked_at=starts_at - dt.timedelta(days=5),
            outcome_recorded_at=ends_at,
            outcome_recorded_by_id=coach.id,
            delivered_minutes=55 if status == BookingStatus.DELIVERED else None,
        )
    )
    return 1
