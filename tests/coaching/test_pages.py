"""The pages of one-to-one support, as people use them: every page checked the same way,
answers kept when a form is wrong, other people's records answered with 404."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote, urlencode

from sqlalchemy import select

from portal.auth.models import Role
from portal.coaching.models import (
    AvailabilityException,
    Booking,
    BookingStatus,
    CoachProfile,
    OutsideSupport,
    SupportChannel,
    WeeklyWindow,
)
from portal.cohorts.models import CohortSession, SessionStatus
from portal.db_base import utcnow
from tests.fixtures.app import PAGE_STATEMENTS, reload
from tests.fixtures.factories import cohort_of, delivered_booking, next_slot_start
from tests.fixtures.pages import check_page, error_messages
from tests.fixtures.users import sign_in


def book_url(world, starts_at: dt.datetime, minutes: int = 60) -> str:  # type: ignore[no-untyped-def]
    query = urlencode({"starts_at": starts_at.isoformat(), "minutes": minutes})
    return f"/one-to-one/coaches/{world.coach.id}/book?{query}"


def book_through_pages(client, world, starts_at, person=0):  # type: ignore[no-untyped-def]
    sign_in(client, world.people[person])
    return client.submit_form(
        book_url(world, starts_at),
        {"support_type": "coaching", "topic": "Hiring our first sales manager"},
    )


# The participant's journey


def test_a_participant_finds_a_coach_sees_times_and_books(client, session, coaching, outbox):
    world = coaching()
    sign_in(client, world.people[0])
    home = check_page(client.get("/one-to-one/"))
    assert "You can have 3 hours of one-to-one support" in home.get_text()

    listing = check_page(client.get("/one-to-one/coaches"))
    assert "Colin Coach" in listing.get_text()
    times = check_page(client.get(f"/one-to-one/coaches/{world.coach.id}"))
    links = [a["href"] for a in times.select("main a") if "/book?" in a["href"]]
    assert links, "free times are listed as links"
    [later] = [a["href"] for a in times.select("main a") if a.get_text() == "Later times"]
    later_page = check_page(client.get(later))
    assert later_page.select_one("input[name=from_date]")["value"]  # the date carried over

    starts_at = next_slot_start(utcnow())
    form = check_page(client.get(book_url(world, starts_at)))
    assert form.select_one("textarea[name=topic]") is not None
    response = client.submit_form(
        book_url(world, starts_at),
        {"support_type": "mentoring", "topic": "Hiring our first sales manager"},
    )
    assert response.status_code == 302
    made = session.scalars(select(Booking)).one()
    session.commit()
    assert response.headers["Location"].endswith(f"/one-to-one/bookings/{made.id}")
    page = check_page(client.get(f"/one-to-one/bookings/{made.id}"))
    assert "Hiring our first sales manager" in page.get_text()
    assert "Change the time" in page.get_text()
    assert outbox.last(world.coach.email).subject.startswith("New booking:")
    home = check_page(client.get("/one-to-one/"))
    assert "2 hours left to book" in " ".join(home.get_text().split())


def test_a_wrong_booking_form_keeps_the_answers(client, coaching):
    world = coaching()
    sign_in(client, world.people[0])
    starts_at = next_slot_start(utcnow())
    response = client.submit_form(book_url(world, starts_at), {"topic": "Exporting to Ireland"})
    page = check_page(response, status=400)
    assert error_messages(page) == ["Select the kind of support you want"]
    assert "Exporting to Ireland" in page.select_one("textarea[name=topic]").get_text()


def test_a_time_just_taken_shows_a_clear_page_with_other_times(client, session, coaching):
    world = coaching()
    starts_at = next_slot_start(utcnow())
    assert book_through_pages(client, world, starts_at).status_code == 302

    sign_in(client, world.people[1])
    for response in (
        client.get(book_url(world, starts_at)),
        client.submit_form(
            book_url(world, starts_at),
            {"support_type": "coaching", "topic": "Pricing"},
            from_page=book_url(world, starts_at + dt.timedelta(hours=3)),
        ),
    ):
        page = check_page(response, status=409)
        assert page.h1.get_text() == "That time has just been taken"
        assert [a for a in page.select("main a") if "/book?" in a["href"]], "other times offered"
    assert len(session.scalars(select(Booking)).all()) == 1


TAMPERED = [
    ({"starts_at": "not-a-time", "minutes": "60"}, "Choose a time from the list"),
    ({"starts_at": "2027-01-11T10:00:00", "minutes": "60"}, "Choose a time from the list"),
    ({"starts_at": "2020-01-06T10:00:00+00:00", "minutes": "60"}, "That time has passed"),
    ({"minutes": "60"}, "Choose a time from the list"),
]


def test_tampered_or_past_times_are_refused_clearly(client, session, coaching):
    world = coaching()
    sign_in(client, world.people[0])
    token = client.csrf_token_from("/one-to-one/coaches")
    for query, message in TAMPERED:
        path = f"/one-to-one/coaches/{world.coach.id}/book?{urlencode(query)}"
        page = check_page(client.get(path), status=400)
        assert message in page.h1.get_text()
        response = client.post(
            path, data={"csrf_token": token, "support_type": "coaching", "topic": "Pricing"}
        )
        check_page(response, status=400)
    assert session.scalars(select(Booking)).all() == []


def test_unoffered_times_and_lengths_are_refused(client, coaching):
    world = coaching()
    sign_in(client, world.people[0])
    late_night = next_slot_start(utcnow(), hour=23)
    page = check_page(client.get(book_url(world, late_night)), status=400)
    assert "not available at that time" in page.h1.get_text()
    page = check_page(client.get(book_url(world, next_slot_start(utcnow()), 90)), status=400)
    assert "does not offer sessions of that length" in page.h1.get_text()


def test_a_participant_moves_and_cancels_their_booking(client, session, coaching, outbox):
    world = coaching()
    starts_at = next_slot_start(utcnow())
    book_through_pages(client, world, starts_at)
    made = session.scalars(select(Booking)).one()
    session.commit()

    times = check_page(client.get(f"/one-to-one/bookings/{made.id}/reschedule"))
    later = starts_at + dt.timedelta(hours=2)
    confirm = f"/one-to-one/bookings/{made.id}/reschedule/confirm?" + urlencode(
        {"starts_at": later.isoformat()}
    )
    assert any(unquote(a["href"]) == unquote(confirm) for a in times.select("main a"))
    check_page(client.get(confirm))
    assert client.submit_form(confirm, {}).status_code == 302
    assert reload(session, Booking, made.id).starts_at == later
    assert outbox.last(world.people[0].email).subject.startswith("Moved:")

    check_page(client.get(f"/one-to-one/bookings/{made.id}/cancel"))
    response = client.submit_form(f"/one-to-one/bookings/{made.id}/cancel", {"reason": "Away"})
    assert response.status_code == 302
    cancelled = reload(session, Booking, made.id)
    assert cancelled.status == BookingStatus.CANCELLED
    assert not cancelled.late_cancellation
    assert outbox.last(world.coach.email).subject.startswith("Booking cancelled:")
    page = check_page(client.get(f"/one-to-one/bookings/{made.id}"))
    assert "Change the time" not in page.get_text()


def test_waiting_for_an_earlier_time(client, session, coaching):
    world = coaching()
    sign_in(client, world.people[0])
    path = f"/one-to-one/coaches/{world.coach.id}"
    response = client.submit_form(f"{path}/wait", {}, from_page=path)
    assert response.status_code == 302
    page = check_page(client.get(path))
    assert "Stop telling me about earlier times" in page.get_text()
    assert client.submit_form(f"{path}/stop-waiting", {}, from_page=path).status_code == 302
    assert "Tell me if an earlier time opens" in check_page(client.get(path)).get_text()


def test_participants_see_only_their_own_bookings_and_offered_coaches(
    client, session, coaching, make_user, make_contractor
):
    world = coaching()
    book_through_pages(client, world, next_slot_start(utcnow()))
    made = session.scalars(select(Booking)).one()
    other_coach = make_user(Role.COACH, contractors=[make_contractor("Fylde Coast Enterprise")])
    session.add(CoachProfile(coach_id=other_coach.id))
    session.commit()

    sign_in(client, world.people[1])
    for path in [
        f"/one-to-one/bookings/{made.id}",
        f"/one-to-one/bookings/{made.id}/cancel",
        f"/one-to-one/bookings/{made.id}/reschedule",
        f"/one-to-one/bookings/{made.id}/reschedule/confirm",
        f"/one-to-one/coaches/{other_coach.id}",
        f"/one-to-one/coaches/{other_coach.id}/book",
    ]:
        assert client.get(path).status_code == 404, path
    token = client.csrf_token_from("/one-to-one/coaches")
    response = client.post(f"/one-to-one/bookings/{made.id}/cancel", data={"csrf_token": token})
    assert response.status_code == 404
    assert reload(session, Booking, made.id).status == BookingStatus.BOOKED


def test_a_participant_without_a_place_is_told_how_to_get_one(client, make_user):
    sign_in(client, make_user(Role.PARTICIPANT))
    page = check_page(client.get("/one-to-one/"))
    assert "You can book once you have accepted a place" in page.get_text()
    assert client.get("/one-to-one/coaches").status_code == 302


def test_a_post_without_a_token_changes_nothing(client, session, coaching):
    world = coaching()
    sign_in(client, world.people[0])
    response = client.post(
        book_url(world, next_slot_start(utcnow())),
        data={"support_type": "coaching", "topic": "Pricing"},
    )
    assert response.status_code == 400
    assert session.scalars(select(Booking)).all() == []


# The coach's pages


def test_a_coach_sets_their_availability(client, session, coaching, make_user):
    world = coaching()
    coach = make_user(Role.COACH, contractors=[world.contractor], name="Nadia New")
    sign_in(client, coach)
    page = check_page(client.get("/coaching/"))
    assert "Participants cannot book you until you set the hours" in page.get_text()
    check_page(client.get("/coaching/availability"))

    response = client.submit_form(
        "/coaching/availability/settings",
        {
            "session_lengths": ["60", "90"],
            "support_types": ["coaching", "advice"],
            "buffer_minutes": "10",
            "min_notice_hours": "48",
            "horizon_weeks": "6",
            "location_type": "in_person",
            "address": "",
            "about": "",
        },
    )
    page = check_page(response, status=400)
    assert error_messages(page) == ["Enter the address where you meet people"]
    assert page.select_one("input[name=min_notice_hours]")["value"] == "48"
    response = client.submit_form(
        "/coaching/availability/settings",
        {
            "session_lengths": ["60", "90"],
            "support_types": ["coaching", "advice"],
            "buffer_minutes": "10",
            "min_notice_hours": "48",
            "horizon_weeks": "6",
            "location_type": "in_person",
            "address": "Preston Business Centre, PR2 8DY",
        },
    )
    assert response.status_code == 302
    profile = session.scalars(select(CoachProfile).where(CoachProfile.coach_id == coach.id)).one()
    session.commit()
    assert profile.session_lengths == [60, 90]
    assert profile.location_detail == "Preston Business Centre, PR2 8DY"

    response = client.submit_form(
        "/coaching/availability/weekly/add",
        {"weekday": "1", "start_time": "9am", "end_time": "12:30pm"},
    )
    assert response.status_code == 302
    response = client.submit_form(
        "/coaching/availability/weekly/add",
        {"weekday": "1", "start_time": "12pm", "end_time": "2pm"},
    )
    page = check_page(response, status=400)
    assert error_messages(page) == ["These hours overlap your hours on Tuesdays, 9am to 12:30pm"]
    response = client.submit_form(
        "/coaching/availability/days/add",
        {"on": ["24", "12", str(utcnow().year + 1)], "kind": "time_off"},
    )
    assert response.status_code == 302
    page = check_page(client.get("/coaching/availability"))
    assert "9am to 12:30pm" in page.get_text()
    assert "Not available, all day" in page.get_text()

    window = session.scalars(select(WeeklyWindow).where(WeeklyWindow.coach_id == coach.id)).one()
    change = session.scalars(select(AvailabilityException)).one()
    session.commit()
    client.submit_form(
        f"/coaching/availability/weekly/{window.id}/remove", {}, from_page="/coaching/availability"
    )
    client.submit_form(
        f"/coaching/availability/days/{change.id}/remove", {}, from_page="/coaching/availability"
    )
    session.rollback()
    assert (
        session.scalars(select(WeeklyWindow).where(WeeklyWindow.coach_id == coach.id)).all() == []
    )
    assert session.scalars(select(AvailabilityException)).all() == []


def test_a_coach_records_delivery_and_cancels(client, session, coaching, outbox):
    world = coaching(people=2)
    book_through_pages(client, world, next_slot_start(utcnow()))
    upcoming = session.scalars(select(Booking)).one()
    # A session that has already happened, booked directly.
    started = utcnow().replace(microsecond=0) - dt.timedelta(hours=2)
    past = Booking(
        round_id=world.round.id,
        place_id=world.places[1].id,
        participant_id=world.people[1].id,
        coach_id=world.coach.id,
        contractor_id=world.contractor.id,
        support_type="coaching",
        topic="Cash flow",
        location_type=world.profile.location_type,
        starts_at=started,
        ends_at=started + dt.timedelta(hours=1),
        blocked_from=started,
        blocked_until=started + dt.timedelta(hours=1),
    )
    session.add(past)
    session.commit()

    sign_in(client, world.coach)
    diary = check_page(client.get("/coaching/"))
    assert "To record" in diary.get_text()
    detail = check_page(client.get(f"/coaching/bookings/{past.id}"))
    email = world.people[1].email
    assert detail.select_one(f"main a[href='mailto:{email}']").get_text() == email
    path = f"/coaching/bookings/{past.id}/outcome"
    page = check_page(client.submit_form(path, {"outcome": "delivered", "minutes": ""}), status=400)
    assert error_messages(page) == ["Enter how many minutes the session lasted"]
    response = client.submit_form(path, {"outcome": "delivered", "minutes": "50", "note": "Good"})
    assert response.status_code == 302
    recorded = reload(session, Booking, past.id)
    assert (recorded.status, recorded.delivered_minutes) == (BookingStatus.DELIVERED, 50)

    # Not yet started: the page explains, and saving is refused.
    page = check_page(client.get(f"/coaching/bookings/{upcoming.id}/outcome"))
    assert "once the session has started" in page.get_text()
    response = client.submit_form(
        f"/coaching/bookings/{upcoming.id}/outcome", {"outcome": "no_show"}
    )
    check_page(response, status=400)

    path = f"/coaching/bookings/{upcoming.id}/cancel"
    page = check_page(client.submit_form(path, {"reason": ""}), status=400)
    assert error_messages(page) == ["Enter why you are cancelling"]
    assert client.submit_form(path, {"reason": "I am unwell"}).status_code == 302
    assert reload(session, Booking, upcoming.id).status == BookingStatus.CANCELLED
    assert "I am unwell" in outbox.last(world.people[0].email).body_text


def test_a_coach_records_support_outside_the_booking_system(client, session, coaching):
    world = coaching()
    sign_in(client, world.coach)
    path = "/coaching/support/record"
    page = check_page(client.get(path))
    assert "Priya Participant 1" in page.get_text()
    today = utcnow().date()
    response = client.submit_form(
        path,
        {
            "place_id": str(world.places[0].id),
            "happened_on": [str(today.day), str(today.month), str(today.year)],
            "minutes": "25",
            "channel": "phone",
            "support_type": "advice",
        },
    )
    assert response.status_code == 302
    recorded = session.scalars(select(OutsideSupport)).one()
    session.commit()
    assert (recorded.minutes, recorded.participant_id) == (25, world.people[0].id)
    # Someone the coach does not support: not offered, so refused.
    response = client.submit_form(
        path,
        {
            "place_id": "999999",
            "happened_on": [str(today.day), str(today.month), str(today.year)],
            "minutes": "25",
            "channel": "phone",
            "support_type": "advice",
        },
    )
    assert error_messages(check_page(response, status=400)) == ["Select who you supported"]

    # The participant's totals match what they can see: support outside bookings apart.
    sign_in(client, world.people[0])
    page = check_page(client.get("/one-to-one/"))
    rows = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
        for row in page.select(".govuk-summary-list__row")
    }
    assert rows["Delivered"] == "None"
    assert rows["Support recorded by a coach outside bookings"] == "25 minutes"


def test_the_participants_delivered_total_adds_up_the_items_listed(client, session, coaching):
    """Booked for an hour and 45 minutes, delivered in 55 and 30: the page says 1 hour 25
    minutes delivered and lists 55 and 30, with support outside bookings listed apart."""
    world = coaching()
    place = world.places[0]
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    for days, booked, actual in ((9, 60, 55), (4, 45, 30)):
        booking = delivered_booking(
            session, place, world.coach, hour - dt.timedelta(days=days), minutes=booked
        )
        booking.delivered_minutes = actual
    session.add(
        OutsideSupport(
            round_id=booking.round_id,
            place_id=place.id,
            participant_id=place.person_id,
            coach_id=world.coach.id,
            support_type="advice",
            channel=SupportChannel.PHONE,
            happened_on=(hour - dt.timedelta(days=2)).date(),
            minutes=20,
        )
    )
    session.commit()

    sign_in(client, world.people[0])
    page = check_page(client.get("/one-to-one/"))
    rows = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
        for row in page.select(".govuk-summary-list__row")
    }
    assert rows["Delivered"] == "1 hour 25 minutes"
    assert rows["Support recorded by a coach outside bookings"] == "20 minutes"
    lists = [
        [" ".join(li.get_text().split()) for li in ul.select("li")]
        for ul in page.select("main ul.govuk-list--spaced")
    ]
    past, outside = lists[-2:]
    assert [item.rsplit("Delivered ", 1)[1] for item in past] == ["30 minutes", "55 minutes"]
    assert len(outside) == 1
    assert outside[0].endswith(": 20 minutes of advice with Colin Coach (phone call)")


def test_coaches_see_only_their_own_bookings(client, session, coaching, make_user):
    world = coaching()
    book_through_pages(client, world, next_slot_start(utcnow()))
    made = session.scalars(select(Booking)).one()
    session.commit()
    other = make_user(Role.COACH, contractors=[world.contractor])
    sign_in(client, other)
    for path in [
        f"/coaching/bookings/{made.id}",
        f"/coaching/bookings/{made.id}/outcome",
        f"/coaching/bookings/{made.id}/cancel",
    ]:
        assert client.get(path).status_code == 404, path
    window = session.scalars(select(WeeklyWindow)).first()
    session.commit()
    token = client.csrf_token_from("/coaching/availability/weekly/add")
    response = client.post(
        f"/coaching/availability/weekly/{window.id}/remove", data={"csrf_token": token}
    )
    assert response.status_code == 404


def test_a_coachs_group_sessions_block_their_times_and_are_shown(client, session, coaching):
    world = coaching(coach_roles=(Role.FACILITATOR,))
    own_group = cohort_of(session, world.round, world.contractor, facilitator=world.coach)
    starts_at = next_slot_start(utcnow())
    session.add(
        CohortSession(
            cohort_id=own_group.id,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=150),
            status=SessionStatus.PLANNED,
        )
    )
    session.commit()
    sign_in(client, world.coach)
    page = check_page(client.get("/coaching/availability"))
    assert "Group sessions you facilitate" in page.get_text()
    assert own_group.name in page.get_text()

    sign_in(client, world.people[0])
    page = check_page(client.get(book_url(world, starts_at + dt.timedelta(hours=1))), status=400)
    assert "not available at that time" in page.h1.get_text()


NASTY_QUERIES = [
    "starts_at=9999-12-31T23:59:59%2B00:00&minutes=60",
    "starts_at=0001-01-01T00:00:00%2B14:00&minutes=60",
    "starts_at=2027-01-11T10:00:00%2B00:00&minutes=-5",
    "starts_at=2027-01-11T10:00:00%2B00:00&minutes=99999999999999999999",
    "starts_at=%00&minutes=%00&support=%00",
    "minutes=60&support=" + "x" * 3000,
]
NASTY_TIMES = [
    "from_date=31&from_date=12&from_date=9999",
    "from_date=1&from_date=1&from_date=0001&minutes=61&support=nope",
    "from_date=x",
    "minutes=abc",
]


def test_nonsense_in_links_never_breaks_a_page(client, session, coaching, make_user):
    world = coaching()
    made = book_through_pages(client, world, next_slot_start(utcnow()))
    assert made.status_code == 302
    booking = session.scalars(select(Booking)).one()
    session.commit()
    for query in NASTY_QUERIES:
        for path in (
            f"/one-to-one/coaches/{world.coach.id}/book?{query}",
            f"/one-to-one/bookings/{booking.id}/reschedule/confirm?{query}",
        ):
            response = client.get(path)
            assert response.status_code in {200, 400, 409}, (path, response.status_code)
    for query in NASTY_TIMES:
        for path in (
            f"/one-to-one/coaches/{world.coach.id}?{query}",
            f"/one-to-one/bookings/{booking.id}/reschedule?{query}",
            f"/one-to-one/coaches?support={query}",
        ):
            assert client.get(path).status_code in {200, 400}, path
    sign_in(client, make_user(Role.OFFICER))
    for query in ("by=coach&round_id=-1", "round_id=" + "9" * 30, "by=%00"):
        assert client.get(f"/one-to-one-support/?{query}").status_code in {200, 400}
        assert client.get(f"/one-to-one-support/export.csv?{query}").status_code in {200, 404}


def test_the_one_to_one_page_sends_few_statements_however_many_bookings(
    client, session, coaching, statements_of
):
    """Issue 16: the participant's one-to-one page reads the round and the bookings once
    (with their support types' labels), whatever the person has booked."""
    world = coaching()
    place = world.places[0]
    sign_in(client, world.people[0])
    before = statements_of(lambda: client.get("/one-to-one/"))
    assert len(before) <= PAGE_STATEMENTS, before

    starts_at = next_slot_start(utcnow())
    book_through_pages(client, world, starts_at)
    book_through_pages(client, world, starts_at + dt.timedelta(days=1))
    for days in (3, 10):
        delivered_booking(session, place, world.coach, utcnow() - dt.timedelta(days=days))
    path = f"/one-to-one/coaches/{world.coach.id}"
    assert client.submit_form(f"{path}/wait", {}, from_page=path).status_code == 302
    after = statements_of(lambda: client.get("/one-to-one/"))
    assert len(after) <= PAGE_STATEMENTS, after
    assert len(after) == len(before)
    page = check_page(client.get("/one-to-one/"))
    text = " ".join(page.select_one("main").get_text().split())
    assert "10am to 11am: coaching with Colin Coach" in text
    assert "We will email you when an earlier time opens up with: Colin Coach" in text
