"""In a real browser: officers and contractor leads land on their home after signing in.
axe checks every page; each is saved as a screenshot (desktop and 320 pixels) to look at."""

import pytest

from portal.auth.models import Role
from tests.fixtures.browser import assert_accessible, screenshot
from tests.fixtures.users import PASSWORD, current_code

pytestmark = pytest.mark.browser


def submit(page, button):
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert_accessible(page)


def sign_in(page, user):
    page.goto("/sign-in")
    assert_accessible(page)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, "Sign in")
    page.get_by_label("Security code").fill(current_code())
    submit(page, "Continue")


def narrow(page, name):
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_officer_lands_on_what_needs_them(page, make_user, make_group):
    make_group(members=2)
    sign_in(page, make_user(Role.OFFICER, name="Olivia Officer"))
    assert page.get_by_role("heading", level=1).inner_text() == "What needs you"
    screenshot(page, "home-officer")
    narrow(page, "home-officer-320")
    with page.expect_navigation():
        page.get_by_role("link", name="Case studies waiting for review").click()
    assert_accessible(page)


def test_a_contractor_lead_lands_on_their_delivery(page, make_user, make_group):
    group = make_group(members=2)
    sign_in(page, make_user(Role.CONTRACTOR_LEAD, contractors=[group.contractor]))
    assert page.get_by_role("heading", level=1).inner_text() == "Your contractors' delivery"
    screenshot(page, "home-lead")
    narrow(page, "home-lead-320")
