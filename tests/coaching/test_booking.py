"""Booking rules, on both databases: who may book whom, the entitlement, moving and
cancelling (with their calendar files), what the coach records, and bad input refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import icalendar
import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from portal.auth.models import Role
from portal.coaching import outside, scope, services, waiting
from portal.coaching.models import Booking, BookingStatus, CancelledBy, SupportChannel
from portal.cohorts.models import CohortSession, SessionStatus
from portal.rounds.models import CoachPool
from tests.fixtures.factories import cohort_of, set_up_coach

UTC = dt.UTC
# A Thursday in winter; the coach's default hours are 8am to 8pm every day, 24 hours' notice.
NOW = dt.datetime(2027, 1, 7, 9, 0, tzinfo=UTC)
MONDAY_10AM = dt.datetime(2027, 1, 11, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _app_context(app) -> Iterator[None]:
    with app.app_context():
        yield


def book(session, world, *, person=0, starts_at=MONDAY_10AM, minutes=60, now=NOW, **kwargs):  # type: ignore[no-untyped-def]
    made = services.book(
        session,
        participant=world.people[person],
        coach_id=kwargs.pop("coach_id", world.coach.id),
        starts_at=starts_at,
        minutes=minutes,
        support_type=kwargs.pop("support_type", "coaching"),
        topic=kwargs.pop("topic", "Taking on our first apprentice"),
        now=now,
    )
    session.commit()
    return made


def calendar_of(message) -> icalendar.Calendar:  # type: ignore[no-untyped-def]
    [attachment] = [a for a in message.attachments if a.content_type == "text/calendar"]
    assert attachment.filename.endswith(".ics")
    return icalendar.Calendar.from_ical(attachment.content)


def event_of(message) -> icalendar.Event:  # type: ignore[no-untyped-def]
    [event] = calendar_of(message).walk("VEVENT")
    return event


# Booking, with the calendar invitation to both sides


def test_a_participant_books_a_free_time_and_both_sides_get_an_invitation(
    session, coaching, outbox
):
    world = coaching()
    made = book(session, world)

    assert made.status == BookingStatus.BOOKED
    assert (made.starts_at, made.ends_at) == (MONDAY_10AM, MONDAY_10AM + dt.timedelta(hours=1))
    assert made.blocked_until == made.ends_at + dt.timedelta(minutes=15)
    assert made.contractor_id == world.contractor.id
    for person in (world.people[0], world.coach):
        message = outbox.last(person.email)
        calendar = calendar_of(message)
        assert str(calendar["METHOD"]) == "REQUEST"
        [zone] = calendar.walk("VTIMEZONE")
        assert str(zone["TZID"]) == "Europe/London"
        event = event_of(message)
        assert str(event["UID"]) == f"coaching-booking-{made.id}@peernetworks.example.org.uk"
        assert int(event["SEQUENCE"]) == 0
        assert event["DTSTART"].dt == MONDAY_10AM
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        assert str(event["ORGANIZER"]) == f"mailto:{world.coach.email}"
        attendees = {str(a) for a in event.get("ATTENDEE")}
        assert attendees == {f"mailto:{world.people[0].email}", f"mailto:{world.coach.email}"}
    assert "Monday 11 January 2027, 10am" in outbox.last(world.people[0].email).subject
    assert "Taking on our first apprentice" in outbox.last(world.coach.email).body_text


def test_moving_keeps_the_uid_and_raises_the_sequence_and_cancelling_sends_a_cancel(
    session, coaching, outbox
):
    world = coaching()
    made = book(session, world)
    later = MONDAY_10AM + dt.timedelta(hours=3)

    services.reschedule(session, made, participant=world.people[0], starts_at=later, now=NOW)
    session.commit()
    moved = event_of(outbox.last(world.coach.email))
    assert str(moved["UID"]) == f"coaching-booking-{made.id}@peernetworks.example.org.uk"
    assert int(moved["SEQUENCE"]) == 1
    assert moved["DTSTART"].dt == later
    assert outbox.last(world.people[0].email).subject.startswith("Moved:")

    services.cancel_by_participant(session, made, participant=world.people[0], reason="", now=NOW)
    session.commit()
    for person in (world.people[0], world.coach):
        calendar = calendar_of(outbox.last(person.email))
        assert str(calendar["METHOD"]) == "CANCEL"
        [event] = calendar.walk("VEVENT")
        assert int(event["SEQUENCE"]) == 2
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == f"coaching-booking-{made.id}@peernetworks.example.org.uk"


def test_a_cancelled_time_can_be_booked_again(session, coaching):
    world = coaching()
    made = book(session, world)
    services.cancel_by_participant(session, made, participant=world.people[0], reason="", now=NOW)
    session.commit()
    again = book(session, world, person=1)
    assert again.starts_at == MONDAY_10AM


# Who may book whom


def test_only_the_cohort_contractors_coaches_are_offered_by_default(
    session, coaching, make_user, make_contractor
):
    world = coaching()
    elsewhere = make_user(
        Role.COACH, name="Chloe Coach", contractors=[make_contractor("Fylde Coast Enterprise")]
    )
    set_up_coach(session, elsewhere)
    session.commit()
    place = world.places[0]
    assert [c.id for c in scope.offered_coaches(session, place)] == [world.coach.id]
    with pytest.raises(NotFound):
        book(session, world, coach_id=elsewhere.id)

    world.round.coach_pool = CoachPool.ALL
    session.commit()
    assert {c.id for c in scope.offered_coaches(session, place)} == {
        world.coach.id,
        elsewhere.id,
    }
    made = book(session, world, coach_id=elsewhere.id)
    # Support from another contractor's coach counts for the coach's contractor.
    assert made.contractor_id == elsewhere.contractor_ids.__iter__().__next__()


def test_people_without_an_accepted_place_cannot_book(session, coaching, make_user):
    world = coaching()
    stranger = make_user(Role.PARTICIPANT)
    with pytest.raises(NotFound):
        services.book(
            session,
            participant=stranger,
            coach_id=world.coach.id,
            starts_at=MONDAY_10AM,
            minutes=60,
            support_type="coaching",
            topic="Hello",
            now=NOW,
        )


def test_a_coach_without_availability_set_up_is_not_offered(session, coaching, make_user):
    world = coaching()
    make_user(Role.COACH, contractors=[world.contractor])
    assert [c.id for c in scope.offered_coaches(session, world.places[0])] == [world.coach.id]


# The entitlement


def test_the_entitlement_is_enforced_when_booking(session, coaching):
    world = coaching(one_to_one_hours_per_participant=2, lengths=(60, 90))
    book(session, world, minutes=90)
    assert scope.balance(session, world.places[0]).remaining == 30
    with pytest.raises(
        services.BookingError, match="You have 30 minutes of one-to-one support left"
    ):
        book(session, world, starts_at=MONDAY_10AM + dt.timedelta(days=1), minutes=60)
    assert len(scope.bookings_of_participant(session, world.people[0])) == 1


@pytest.mark.parametrize("counts", [True, False])
def test_a_late_cancellation_and_a_no_show_count_as_the_round_says(session, coaching, counts):
    world = coaching(late_cancellation_counts=counts)
    person, place = world.people[0], world.places[0]
    late = book(session, world)
    missed = book(session, world, starts_at=MONDAY_10AM + dt.timedelta(days=1))

    just_before = MONDAY_10AM - dt.timedelta(hours=2)  # inside the 24-hour cut-off
    assert not services.can_reschedule(session, late, just_before)
    services.cancel_by_participant(session, late, participant=person, reason="Ill", now=just_before)
    services.record_outcome(
        session,
        missed,
        coach=world.coach,
        delivered=False,
        minutes=None,
        note="",
        now=missed.starts_at + dt.timedelta(minutes=20),
    )
    session.commit()
    assert late.late_cancellation
    balance = scope.balance(session, place)
    assert balance.lost == (120 if counts else 0)
    assert balance.remaining == (60 if counts else 180)


def test_an_early_cancellation_and_a_coach_cancellation_restore_the_hours(
    session, coaching, outbox
):
    world = coaching()
    early = book(session, world)
    by_coach = book(session, world, starts_at=MONDAY_10AM + dt.timedelta(days=1))
    services.cancel_by_participant(session, early, participant=world.people[0], reason="", now=NOW)
    services.cancel_by_coach(session, by_coach, coach=world.coach, reason="I am unwell", now=NOW)
    session.commit()
    assert not early.late_cancellation
    assert by_coach.cancelled_by == CancelledBy.COACH
    assert scope.balance(session, world.places[0]).remaining == 180
    assert "I am unwell" in outbox.last(world.people[0].email).body_text


def test_delivered_sessions_count_their_actual_minutes(session, coaching):
    world = coaching()
    made = book(session, world)
    with pytest.raises(services.BookingError, match="once the session has started"):
        services.record_outcome(
            session, made, coach=world.coach, delivered=True, minutes=60, note="", now=NOW
        )
    services.record_outcome(
        session,
        made,
        coach=world.coach,
        delivered=True,
        minutes=75,
        note="Went well",
        now=made.ends_at,
    )
    outside.record_outside_support(
        session,
        world.coach,
        place_id=world.places[0].id,
        support_type="advice",
        channel=SupportChannel.PHONE,
        happened_on=dt.date(2027, 1, 12),
        minutes=20,
        note="",
        today=dt.date(2027, 1, 12),
    )
    session.commit()
    balance = scope.balance(session, world.places[0])
    assert (balance.delivered, balance.outside, balance.remaining) == (75, 20, 85)


# Bad input: refused with a message and no change


def test_past_unoffered_misaligned_and_taken_times_are_refused(session, coaching):
    world = coaching()
    book(session, world)
    cases = [
        (NOW - dt.timedelta(hours=1), 60, "That time has passed"),
        (NOW + dt.timedelta(hours=2), 60, "not available at that time"),  # inside the notice
        (MONDAY_10AM.replace(hour=22), 60, "not available at that time"),  # outside the hours
        (MONDAY_10AM + dt.timedelta(minutes=7), 60, "not available at that time"),
        (MONDAY_10AM + dt.timedelta(weeks=9), 60, "not available at that time"),  # too far ahead
        (MONDAY_10AM, 90, "does not offer sessions of that length"),
    ]
    for starts_at, minutes, message in cases:
        with pytest.raises(services.BookingError, match=message):
            book(session, world, person=1, starts_at=starts_at, minutes=minutes)
    with pytest.raises(services.SlotTaken):
        book(session, world, person=1, starts_at=MONDAY_10AM + dt.timedelta(minutes=30))
    with pytest.raises(services.BookingError, match="kind of support"):
        book(session, world, person=1, starts_at=MONDAY_10AM.replace(hour=14), support_type="x")
    session.rollback()
    assert len(session.scalars(select(Booking)).all()) == 1


def test_a_participant_cannot_hold_two_bookings_that_overlap(session, coaching, make_user):
    world = coaching(coach_pool=CoachPool.ALL)
    other = make_user(Role.COACH, contractors=[world.contractor])
    set_up_coach(session, other)
    session.commit()
    book(session, world)
    with pytest.raises(services.BookingError, match="You already have"):
        book(session, world, coach_id=other.id, starts_at=MONDAY_10AM + dt.timedelta(minutes=30))


def test_someone_elses_booking_cannot_be_moved_cancelled_or_recorded(session, coaching, make_user):
    world = coaching()
    made = book(session, world)
    stranger = world.people[1]
    with pytest.raises(NotFound):
        scope.booking_for_participant(session, stranger, made.id)
    with pytest.raises(NotFound):
        services.cancel_by_participant(session, made, participant=stranger, reason="", now=NOW)
    with pytest.raises(NotFound):
        services.reschedule(session, made, participant=stranger, starts_at=MONDAY_10AM, now=NOW)
    other_coach = make_user(Role.COACH, contractors=[world.contractor])
    with pytest.raises(NotFound):
        scope.booking_for_coach(session, other_coach, made.id)
    with pytest.raises(NotFound):
        services.cancel_by_coach(session, made, coach=other_coach, reason="x", now=NOW)
    assert made.status == BookingStatus.BOOKED


def test_moving_is_refused_after_the_cut_off(session, coaching):
    world = coaching()
    made = book(session, world)
    with pytest.raises(services.BookingError, match="too late"):
        services.reschedule(
            session,
            made,
            participant=world.people[0],
            starts_at=MONDAY_10AM + dt.timedelta(days=1),
            now=MONDAY_10AM - dt.timedelta(hours=23),
        )


# What blocks a coach's time


def test_the_coachs_own_group_sessions_block_their_time(session, coaching):
    world = coaching()
    own_group = cohort_of(session, world.round, world.contractor, facilitator=world.coach)
    session.add(
        CohortSession(
            cohort_id=own_group.id,
            starts_at=MONDAY_10AM,
            ends_at=MONDAY_10AM + dt.timedelta(minutes=150),
            status=SessionStatus.PLANNED,
        )
    )
    session.commit()
    from portal.coaching import diary

    free = diary.free_times(
        session,
        world.coach.id,
        world.profile,
        now=NOW,
        first_day=dt.date(2027, 1, 11),
        last_day=dt.date(2027, 1, 11),
    )
    starts = [s.starts_at.hour * 60 + s.starts_at.minute for s in free]
    # Free until 08:45 (+60 +15 buffer reaches 10:00), then from 12:45 (12:30 plus the buffer).
    assert 8 * 60 + 30 in starts
    assert 9 * 60 not in starts
    assert 12 * 60 + 30 not in starts
    assert 13 * 60 in starts
    with pytest.raises(services.BookingError, match="not available"):
        book(session, world, starts_at=MONDAY_10AM + dt.timedelta(hours=1))


# Waiting for an earlier time


def test_a_freed_time_is_offered_to_those_waiting_first_come_first_served(
    session, coaching, outbox
):
    world = coaching(people=3)
    first, second, third = world.people
    made = book(session, world)
    for person in (second, third):
        waiting.start_waiting(session, person, world.coach.id, round_id=world.round.id, now=NOW)
    book(session, world, person=2, starts_at=MONDAY_10AM + dt.timedelta(days=3))
    session.commit()
    services.cancel_by_participant(session, made, participant=first, reason="", now=NOW)
    session.commit()

    offer = outbox.last(second.email)
    assert offer.subject.startswith(f"An earlier time with {world.coach.name} is free")
    assert "whoever books it first" in offer.body_text
    links = outbox.links(offer)
    assert any("/one-to-one/coaches/" in link and "starts_at=" in link for link in links)
    # The third person's booking was made after they joined: booking ended their wait.
    assert not [m for m in outbox.messages(third.email) if "earlier time" in m.subject]

    book(session, world, person=1)  # the second person takes it
    assert waiting.open_entry(session, second.id, world.coach.id) is None
