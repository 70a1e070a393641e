"""In a real browser: an officer reads a person's whole record, at desktop width and at 320
pixels. axe checks every page; each is saved as a screenshot to look at."""

import datetime as dt

import pytest

from portal.auth.models import Role
from portal.db_base import utcnow
from portal.surveys.models import SurveyTiming
from portal.timefmt import today_in_london
from tests.fixtures.browser import assert_accessible, screenshot
from tests.fixtures.factories import (
    delivered_booking,
    hold_session,
    submitted_case_study,
    survey_invitation,
)
from tests.fixtures.users import PASSWORD, current_code

pytestmark = pytest.mark.browser


def go(page, path):
    page.goto(path)
    assert_accessible(page)


def submit(page, button):
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert_accessible(page)


def sign_in(page, user):
    go(page, "/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, "Sign in")
    page.get_by_label("Security code").fill(current_code())
    submit(page, "Continue")


def reflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def member(session, make_group, make_user):
    group = make_group(members=2)
    place = group.places[0]
    hold_session(session, group)
    coach = make_user(Role.COACH, contractors=[group.contractor], name="Colin Coach")
    delivered_booking(session, place, coach, utcnow() - dt.timedelta(days=1))
    survey_invitation(session, place, SurveyTiming.BASELINE)
    submitted_case_study(session, place, "How a mill found its apprentices")
    return group


def test_an_officer_reads_a_persons_record(page, make_user, member):
    sign_in(page, make_user(Role.OFFICER, name="Olivia Officer"))
    person = member.people[0]
    go(page, f"/people/{person.id}")
    assert page.get_by_role("heading", level=1).inner_text() == person.name
    screenshot(page, "people-person")
    page.get_by_role("link", name="Attendance").first.focus()
    page.keyboard.press("Enter")
    assert page.url.endswith("#attendance")
    page.set_viewport_size({"width": 320, "height": 800})
    assert reflows(page)
    screenshot(page, "people-person-320")
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_navigation():
        page.get_by_role("link", name="Mill 1-1 Ltd").first.click()
    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Mill 1-1 Ltd"
    screenshot(page, "businesses-business")
    page.set_viewport_size({"width": 320, "height": 800})
    assert reflows(page)
    screenshot(page, "businesses-business-320")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_officer_notes_a_phone_call_by_keyboard(page, make_user, member):
    sign_in(page, make_user(Role.OFFICER, name="Olivia Officer"))
    person = member.people[0]
    go(page, f"/people/{person.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Add a contact note").click()
    assert_accessible(page)
    submit(page, "Save the note")
    assert page.title().startswith("Error: ")
    screenshot(page, "people-add-note-error")
    today = today_in_london()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Phone").check()
    page.get_by_label("What was said").fill("Asked when the next session is.")
    page.set_viewport_size({"width": 320, "height": 800})
    assert reflows(page)
    screenshot(page, "people-add-note-320")
    page.get_by_label("What was said").focus()
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    assert "The contact note has been saved." in page.inner_text("main")
    assert "Asked when the next session is." in page.inner_text("#main-content")


def test_an_officer_finds_a_person_by_business_and_opens_their_page(page, make_user, member):
    sign_in(page, make_user(Role.OFFICER, name="Olivia Officer"))
    with page.expect_navigation():
        page.get_by_role("link", name="People", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Name, email address, business, postcode or reference").fill("mill 1-1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    assert "1 result for ‘mill 1-1’" in page.inner_text("main")
    screenshot(page, "people-search")
    page.set_viewport_size({"width": 320, "height": 800})
    assert reflows(page)
    screenshot(page, "people-search-320")
    with page.expect_navigation():
        page.get_by_role("link", name=member.people[0].name).click()
    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == member.people[0].name
