"""In a real browser: an officer writes to a cohort's members, sees a mistake explained,
previews a real message, sends a test to themselves, sends, and finds the message on a
member's page; then changes the offer email's wording. axe checks every page."""

import pytest

from portal.auth.models import Role
from tests.browser.test_people import go, sign_in, submit
from tests.fixtures.browser import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_an_officer_writes_to_a_cohort_and_the_member_page_shows_it(
    page, make_user, make_group, outbox
):
    group = make_group(members=3, name="Makers of Preston")
    officer = make_user(Role.OFFICER, name="Olivia Officer", email="olivia@example.com")
    sign_in(page, officer)
    go(page, "/messages/")
    screenshot(page, "messages-index")
    page.get_by_label("Cohort").select_option(label="Makers of Preston")
    submit(page, "Write to its members")
    assert page.get_by_role("heading", level=1).inner_text() == "Write a message"

    page.get_by_label("Subject").fill("Monday's session")
    page.get_by_label("Message").fill("Dear {firstname},\n\nWe meet in room 4.")
    submit(page, "Preview the message")
    assert "Error: " in page.title()
    summary = page.locator(".govuk-error-summary")
    assert "Remove or correct the merge field {firstname}" in summary.inner_text()
    screenshot(page, "messages-write-error")
    assert page.get_by_label("Subject").input_value() == "Monday's session"

    page.get_by_label("Message").fill("Dear {first_name},\n\n{cohort} meets in room 4.")
    submit(page, "Preview the message")
    assert page.get_by_role("heading", level=1).inner_text() == "Preview the message"
    assert "Makers of Preston meets in room 4." in page.locator(".app-email-preview").inner_text()
    screenshot(page, "messages-preview")

    submit(page, "Send a test to me")
    assert "A test has been sent to olivia@example.com" in page.inner_text("main")
    assert outbox.last("olivia@example.com").subject == "[Test] Monday's session"

    with page.expect_navigation():
        page.get_by_role("link", name="Continue to send").click()
    assert_accessible(page)
    screenshot(page, "messages-send")
    submit(page, "Send to 3 people")
    assert "Your message is being sent to 3 people." in page.inner_text("main")
    screenshot(page, "messages-sent")
    assert {m.to_address for m in outbox.messages() if m.subject == "Monday's session"} == {
        p.email for p in group.people
    }

    go(page, f"/people/{group.people[0].id}")
    section = page.locator("#group-messages + *")
    assert "Monday's session" in section.inner_text()
    assert "Members of Makers of Preston" in section.inner_text()

    go(page, "/standard-emails/offer")
    page.get_by_label("Opening of the email").fill("Hello {first_name},\n\nA place in {cohort}.")
    submit(page, "Preview")
    assert "Hello Priya," in page.locator(".app-email-preview").inner_text()
    screenshot(page, "standard-emails-preview")
    submit(page, "Save as a new version")
    assert "Version 1 of the offer of a place email is saved." in page.inner_text("main")
    screenshot(page, "standard-emails-saved")
