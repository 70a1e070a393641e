"""Erasure ends what the person still held (their place, their booking to come, their open
application, their survey links) through the guarded status changes, and nothing that
already happened changes: every figure as at the moment before is the same afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.coaching import services as coaching_services
from portal.coaching.models import Booking, BookingStatus
from portal.cohorts.membership import session_members
from portal.cohorts.models import (
    Attendance,
    AttendanceStatus,
    CohortSession,
    PlaceStatus,
    SessionStatus,
)
from portal.db_base import utcnow
from portal.outcomes import round_figures
from portal.privacy.erasure import ERASED, erase_person
from portal.registration.models import Application, ApplicationStatus, StatusChange
from tests.fixtures.factories import next_slot_start


@pytest.fixture(autouse=True)
def _app_context(app) -> Iterator[None]:
    with app.app_context():
        yield


def everything(session, programme_round, as_at):
    """Every figure and breakdown as at ``as_at``, as a comparable value."""
    return round_figures.round_summary(session, programme_round, as_at), {
        dimension: round_figures.breakdown(session, programme_round, as_at, dimension)
        for dimension in round_figures.Dimension
    }


def test_her_place_ends_her_booking_is_cancelled_and_no_figure_changes(
    session, coaching, make_user, outbox
):
    world = coaching(people=2)
    priya, other = world.people
    place = world.places[0]
    now = utcnow().replace(microsecond=0)
    # A session both attended two days ago, and one still to come.
    held, coming = (
        CohortSession(
            cohort_id=world.cohort.id,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=150),
            status=status,
        )
        for start, status in (
            (now - dt.timedelta(days=2), SessionStatus.HELD),
            (now + dt.timedelta(days=12), SessionStatus.PLANNED),
        )
    )
    session.add_all([held, coming])
    session.flush()
    for member in world.places:
        session.add(
            Attendance(
                session_id=held.id,
                place_id=member.id,
                status=AttendanceStatus.PRESENT,
                hours=2.5,
            )
        )
    application = session.get(Application, place.application_id)
    application.status = ApplicationStatus.PLACED
    session.commit()
    slot = next_slot_start(now)

    def book(person, at: dt.datetime) -> Booking:  # type: ignore[no-untyped-def]
        return coaching_services.book(
            session,
            participant=person,
            coach_id=world.coach.id,
            starts_at=slot,
            minutes=60,
            support_type="coaching",
            topic="Taking on our first apprentice",
            now=at,
        )

    booking = book(priya, now)
    session.commit()
    assert {p.id for p in session_members(coming)} == {p.id for p in world.places}
    before = everything(session, world.round, now)
    admin = make_user(Role.ADMIN)

    report = erase_person(session, priya, actor=admin, reason="Asked by phone", now=utcnow())
    session.commit()
    session.expire_all()

    assert report.changed["places"] == 1
    assert report.changed["bookings cancelled"] == 1
    # Every figure as at the moment before the erasure is what it was.
    assert everything(session, world.round, now) == before
    assert before[0].participants == 2
    # Her place has ended, with its audit event; she is off the register of sessions to
    # come, and still on the one she attended.
    assert place.status == PlaceStatus.LEFT
    assert place.ended_at is not None
    assert (
        session.scalar(
            select(func.count()).where(
                AuditEvent.action == "cohort_place.left", AuditEvent.entity_id == str(place.id)
            )
        )
        == 1
    )
    assert [p.id for p in session_members(coming)] == [world.places[1].id]
    assert place.id in {p.id for p in session_members(held)}
    # Her application is withdrawn, with its history row.
    assert application.status == ApplicationStatus.WITHDRAWN
    assert session.scalar(
        select(func.count()).where(
            StatusChange.application_id == application.id,
            StatusChange.status == ApplicationStatus.WITHDRAWN,
        )
    )
    # Her booking is cancelled: the coach is told, she is not, and the time is free again.
    assert session.get(Booking, booking.id).status == BookingStatus.CANCELLED
    assert outbox.last(world.coach.email).subject.startswith("Booking cancelled")
    # Her only email is the booking's invitation, sent before and erased with the rest.
    assert [m.subject for m in outbox.messages(priya.email)] == [ERASED]
    assert book(other, utcnow()).status == BookingStatus.BOOKED
