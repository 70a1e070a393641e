"""In a real browser: the warning before an idle session ends, and staying signed in.

The browser's clock is fast-forwarded; the server's answer about time left is the real one,
except where the test stands in for a session nearly out of time.
"""

import pyotp
import pytest

from portal.auth.models import Role
from tests.fixtures.browser import assert_accessible
from tests.fixtures.users import PASSWORD, TOTP_SECRET

pytestmark = pytest.mark.browser


def sign_in(page):
    page.goto("/sign-in")
    assert_accessible(page)
    page.get_by_label("Email address").fill("officer@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)
    page.get_by_label("Security code").fill(pyotp.TOTP(TOTP_SECRET).now())
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert_accessible(page)


def test_the_warning_appears_before_time_runs_out_and_staying_signed_in_works(page, make_user):
    make_user(Role.OFFICER, email="officer@example.com")
    page.clock.install()
    sign_in(page)
    dialog = page.locator("dialog#timeout-warning")
    assert not dialog.is_visible()

    # The session has only 2 minutes left, as the server would say after 28 idle minutes.
    page.route(
        "**/session/status",
        lambda route: route.fulfill(json={"signed_in": True, "seconds_left": 120}),
    )
    page.clock.fast_forward("25:01")
    dialog.wait_for(state="visible")
    assert "We will sign you out in 2 minutes" in dialog.inner_text().replace(
        "For your security, w", "W"
    )
    assert page.evaluate("document.activeElement.textContent.trim()") == "Stay signed in"
    assert_accessible(page)

    page.unroute("**/session/status")
    with page.expect_response("**/session/extend") as extended:
        page.keyboard.press("Enter")
    assert extended.value.json()["extended"] is True
    dialog.wait_for(state="hidden")
    assert page.get_by_role("heading", level=1).inner_text() == "What needs you"  # still here


def test_when_time_runs_out_the_person_is_taken_to_sign_in(page, make_user):
    make_user(Role.OFFICER, email="officer@example.com")
    page.clock.install()
    sign_in(page)
    page.route(
        "**/session/status",
        lambda route: route.fulfill(json={"signed_in": True, "seconds_left": 30}),
    )
    page.clock.fast_forward("25:01")
    page.locator("dialog#timeout-warning").wait_for(state="visible")
    assert_accessible(page)
    with page.expect_navigation(url="**/sign-in"):
        page.clock.fast_forward("00:31")
    assert_accessible(page)
    assert "had not used the service for 30 minutes" in page.inner_text("main")
    page.goto("/account/")
    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in", "signed out for real"
