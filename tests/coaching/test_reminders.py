"""The 24-hour reminders: exactly one per booking and kind, reset when the booking moves,
correct across both changes of the clocks, and never twice when runners race."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import icalendar
import pytest

from portal import jobs
from portal.auth.models import EmailCategory, EmailPreference
from portal.coaching import services
from portal.coaching.reminders import send_due_reminders
from portal.db import database

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _app_context(app) -> Iterator[None]:
    with app.app_context():
        yield


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def book(session, world, starts_at, now, person=0):  # type: ignore[no-untyped-def]
    made = services.book(
        session,
        participant=world.people[person],
        coach_id=world.coach.id,
        starts_at=starts_at,
        minutes=60,
        support_type="coaching",
        topic="Succession planning",
        now=now,
    )
    session.commit()
    return made


def reminders(outbox, *people):  # type: ignore[no-untyped-def]
    return [
        m
        for person in people
        for m in outbox.messages(person.email)
        if m.subject.startswith("Reminder")
    ]


def run(session, now):  # type: ignore[no-untyped-def]
    summary = send_due_reminders(session, now)
    session.commit()
    return summary


def test_the_job_is_registered(app):
    assert "coaching-reminders" in {job.name for job in jobs.registered_jobs(app)}


def test_one_reminder_to_each_side_24_real_hours_before_across_the_spring_change(
    session, coaching, outbox
):
    world = coaching()
    # Monday 29 March 2027, 10am BST (09:00 UTC): the clocks went forward the day before.
    starts_at = utc(2027, 3, 29, 9, 0)
    made = book(session, world, starts_at, now=utc(2027, 3, 24, 12))
    person, coach = world.people[0], world.coach

    assert run(session, utc(2027, 3, 28, 8, 59)) == "0 booking reminders queued"
    assert run(session, utc(2027, 3, 28, 9, 0)) == "2 booking reminders queued"
    assert run(session, utc(2027, 3, 28, 9, 5)) == "0 booking reminders queued"
    assert run(session, utc(2027, 3, 29, 8, 0)) == "0 booking reminders queued"
    [to_person] = reminders(outbox, person)
    [to_coach] = reminders(outbox, coach)
    assert "Monday 29 March 2027, 10am" in to_person.subject
    assert to_person.category == EmailCategory.REMINDERS
    [event] = icalendar.Calendar.from_ical(to_person.attachments[0].content).walk("VEVENT")
    assert event["DTSTART"].dt == starts_at
    assert int(event["SEQUENCE"]) == made.calendar_sequence
    assert to_coach.subject.startswith(f"Reminder: {person.name}")


def test_a_booking_in_the_hour_that_happens_twice_is_reminded_once(session, coaching, outbox):
    world = coaching(hours=("00:30", "02:30"), buffer_minutes=0, days=(6,))
    # Sunday 31 October 2027: 1am GMT, the second 1am (01:00 UTC).
    starts_at = utc(2027, 10, 31, 1, 0)
    book(session, world, starts_at, now=utc(2027, 10, 25, 12))
    assert run(session, utc(2027, 10, 30, 0, 59)) == "0 booking reminders queued"
    assert run(session, utc(2027, 10, 30, 1, 0)) == "2 booking reminders queued"
    assert run(session, utc(2027, 10, 31, 0, 30)) == "0 booking reminders queued"
    [message] = reminders(outbox, world.people[0])
    assert "Sunday 31 October 2027, 1am" in message.subject


def test_a_booking_across_the_missing_hour_is_reminded_once(session, coaching, outbox):
    world = coaching(hours=("00:30", "03:00"), buffer_minutes=0, days=(6,))
    # Sunday 28 March 2027, 00:30 GMT to 02:30 BST: one real hour.
    starts_at = utc(2027, 3, 28, 0, 30)
    made = book(session, world, starts_at, now=utc(2027, 3, 20, 12))
    assert made.ends_at - made.starts_at == dt.timedelta(hours=1)
    assert run(session, utc(2027, 3, 27, 0, 29)) == "0 booking reminders queued"
    assert run(session, utc(2027, 3, 27, 0, 30)) == "2 booking reminders queued"
    assert run(session, utc(2027, 3, 27, 23, 0)) == "0 booking reminders queued"


def test_moving_a_booking_resets_its_reminders(session, coaching, outbox):
    world = coaching(cancellation_cutoff_hours=2)
    first = utc(2027, 2, 3, 10)
    made = book(session, world, first, now=utc(2027, 1, 25, 12))
    assert run(session, utc(2027, 2, 2, 10)) == "2 booking reminders queued"

    later = utc(2027, 2, 5, 14)
    services.reschedule(
        session, made, participant=world.people[0], starts_at=later, now=utc(2027, 2, 2, 11)
    )
    session.commit()
    assert run(session, utc(2027, 2, 2, 12)) == "0 booking reminders queued"
    assert run(session, utc(2027, 2, 4, 14)) == "2 booking reminders queued"
    assert len(reminders(outbox, world.people[0])) == 2


def test_a_booking_made_less_than_a_day_ahead_gets_no_reminder(session, coaching, outbox):
    world = coaching(cancellation_cutoff_hours=2, min_notice_hours=2)
    book(session, world, utc(2027, 2, 3, 10), now=utc(2027, 2, 2, 16))  # 18 hours ahead

    assert run(session, utc(2027, 2, 2, 16, 1)) == "0 booking reminders queued"
    assert run(session, utc(2027, 2, 3, 9)) == "0 booking reminders queued"
    assert reminders(outbox, world.people[0]) == []


def test_cancelled_bookings_get_no_reminder_and_people_can_turn_them_off(session, coaching, outbox):
    world = coaching(people=2)
    cancelled = book(session, world, utc(2027, 2, 3, 10), now=utc(2027, 1, 25, 12))
    book(session, world, utc(2027, 2, 3, 14), now=utc(2027, 1, 25, 12), person=1)
    services.cancel_by_participant(
        session, cancelled, participant=world.people[0], reason="", now=utc(2027, 1, 26)
    )
    session.add(
        EmailPreference(user_id=world.people[1].id, category=EmailCategory.REMINDERS, wanted=False)
    )
    session.commit()
    run(session, utc(2027, 2, 2, 15))
    assert reminders(outbox, world.people[0], world.people[1]) == []
    assert len(reminders(outbox, world.coach)) == 1  # the coach still wants theirs


def test_runners_racing_send_each_reminder_once(app, session, coaching, outbox):
    world = coaching()
    book(session, world, utc(2027, 2, 3, 10), now=utc(2027, 1, 25, 12))
    runners = [database(app).session(writing=True) for _ in range(3)]
    barrier = threading.Barrier(len(runners))

    def runner(own_session):  # type: ignore[no-untyped-def]
        with app.app_context():
            barrier.wait(timeout=30)
            send_due_reminders(own_session, utc(2027, 2, 2, 10, 30))
            own_session.commit()

    threads = [threading.Thread(target=runner, args=(s,)) for s in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for own_session in runners:
        own_session.close()
    assert len(reminders(outbox, world.people[0], world.coach)) == 2
