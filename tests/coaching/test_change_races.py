"""One booking changed by two people at the same moment, on PostgreSQL: the participant and
the coach cancelling together, a move racing a cancellation, the coach recording what
happened from two tabs. Exactly one change counts, with one audit event and one set of
emails, and each person is told what is stored (portal.state_changes)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.coaching import services
from portal.coaching.models import Booking, BookingStatus, CancelledBy
from portal.db_base import utcnow
from tests.fixtures.app import reload
from tests.fixtures.factories import next_slot_start
from tests.fixtures.races import postgres_only, race
from tests.fixtures.users import sign_in

pytestmark = postgres_only

ALREADY_CANCELLED = "This booking has already been cancelled."


def booked(app, session, world, *, starts_at: dt.datetime | None = None) -> Booking:  # type: ignore[no-untyped-def]
    with app.app_context():
        made = services.book(
            session,
            participant=world.people[0],
            coach_id=world.coach.id,
            starts_at=starts_at or next_slot_start(utcnow()),
            minutes=60,
            support_type="coaching",
            topic="Taking on our first apprentice",
            now=utcnow(),
            notify=False,
        )
        session.commit()
    return made


def poster(app, person, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """``person`` with the form at ``path`` open, ready to send ``data``; then reads the
    page they are sent to."""
    client = app.test_client()
    sign_in(client, person)
    token = client.csrf_token_from(path)

    def post() -> tuple[int, str]:
        response = client.post(path, data={"csrf_token": token, **data})
        if response.status_code != 302:
            return response.status_code, response.get_data(as_text=True)
        return response.status_code, client.get(response.headers["Location"]).text

    return post


def events(session, booking: Booking, *actions: str) -> int:
    session.rollback()
    count = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action.in_(actions), AuditEvent.entity_id == str(booking.id))
    )
    session.commit()
    return int(count or 0)


def test_the_participant_and_the_coach_cancelling_at_once_cancel_once(
    app, session, coaching, outbox
):
    world = coaching(people=1)
    made = booked(app, session, world)
    participant, coach = world.people[0], world.coach

    (_, participant_page), (_, coach_page) = race(
        app,
        [
            poster(app, participant, f"/one-to-one/bookings/{made.id}/cancel", {"reason": ""}),
            poster(app, coach, f"/coaching/bookings/{made.id}/cancel", {"reason": "I am unwell"}),
        ],
    )

    stored = reload(session, Booking, made.id)
    assert stored.status == BookingStatus.CANCELLED
    if stored.cancelled_by == CancelledBy.PARTICIPANT:
        assert "Your booking is cancelled" in participant_page
        assert ALREADY_CANCELLED in coach_page
    else:
        assert "The booking is cancelled" in coach_page
        assert ALREADY_CANCELLED in participant_page
    assert stored.calendar_sequence == 1
    assert events(session, made, "coaching.cancelled", "coaching.cancelled_by_coach") == 1
    for email in (participant.email, coach.email):
        sent = [m for m in outbox.messages(email) if "ancelled" in m.subject]
        assert len(sent) == 1, email


def test_a_move_racing_a_cancellation_leaves_what_the_person_was_told(
    app, session, coaching, outbox
):
    world = coaching(people=1)
    starts_at = next_slot_start(utcnow())
    made = booked(app, session, world, starts_at=starts_at)
    person = world.people[0]
    later = starts_at + dt.timedelta(hours=2)
    confirm = f"/one-to-one/bookings/{made.id}/reschedule/confirm?starts_at={later.isoformat()}"

    (_, move_page), (_, cancel_page) = race(
        app,
        [
            poster(app, person, confirm.replace("+", "%2B"), {}),
            poster(app, person, f"/one-to-one/bookings/{made.id}/cancel", {"reason": ""}),
        ],
    )

    stored = reload(session, Booking, made.id)
    if stored.status == BookingStatus.CANCELLED:
        assert "Your booking is cancelled" in cancel_page
        assert ALREADY_CANCELLED in move_page
        assert stored.starts_at == starts_at
        assert events(session, made, "coaching.rescheduled") == 0
    else:
        assert "Your booking has moved" in move_page
        assert "This booking has just been changed." in cancel_page
        assert stored.starts_at == later
        assert events(session, made, "coaching.cancelled") == 0
    assert stored.calendar_sequence == 1
    assert events(session, made, "coaching.rescheduled", "coaching.cancelled") == 1


def test_recording_what_happened_from_two_tabs_at_once_records_it_once(
    app, session, coaching, outbox
):
    world = coaching(people=1)
    made = booked(app, session, world)
    with app.app_context():  # the session has happened
        session.get(Booking, made.id).starts_at -= dt.timedelta(days=4)
        found = session.get(Booking, made.id)
        found.ends_at -= dt.timedelta(days=4)
        found.blocked_from, found.blocked_until = found.starts_at, found.ends_at
        session.commit()
    path = f"/coaching/bookings/{made.id}/outcome"

    results = race(
        app,
        [
            poster(app, world.coach, path, {"outcome": "delivered", "minutes": "60", "note": ""}),
            poster(app, world.coach, path, {"outcome": "no_show", "note": ""}),
        ],
    )

    stored = reload(session, Booking, made.id)
    told = [page for _, page in results]
    if stored.status == BookingStatus.DELIVERED:
        assert "The session has been recorded as delivered." in told[0]
        assert "This session has already been recorded as delivered." in told[1]
    else:
        assert stored.status == BookingStatus.NO_SHOW
        assert "The session has been recorded as not attended." in told[1]
        assert "This session has already been recorded as not attended." in told[0]
    assert events(session, made, "coaching.delivered", "coaching.no_show") == 1
