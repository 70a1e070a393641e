"""Signing in and out: one vague message, throttling, two-factor for staff, safe redirects."""

import datetime as dt

import pyotp
import pytest
from sqlalchemy import select

from portal.auth.models import RecoveryCode, Role, User, UserStatus
from tests.fixtures.app import reload
from tests.fixtures.pages import check_page, error_messages
from tests.fixtures.users import PASSWORD, TOTP_SECRET, current_code

WRONG = "The email address or password is incorrect"


def sign_in_with(client, email, password, next_path=None):
    path = "/sign-in" + (f"?next={next_path}" if next_path else "")
    return client.submit_form(path, {"email": email, "password": password})


def test_a_participant_signs_in_and_out(client, make_user):
    user = make_user(Role.PARTICIPANT, email="owner@example.com")
    response = sign_in_with(client, "  Owner@Example.com ", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    page = check_page(client.get("/account/"))
    assert user.email in page.get_text()
    assert page.select_one("button.app-link-button").get_text(strip=True) == "Sign out"

    token = client.csrf_token_from("/account/")
    signed_out = client.post("/sign-out", data={"csrf_token": token})
    assert signed_out.headers["Location"] == "/sign-in"
    assert client.get("/account/").headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize(
    ("email", "password"),
    [("owner@example.com", "not the password"), ("nobody@example.com", PASSWORD)],
)
def test_wrong_email_or_password_get_the_same_vague_message(client, make_user, email, password):
    make_user(Role.PARTICIPANT, email="owner@example.com")
    page = check_page(sign_in_with(client, email, password), status=400)
    assert error_messages(page) == [WRONG]
    assert page.select_one("input#email")["value"] == email


def test_empty_fields_get_govuk_messages(client):
    page = check_page(sign_in_with(client, "", ""), status=400)
    assert error_messages(page) == ["Enter your email address", "Enter your password"]


def test_a_deactivated_account_cannot_sign_in(client, make_user):
    make_user(Role.PARTICIPANT, email="gone@example.com", status=UserStatus.DEACTIVATED)
    page = check_page(sign_in_with(client, "gone@example.com", PASSWORD), status=400)
    assert error_messages(page) == [WRONG]


def test_an_unconfirmed_email_is_sent_a_new_link_instead(client, make_user, session, outbox):
    user = make_user(Role.PARTICIPANT, email="new@example.com")
    user.email_verified_at = None
    session.commit()
    response = sign_in_with(client, "new@example.com", PASSWORD)
    assert response.headers["Location"] == "/check-your-email?reason=unverified"
    assert "confirm your email address" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert outbox.last("new@example.com").subject == "Confirm your email address"
    assert client.get("/account/").status_code == 302


def test_next_takes_you_back_only_within_the_site(client, make_user):
    make_user(Role.PARTICIPANT, email="owner@example.com")
    response = sign_in_with(client, "owner@example.com", PASSWORD, next_path="/account/emails")
    assert response.headers["Location"] == "/account/emails"
    client.post("/sign-out", data={"csrf_token": client.csrf_token_from("/account/")})
    response = sign_in_with(client, "owner@example.com", PASSWORD, next_path="//evil.example/")
    assert response.headers["Location"] == "/account/"


def test_a_protected_page_sends_you_to_sign_in_and_back(client, make_user):
    make_user(Role.PARTICIPANT, email="owner@example.com")
    assert client.get("/account/emails").headers["Location"] == "/sign-in?next=/account/emails"
    response = sign_in_with(client, "owner@example.com", PASSWORD, next_path="/account/emails")
    assert response.headers["Location"] == "/account/emails"


def test_sign_in_is_throttled_per_account(client, make_user):
    make_user(Role.PARTICIPANT, email="owner@example.com")
    for _ in range(5):
        assert sign_in_with(client, "owner@example.com", "wrong password").status_code == 400
    blocked = client.post(
        "/sign-in",
        data={
            "csrf_token": client.csrf_token_from("/sign-in"),
            "email": "owner@example.com",
            "password": PASSWORD,
        },
    )
    page = check_page(blocked, status=429)
    assert page.h1.get_text(strip=True) == "Too many attempts"


def test_successful_sign_ins_do_not_count_towards_the_limit(client, make_user):
    make_user(Role.PARTICIPANT, email="owner@example.com")
    for _ in range(7):
        assert sign_in_with(client, "owner@example.com", PASSWORD).status_code == 302
        client.post("/sign-out", data={"csrf_token": client.csrf_token_from("/account/")})


class TestTwoFactor:
    def test_an_officer_needs_a_code_after_the_password(self, client, make_user, session):
        officer = make_user(Role.OFFICER, email="officer@example.com")
        response = sign_in_with(client, "officer@example.com", PASSWORD, next_path="/account/")
        assert response.headers["Location"] == "/sign-in/security-code"
        assert client.get("/account/").status_code == 302, "not signed in before the code"

        wrong = client.submit_form("/sign-in/security-code", {"code": "000000"})
        assert error_messages(check_page(wrong, status=400)) == [
            "The security code is incorrect or has already been used"
        ]
        code = current_code()
        right = client.submit_form("/sign-in/security-code", {"code": code})
        assert right.headers["Location"] == "/account/"
        assert check_page(client.get("/account/")).h1.get_text(strip=True) == "Your account"
        session.refresh(officer)
        assert officer.last_signed_in_at is not None

        # The same code cannot be used twice.
        client.post("/sign-out", data={"csrf_token": client.csrf_token_from("/account/")})
        sign_in_with(client, "officer@example.com", PASSWORD)
        replay = client.submit_form("/sign-in/security-code", {"code": code})
        assert replay.status_code == 400

    def test_a_recovery_code_works_once(self, client, make_user, session, app):
        from portal.auth import two_factor
        from portal.db_base import utcnow

        officer = make_user(Role.OFFICER, email="officer@example.com")
        with app.app_context():
            codes = two_factor.new_recovery_codes(session, officer, utcnow())
        session.commit()
        sign_in_with(client, "officer@example.com", PASSWORD)
        response = client.submit_form("/sign-in/security-code", {"code": codes[0].upper()})
        assert response.status_code == 302
        client.post("/sign-out", data={"csrf_token": client.csrf_token_from("/account/")})
        sign_in_with(client, "officer@example.com", PASSWORD)
        again = client.submit_form("/sign-in/security-code", {"code": codes[0]})
        assert again.status_code == 400
        used = session.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None)))
        assert len(used.all()) == 1

    def test_staff_without_two_factor_must_set_it_up_first(self, client, make_user, session):
        made = make_user(Role.ADMIN, email="admin@example.com", two_factor=False)
        response = sign_in_with(client, "admin@example.com", PASSWORD)
        assert response.headers["Location"] == "/sign-in/set-up-two-factor"
        page = check_page(client.get("/sign-in/set-up-two-factor"))
        assert page.select_one("img.app-qr-code")["src"].startswith("data:image/svg+xml")
        secret = page.select_one("#secret-key").get_text().replace(" ", "")

        wrong = client.submit_form("/sign-in/set-up-two-factor", {"code": "123456"})
        assert error_messages(check_page(wrong, status=400)) == [
            "Enter the 6-digit code shown in your authenticator app"
        ]
        done = client.submit_form("/sign-in/set-up-two-factor", {"code": pyotp.TOTP(secret).now()})
        assert done.headers["Location"] == "/sign-in/recovery-codes"
        codes_page = check_page(client.get("/sign-in/recovery-codes"))
        assert len(codes_page.select(".app-recovery-codes li")) == 10
        # Shown once only.
        assert client.get("/sign-in/recovery-codes").status_code == 302
        # Read from the database: the test session still holds the user as made.
        admin = reload(session, User, made.id)
        assert admin.has_two_factor
        assert admin.totp_secret == secret

    def test_a_role_that_needs_two_factor_given_later_forces_set_up(self, client, signed_in_as):
        user = signed_in_as(Role.CONTRACTOR_LEAD, two_factor=False)
        response = client.get("/account/")
        assert response.headers["Location"] == "/sign-in/set-up-two-factor"
        assert user.totp_secret is None

    def test_the_code_step_expires(self, client, make_user, monkeypatch):
        make_user(Role.OFFICER, email="officer@example.com")
        sign_in_with(client, "officer@example.com", PASSWORD)
        with client.session_transaction() as browser_session:
            browser_session["pending_sign_in"]["at"] -= 11 * 60
            browser_session.modified = True
        response = client.get("/sign-in/security-code")
        assert response.headers["Location"] == "/sign-in"

    def test_codes_from_a_drifting_phone_clock_are_accepted(self):
        from portal.auth.two_factor import code_is_valid_for_secret

        now = dt.datetime(2026, 11, 26, 9, 0, 10, tzinfo=dt.UTC)
        earlier = pyotp.TOTP(TOTP_SECRET).at(now - dt.timedelta(seconds=30))
        much_earlier = pyotp.TOTP(TOTP_SECRET).at(now - dt.timedelta(seconds=95))
        assert code_is_valid_for_secret(TOTP_SECRET, earlier, now)
        assert not code_is_valid_for_secret(TOTP_SECRET, much_earlier, now)
