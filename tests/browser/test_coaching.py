"""In a real browser: a coach sets their availability; a participant books, moves and cancels
one-to-one support, and someone else finds a time just taken; the coach records a session as
delivered, and an officer reads the report. The emails carry calendar files a calendar
program imports. axe checks every page; each page is saved as a screenshot to look at.
"""

from __future__ import annotations

import datetime as dt

import icalendar
import pyotp
import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.coaching.models import Booking, BookingStatus, LocationType
from portal.db_base import utcnow
from portal.timefmt import govuk_date, to_london
from tests.fixtures.browser import assert_accessible, screenshot
from tests.fixtures.factories import coaching_round, cohort_of, place_in, set_up_coach
from tests.fixtures.users import PASSWORD, TOTP_SECRET

pytestmark = pytest.mark.browser


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def go(page, path):  # type: ignore[no-untyped-def]
    page.goto(path)
    assert_accessible(page)


def submit(page, button):  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert_accessible(page)


def follow(page, link):  # type: ignore[no-untyped-def]
    """Follow a link, or a link that looks like a button (GOV.UK's start and action links)."""
    target = page.get_by_role("link", name=link).or_(page.get_by_role("button", name=link))
    with page.expect_navigation():
        target.first.click()
    assert_accessible(page)


def heading(page) -> str:  # type: ignore[no-untyped-def]
    return page.get_by_role("heading", level=1).inner_text().strip()


def sign_in(page, email, code=None):  # type: ignore[no-untyped-def]
    go(page, "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, "Sign in")
    if code:
        page.get_by_label("Security code").fill(code)
        submit(page, "Continue")


def sign_out(page):  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").first.click()
    assert_accessible(page)


@pytest.fixture
def programme(app, session, make_user, make_contractor, reference_data):  # type: ignore[no-untyped-def]
    """A running cohort of a contractor with two participants, and a new coach of that
    contractor with nothing set up yet."""
    contractor = make_contractor("Red Rose Business Growth Ltd")
    coach = make_user(
        Role.COACH, name="Colin Coach", email="colin@example.com", contractors=[contractor]
    )
    priya = make_user(Role.PARTICIPANT, name="Priya Patel", email="priya@example.com")
    sam = make_user(Role.PARTICIPANT, name="Sam Hartley", email="sam@example.com")
    with app.app_context():
        programme_round = coaching_round(session)
        cohort = cohort_of(session, programme_round, contractor)
        places = [place_in(session, cohort, person) for person in (priya, sam)]
        session.commit()
    return {
        "round": programme_round,
        "contractor": contractor,
        "coach": coach,
        "priya": priya,
        "sam": sam,
        "places": places,
    }


def booking_day():  # type: ignore[no-untyped-def]
    return to_london(utcnow()).date() + dt.timedelta(days=3)


def test_a_coach_sets_their_availability(page, programme):
    coach = programme["coach"]
    day = booking_day()
    extra_day = day + dt.timedelta(days=2)
    sign_in(page, coach.email)
    follow(page, "Your diary")
    assert heading(page) == "Your diary"
    screenshot(page, "coaching-diary-empty")
    follow(page, "Your availability and what you offer")
    screenshot(page, "coaching-availability-empty")
    follow(page, "Say what you offer")
    page.get_by_label("1 hour", exact=True).check()
    page.get_by_label("Coaching").check()
    page.get_by_label("Mentoring").check()
    page.get_by_label("Video call").check()
    page.get_by_label("Link to your video meeting room (optional)").fill(
        "https://meet.example.com/colin"
    )
    screenshot(page, "coaching-settings")
    submit(page, "Save")
    assert "What you offer has been saved" in page.inner_text("main")
    follow(page, "Add weekly hours")
    page.get_by_label(WEEKDAYS[day.weekday()]).check()
    page.get_by_label("Start time").fill("9am")
    page.get_by_label("End time").fill("12pm")
    screenshot(page, "coaching-add-weekly-hours")
    submit(page, "Add these hours")
    assert "9am to midday" in page.inner_text("main")
    follow(page, "Add a change for one day")
    page.get_by_label("Day").fill(str(extra_day.day))
    page.get_by_label("Month").fill(str(extra_day.month))
    page.get_by_label("Year").fill(str(extra_day.year))
    page.get_by_label("I am available for extra hours").check()
    page.get_by_label("Start time").fill("2pm")
    page.get_by_label("End time").fill("4pm")
    screenshot(page, "coaching-add-day-change")
    submit(page, "Save this change")
    assert "Extra hours, 2pm to 4pm" in page.inner_text("main")
    screenshot(page, "coaching-availability")


def test_a_participant_books_moves_and_cancels_and_another_finds_it_taken(
    page, session, programme, outbox
):
    coach, priya, sam = programme["coach"], programme["priya"], programme["sam"]
    day = booking_day()
    set_up_coach(session, coach, days=(day.weekday(),), hours=("09:00", "12:00"))
    session.commit()
    day_heading = govuk_date(day, weekday=True)

    sign_in(page, priya.email)
    follow(page, "One-to-one support")
    assert heading(page) == "Your one-to-one support"
    screenshot(page, "one-to-one-home")
    follow(page, "Book one-to-one support")
    screenshot(page, "one-to-one-coaches")
    follow(page, "See free times with Colin Coach")
    screenshot(page, "one-to-one-coach-times")
    follow(page, f"9am on {day_heading}")
    assert heading(page) == "Book this time"
    page.get_by_label("Coaching").check()
    page.get_by_label("What would you like to talk about?").fill("Winning our first export order")
    screenshot(page, "one-to-one-book")
    submit(page, "Confirm booking")
    assert "is booked for" in page.inner_text("main")
    screenshot(page, "one-to-one-booking")

    # The invitation imports into a calendar: one event, Europe/London, both people.
    calendar = icalendar.Calendar.from_ical(outbox.last(priya.email).attachments[0].content)
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    uid = str(event["UID"])
    assert to_london(event["DTSTART"].dt).hour == 9
    assert {str(a) for a in event.get("ATTENDEE")} == {
        f"mailto:{priya.email}",
        f"mailto:{coach.email}",
    }

    follow(page, "Change the time")
    screenshot(page, "one-to-one-reschedule")
    follow(page, f"10:30am on {day_heading}")
    screenshot(page, "one-to-one-confirm-reschedule")
    submit(page, "Move my booking")
    assert "Your booking has moved" in page.inner_text("main")
    moved_file = outbox.last(coach.email).attachments[0].content
    [moved] = icalendar.Calendar.from_ical(moved_file).walk("VEVENT")
    assert (str(moved["UID"]), int(moved["SEQUENCE"])) == (uid, 1)

    follow(page, "Cancel this booking")
    page.get_by_label("Why are you cancelling? (optional)").fill("A customer visit came up")
    screenshot(page, "one-to-one-cancel")
    submit(page, "Cancel my booking")
    assert "Your booking is cancelled" in page.inner_text("main")
    cancelled = icalendar.Calendar.from_ical(outbox.last(priya.email).attachments[0].content)
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert str(cancelled.walk("VEVENT")[0]["UID"]) == uid

    # Priya books 9am again; Sam, a moment too late, is offered other times.
    follow(page, "Book one-to-one support")
    follow(page, "See free times with Colin Coach")
    follow(page, f"9am on {day_heading}")
    taken_url = page.url
    page.get_by_label("Mentoring").check()
    page.get_by_label("What would you like to talk about?").fill("Pricing")
    submit(page, "Confirm booking")
    follow(page, "Your one-to-one support")
    screenshot(page, "one-to-one-home-booked")
    sign_out(page)

    sign_in(page, sam.email)
    response = page.goto(taken_url)
    assert response.status == 409
    assert_accessible(page)
    assert heading(page) == "That time has just been taken"
    screenshot(page, "one-to-one-taken")
    follow(page, "See all Colin Coach's free times")
    submit(page, "Tell me if an earlier time opens")
    screenshot(page, "one-to-one-waiting")


def test_a_coach_records_delivery_and_an_officer_reads_the_report(
    page, session, programme, make_user
):
    coach, priya, sam = programme["coach"], programme["priya"], programme["sam"]
    set_up_coach(session, coach)
    started = utcnow().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=2)
    coming = started + dt.timedelta(days=3)
    for place, person, starts_at in (
        (programme["places"][1], sam, started),
        (programme["places"][0], priya, coming),
    ):
        session.add(
            Booking(
                round_id=programme["round"].id,
                place_id=place.id,
                participant_id=person.id,
                coach_id=coach.id,
                contractor_id=programme["contractor"].id,
                support_type="coaching",
                topic="Cash flow in the quiet months",
                location_type=LocationType.VIDEO,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(hours=1),
                blocked_from=starts_at,
                blocked_until=starts_at + dt.timedelta(hours=1),
            )
        )
    session.commit()

    sign_in(page, coach.email)
    follow(page, "Your diary")
    screenshot(page, "coaching-diary")
    follow(page, "Priya Patel")
    assert page.get_by_role("link", name=priya.email).count() == 1
    screenshot(page, "coaching-booking")
    follow(page, "Cancel this booking")
    screenshot(page, "coaching-cancel")
    follow(page, "Your diary")
    follow(page, "Sam Hartley")
    assert heading(page) == "What happened"
    page.get_by_label("The session took place").check()
    page.get_by_label("How many minutes did it last?").fill("55")
    page.get_by_label("Notes (optional)").fill("Agreed a 13-week cash flow forecast")
    screenshot(page, "coaching-outcome")
    submit(page, "Save")
    assert "recorded as delivered" in page.inner_text("main")
    follow(page, "Record support given outside a booking")
    screenshot(page, "coaching-record-support")
    sign_out(page)
    delivered = session.scalars(select(Booking).where(Booking.participant_id == sam.id)).one()
    session.commit()
    assert (delivered.status, delivered.delivered_minutes) == (BookingStatus.DELIVERED, 55)

    officer = make_user(Role.OFFICER, email="olivia@example.com")
    sign_in(page, officer.email, pyotp.TOTP(TOTP_SECRET).now())
    follow(page, "One-to-one support")
    assert "Sam Hartley" in page.inner_text("main")
    screenshot(page, "support-report")


def test_a_participant_without_a_place_is_told_how_to_get_one(page, make_user):
    person = make_user(Role.PARTICIPANT, email="newcomer@example.com")
    sign_in(page, person.email)
    go(page, "/one-to-one/")
    assert "You can book once you have accepted a place" in page.inner_text("main")
    screenshot(page, "one-to-one-none")


def test_a_link_to_an_unknown_time_offers_the_coachs_times(page, session, programme):
    set_up_coach(session, programme["coach"])
    session.commit()
    sign_in(page, programme["priya"].email)
    response = page.goto(f"/one-to-one/coaches/{programme['coach'].id}/book?starts_at=nonsense")
    assert response.status == 400
    assert_accessible(page)
    screenshot(page, "one-to-one-unavailable")
