"""In a real browser: a facilitator records a session's attendance and themes by keyboard, and
a participant sees their cohort, their hours and gets their calendar feed link.

axe checks every page; each page is saved as a screenshot to look at.
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest

from portal.auth.models import Role
from portal.cohorts.models import CohortSession, SessionStatus
from portal.db_base import utcnow
from tests.fixtures.browser import assert_accessible, screenshot
from tests.fixtures.factories import add_sessions, confirmed_group_factory
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser


def go(page, path):
    page.goto(path)
    assert_accessible(page)


def submit(page, button):
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert_accessible(page)


def follow(page, link, **kwargs):
    with page.expect_navigation():
        page.get_by_role("link", name=link, **kwargs).click()
    assert_accessible(page)


def sign_in(page, email):
    go(page, "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, "Sign in")


def press(page, key):
    page.keyboard.press(key)


@pytest.fixture
def make_group(session, make_round, make_application, make_user, make_contractor):
    return confirmed_group_factory(
        session, make_round, make_application, make_user, make_contractor
    )


@pytest.fixture
def group(session, make_group):
    made = make_group(members=3, sharing=(True, True, False))
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    add_sessions(
        session,
        made.cohort,
        now - dt.timedelta(hours=3),
        now + dt.timedelta(days=11),
        now + dt.timedelta(days=25),
    )
    return made


def test_a_facilitator_records_attendance_and_themes_by_keyboard(page, session, group):
    sign_in(page, group.facilitator.email)
    follow(page, "Your cohorts")
    screenshot(page, "facilitation-cohorts")
    follow(page, group.cohort.name)
    screenshot(page, "facilitation-cohort")
    session_link = page.locator("tbody tr").first.get_by_role("link")
    with page.expect_navigation():
        session_link.click()
    assert_accessible(page)
    screenshot(page, "facilitation-session")

    first, second, third = group.people
    # The register starts from everyone present: only who missed some of it is named.
    page.get_by_label(second.name).focus()
    press(page, "Space")
    page.get_by_label(third.name).focus()
    press(page, "Space")
    page.get_by_label("Exporting").focus()
    press(page, "Space")
    page.get_by_label("Your notes").focus()
    page.keyboard.type("Trust is building. Follow up on recruitment.")
    page.get_by_role("button", name="Save and continue").focus()
    with page.expect_navigation():
        press(page, "Enter")
    assert_accessible(page)
    assert page.title().startswith("Members who did not attend the whole session")
    assert first.name in page.inner_text("main")
    screenshot(page, "facilitation-register-exceptions")

    # Second member: Space selects "part of the session", which reveals the hours.
    page.get_by_role("group", name=f"Did {second.name} attend?").get_by_label(
        "Present for part of the session"
    ).focus()
    press(page, "Space")
    hours = page.get_by_label(f"Hours {second.name} attended")
    press(page, "Tab")
    assert page.evaluate("document.activeElement.id") == hours.get_attribute("id")
    page.keyboard.type("4")  # more than the session: refused
    # Third member: the arrow key moves on to "sent apologies".
    page.get_by_role("group", name=f"Did {third.name} attend?").get_by_label(
        "Present for part of the session"
    ).focus()
    press(page, "ArrowDown")
    page.get_by_role("button", name="Save the register").focus()
    with page.expect_navigation():
        press(page, "Enter")
    assert_accessible(page)
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    screenshot(page, "facilitation-session-error")

    # The error link takes focus to the hours, which are still shown with what was typed.
    page.get_by_role("link", name=f"Hours {second.name} attended must be less than").click()
    assert page.evaluate("document.activeElement.id") == hours.get_attribute("id")
    press(page, "Control+a")
    page.keyboard.type("1.5")
    page.get_by_role("button", name="Save the register").focus()
    with page.expect_navigation():
        press(page, "Enter")
    assert_accessible(page)
    assert "The register, themes and notes have been saved" in page.inner_text("main")
    assert "Taken" in page.locator("tbody tr").first.inner_text()
    members = page.locator("table").nth(1).inner_text()
    assert "2.5 hours" in members
    assert "1.5 hours" in members
    screenshot(page, "facilitation-cohort-after-register")

    session.rollback()
    held = session.get(CohortSession, group.cohort.sessions[0].id)
    assert held.status == SessionStatus.HELD
    assert [t.issue_code for t in held.themes] == ["exporting"]


def test_a_facilitator_changes_the_schedule(page, session, group):
    sign_in(page, group.facilitator.email)
    go(page, f"/facilitation/cohorts/{group.cohort.id}/settings")
    screenshot(page, "facilitation-settings")
    go(page, f"/facilitation/cohorts/{group.cohort.id}/schedule")
    screenshot(page, "facilitation-schedule")
    upcoming = group.cohort.sessions[1]
    go(page, f"/facilitation/sessions/{upcoming.id}")
    screenshot(page, "facilitation-session-planned")
    follow(page, "Move this session")
    screenshot(page, "facilitation-move-session")
    submit(page, "Move the session")
    screenshot(page, "facilitation-move-session-error")
    go(page, f"/facilitation/sessions/{upcoming.id}/cancel")
    screenshot(page, "facilitation-cancel-session")
    go(page, f"/facilitation/cohorts/{group.cohort.id}/sessions/add")
    screenshot(page, "facilitation-add-session")


def test_a_participant_sees_their_cohort_and_gets_the_calendar_link(page, group):
    sign_in(page, group.people[0].email)
    follow(page, "Your cohort")
    screenshot(page, "my-cohort")
    # At 320 px each session's key and its calendar link stay on screen.
    page.set_viewport_size({"width": 320, "height": 800})
    link = page.get_by_role("link", name="Add to calendar").first
    box = link.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 320
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "my-cohort-320")
    page.set_viewport_size({"width": 1280, "height": 800})
    text = page.inner_text("main")
    assert "You have attended 0 hours of group sessions" in text
    assert group.facilitator.name in text
    assert f"{group.people[1].name}, Mill 2 Ltd" in text
    assert group.people[2].name not in text

    follow(page, "Subscribe to all your sessions in your calendar")
    screenshot(page, "my-cohort-feed")
    submit(page, "Create a calendar link")
    link = page.get_by_label("Your calendar link").input_value()
    screenshot(page, "my-cohort-feed-link")
    feed = page.request.get(urlsplit(link).path)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert feed.text().count("BEGIN:VEVENT") == 3

    go(page, "/my-cohort/leave")
    screenshot(page, "my-cohort-leave")
    submit(page, "Leave the group")
    screenshot(page, "my-cohort-leave-error")


def test_someone_without_a_group_sees_a_clear_page(page, make_user):
    make_user(Role.PARTICIPANT, email="nogroup@example.com")
    sign_in(page, "nogroup@example.com")
    menu = page.get_by_role("navigation", name="Menu")
    assert menu.get_by_role("link", name="Your cohort").count() == 0, "shown once it applies"
    go(page, "/my-cohort/")
    assert page.get_by_role("heading", level=1).inner_text() == "You are not in a group yet"
    screenshot(page, "my-cohort-none")
