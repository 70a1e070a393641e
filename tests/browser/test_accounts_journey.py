"""In a real browser: an admin invites an officer, who sets a password and two-factor sign-in,
signs out, resets a forgotten password and signs in again. axe checks every page."""

import pyotp
import pytest

from portal.auth.models import Role
from tests.fixtures.browser import assert_accessible, screenshot
from tests.fixtures.users import PASSWORD, TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.both_databases]

NEW_PASSWORD = "seven green owls sing loudly"
RESET_PASSWORD = "nine quiet foxes dance slowly"


def go(page, path):
    page.goto(path)
    assert_accessible(page)


def submit(page, button):
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert_accessible(page)


def path_of(link):
    return link.split("peernetworks.example.org.uk", 1)[1]


def sign_in(page, email, password, code):
    go(page, "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    submit(page, "Sign in")
    page.get_by_label("Security code").fill(code)
    submit(page, "Continue")


def sign_out(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").first.click()
    assert_accessible(page)


def test_invite_set_up_two_factor_reset_and_sign_in_again(page, make_user, outbox):
    make_user(Role.ADMIN, email="admin@example.com")
    sign_in(page, "admin@example.com", PASSWORD, pyotp.TOTP(TOTP_SECRET).now())
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"

    go(page, "/admin/users/invite")
    screenshot(page, "admin-invite-user")
    page.get_by_label("Full name").fill("Olu Officer")
    page.get_by_label("Email address").fill("olu@example.com")
    page.get_by_label("Officer").check()
    submit(page, "Send invitation")
    assert "We have sent an invitation to olu@example.com" in page.inner_text("main")
    screenshot(page, "admin-user-detail")
    sign_out(page)

    [invitation] = outbox.links(outbox.last("olu@example.com"))[:1]
    go(page, path_of(invitation))
    screenshot(page, "accept-invitation")
    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    submit(page, "Save password")

    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor sign-in"
    screenshot(page, "two-factor-set-up")
    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    submit(page, "Turn on two-factor sign-in")
    assert page.get_by_role("heading", level=1).inner_text() == "Save your recovery codes"
    assert page.locator(".app-recovery-codes li").count() == 10
    recovery_code = page.locator(".app-recovery-codes li").first.inner_text()
    screenshot(page, "recovery-codes")
    with page.expect_navigation():
        page.get_by_role("button", name="I have saved my recovery codes").click()
    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == "What needs you"
    screenshot(page, "account-home")
    sign_out(page)

    go(page, "/sign-in")
    page.get_by_role("link", name="I have forgotten my password").click()
    page.wait_for_url("**/forgot-password")
    assert_accessible(page)
    page.get_by_label("Email address").fill("olu@example.com")
    submit(page, "Send reset link")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"

    reset = next(
        link for link in outbox.links(outbox.last("olu@example.com")) if "reset-password" in link
    )
    go(page, path_of(reset))
    page.get_by_label("New password").fill(RESET_PASSWORD)
    submit(page, "Save password")
    assert "Your password has been changed" in page.inner_text("main")

    # The set-up code cannot be replayed within its 30 seconds, so sign in with a recovery code.
    sign_in(page, "olu@example.com", RESET_PASSWORD, recovery_code)
    assert page.get_by_role("heading", level=1).inner_text() == "What needs you"
    sign_out(page)
    assert "You have signed out" in page.inner_text("main")
