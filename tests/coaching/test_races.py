"""Bookings racing for the same time, on both databases: exactly one wins and the others
see "That time has just been taken" with other times; the database refuses overlapping
bookings (buffers included) however they are written."""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import queue
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.auth.models import Role
from portal.coaching.models import (
    COACH_OVERLAP,
    PARTICIPANT_OVERLAP,
    Booking,
    BookingStatus,
    LocationType,
)
from portal.coaching.services import overlap_constraint
from portal.db_base import utcnow
from portal.rounds.models import CoachPool
from tests.coaching.conftest import holding
from tests.coaching.racers import book_in_a_process
from tests.coaching.test_pages import book_url
from tests.fixtures.factories import next_slot_start, set_up_coach
from tests.fixtures.users import sign_in

TAKEN = "That time has just been taken"
FORM = {"support_type": "coaching", "topic": "Winning public sector contracts"}


def race(app, people, paths):  # type: ignore[no-untyped-def]
    """Each person posts the booking form at ``paths[i]`` at the same moment, each in a
    thread with their own client. Returns (status, page) per person."""
    prepared = []
    for person, path in zip(people, paths, strict=True):
        client = app.test_client()
        sign_in(client, person)
        prepared.append((client, path, client.csrf_token_from(path)))
    barrier = threading.Barrier(len(prepared))
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def post(client, path, token):  # type: ignore[no-untyped-def]
        barrier.wait(timeout=30)
        response = client.post(path, data={"csrf_token": token, **FORM})
        with lock:
            results.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=post, args=item) for item in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == len(prepared), "every racer got an answer"
    return results


def test_many_participants_racing_for_one_time_one_wins(app, session, coaching):
    world = coaching(people=8)
    path = book_url(world, next_slot_start(utcnow()))
    results = race(app, world.people, [path] * len(world.people))

    codes = sorted(code for code, _ in results)
    assert codes == [302] + [409] * 7
    for code, page in results:
        if code == 409:
            assert TAKEN in page
            assert "Other times with Colin Coach" in page
    assert len(holding(session, world.coach.id)) == 1


def test_racing_for_overlapping_times_of_different_lengths_one_wins(app, session, coaching):
    world = coaching(people=6, lengths=(60, 90))
    start = next_slot_start(utcnow())
    # 10:00 for 90 minutes, 10:30, 11:00 and 11:30 for 60 (the buffer reaches 11:45), and
    # 9:00 for 60 (its buffer reaches 10:15): each overlaps the 10:00 one.
    paths = [
        book_url(world, start, 90),
        book_url(world, start + dt.timedelta(minutes=30)),
        book_url(world, start + dt.timedelta(minutes=60)),
        book_url(world, start + dt.timedelta(minutes=90)),
        book_url(world, start - dt.timedelta(minutes=60)),
        book_url(world, start, 90),
    ]
    race(app, world.people, paths)
    held = sorted(holding(session, world.coach.id), key=lambda b: b.blocked_from)
    assert held, "someone won"
    for earlier, later in itertools.pairwise(held):
        assert earlier.blocked_until <= later.blocked_from


def test_one_person_racing_themselves_with_two_coaches_gets_one_booking(
    app, session, coaching, make_user
):
    world = coaching(people=1, coach_pool=CoachPool.ALL)
    other = make_user(Role.COACH, name="Chloe Coach", contractors=[world.contractor])
    set_up_coach(session, other)
    session.commit()
    start = next_slot_start(utcnow())
    second = book_url(world, start + dt.timedelta(minutes=30)).replace(
        f"/coaches/{world.coach.id}/", f"/coaches/{other.id}/"
    )
    person = world.people[0]
    results = race(app, [person, person], [book_url(world, start), second])
    assert sorted(code for code, _ in results) == [302, 400]
    session.rollback()
    assert len(session.scalars(select(Booking)).all()) == 1
    session.commit()


def test_separate_processes_racing_against_postgresql_one_wins(
    app, session, coaching, database_url, tmp_path
):
    if not database_url.startswith("postgresql"):
        pytest.skip("processes race against PostgreSQL; SQLite's writers queue in one file")
    world = coaching(people=3)
    path = book_url(world, next_slot_start(utcnow()))
    # A fork server imports the portal once and forks each racer from it: quicker than
    # starting each from scratch, and safe where forking this (threaded) process is not.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.coaching.racers"])
    barrier = context.Barrier(len(world.people))
    results = context.Queue()
    processes = [
        context.Process(
            target=book_in_a_process,
            args=(
                database_url,
                str(tmp_path / f"instance-{number}"),
                person.id,
                person.session_version,
                path,
                FORM,
                barrier,
                results,
            ),
        )
        for number, person in enumerate(world.people)
    ]
    for process in processes:
        process.start()
    answers = []
    try:
        for _ in processes:
            answers.append(results.get(timeout=120))
    except queue.Empty:
        pytest.fail(f"only {len(answers)} of {len(processes)} processes answered")
    finally:
        for process in processes:
            process.join(timeout=30)
    assert sorted(code for _, code, _ in answers) == [302, 409, 409]
    assert all(TAKEN in page for _, code, page in answers if code == 409)
    assert len(holding(session, world.coach.id)) == 1


# The database's own rules, whatever the code above it does


def insert(session, world, *, person, start, minutes=60, buffer=15, coach=None, status=None):  # type: ignore[no-untyped-def]
    place = world.places[person]
    booking = Booking(
        round_id=world.round.id,
        place_id=place.id,
        participant_id=place.person_id,
        coach_id=(coach or world.coach).id,
        support_type="coaching",
        topic="Direct",
        location_type=LocationType.VIDEO,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        buffer_minutes=buffer,
        blocked_from=start,
        blocked_until=start + dt.timedelta(minutes=minutes + buffer),
        status=status or BookingStatus.BOOKED,
    )
    session.add(booking)
    session.flush()
    return booking


BASE = dt.datetime(2027, 2, 1, 10, 0, tzinfo=dt.UTC)


# (start relative to an existing 10:00-11:00 booking with a 15-minute buffer, minutes,
# buffer, whether the database refuses it)
COACH_CASES = [
    (60, 60, 15, True),  # starts in the first booking's buffer
    (75, 60, 0, False),  # starts as the buffer ends
    (-60, 60, 0, False),  # ends exactly as the first starts
    (-60, 60, 5, True),  # its own buffer runs into the first
    (-90, 90, 15, True),  # 90 minutes plus buffer overlaps
    (30, 30, 0, True),  # inside it
    (-30, 120, 0, True),  # around it
]


def test_the_database_refuses_a_coach_overlap_buffers_included(session, coaching):
    world = coaching(people=2)
    first = insert(session, world, person=0, start=BASE, minutes=60, buffer=15)
    session.commit()
    for offset, minutes, buffer, refused in COACH_CASES:
        start = BASE + dt.timedelta(minutes=offset)
        if refused:
            with pytest.raises(IntegrityError) as caught:
                insert(session, world, person=1, start=start, minutes=minutes, buffer=buffer)
            assert overlap_constraint(caught.value) == COACH_OVERLAP, (offset, minutes, buffer)
            session.rollback()
        else:
            second = insert(session, world, person=1, start=start, minutes=minutes, buffer=buffer)
            session.delete(second)
            session.commit()
    assert session.scalars(select(Booking)).all() == [first]
    session.commit()


def test_the_database_refuses_a_participant_overlap_and_ignores_cancellations(
    session, coaching, make_user
):
    world = coaching(people=1)
    other = make_user(Role.COACH, contractors=[world.contractor])
    first = insert(session, world, person=0, start=BASE)
    session.commit()
    with pytest.raises(IntegrityError) as caught:
        insert(session, world, person=0, start=BASE + dt.timedelta(minutes=30), coach=other)
    assert overlap_constraint(caught.value) == PARTICIPANT_OVERLAP
    session.rollback()

    first.status = BookingStatus.CANCELLED
    session.commit()
    insert(session, world, person=0, start=BASE + dt.timedelta(minutes=30), coach=other)
    insert(session, world, person=0, start=BASE + dt.timedelta(hours=3), status=None)
    session.commit()
    # Moving a booking (an update) into another's time is refused too, and so is making a
    # cancelled booking hold its time again when something else now does.
    later = session.scalars(
        select(Booking).where(Booking.starts_at > BASE + dt.timedelta(hours=2))
    ).one()
    later.starts_at = BASE + dt.timedelta(minutes=45)
    later.blocked_from = later.starts_at
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    first = session.get(Booking, first.id)
    first.status = BookingStatus.BOOKED
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
