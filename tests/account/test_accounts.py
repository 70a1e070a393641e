"""Creating an account, confirming the email address, resets, invitations and email changes."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role, User, UserStatus
from tests.fixtures.app import PAGE_STATEMENTS
from tests.fixtures.pages import check_page, error_messages
from tests.fixtures.users import PASSWORD, sign_in

NEW_PASSWORD = "seven green owls sing loudly"
TOO_EASY = "Password is too easy to guess. Try 3 random words, like 'coffee train fish'"


def path_of(link):
    return link.split("peernetworks.example.org.uk", 1)[1]


def user_named(session, email):
    session.rollback()
    return session.scalars(select(User).where(User.email == email)).one_or_none()


def test_create_an_account_then_confirm_the_email_then_sign_in(client, session, outbox):
    response = client.submit_form(
        "/create-account",
        {
            "name": "Siân O'Neil-Ampersand & Co",
            "email": "Sian@Example.com",
            "password": NEW_PASSWORD,
        },
    )
    assert response.headers["Location"] == "/check-your-email?reason=new-account"
    page = check_page(client.get(response.headers["Location"]))
    assert "sian@example.com" in page.get_text()

    user = user_named(session, "sian@example.com")
    assert user.name == "Siân O'Neil-Ampersand & Co"
    assert user.roles == {Role.PARTICIPANT}
    assert user.email_verified_at is None

    email = outbox.last("sian@example.com")
    assert email.subject == "Confirm your email address"
    [link] = [link for link in outbox.links(email) if "/confirm-email/" in link]
    confirm_page = check_page(client.get(path_of(link)))  # opening the link changes nothing
    assert confirm_page.h1.get_text(strip=True) == "Confirm your email address"
    assert user_named(session, "sian@example.com").email_verified_at is None
    confirmed = client.submit_form(path_of(link), {})
    # The same browser session created the account: the person carries on signed in.
    assert confirmed.headers["Location"] == "/account/"
    assert user_named(session, "sian@example.com").email_verified_at is not None
    account = check_page(client.get("/account/"))
    assert "Your email address is confirmed." in account.get_text()

    used_again = client.get(path_of(link))
    assert check_page(used_again, status=400).h1.get_text(strip=True) == (
        "This link has already been used"
    )


def test_a_confirmation_link_opened_in_another_browser_still_asks_to_sign_in(
    app, client, session, outbox
):
    client.submit_form(
        "/create-account",
        {"name": "Ffion Jones", "email": "ffion@example.com", "password": NEW_PASSWORD},
    )
    [link] = [
        link for link in outbox.links(outbox.last("ffion@example.com")) if "/confirm-email/" in link
    ]
    other_device = app.test_client()
    confirmed = other_device.submit_form(path_of(link) + "?next=/register/", {})
    assert confirmed.headers["Location"] == "/sign-in?next=/register/"
    assert user_named(session, "ffion@example.com").email_verified_at is not None
    assert other_device.get("/account/").status_code == 302, "a link alone never signs in"
    assert client.get("/account/").status_code == 302, "nor does it sign in the first browser"
    signed_in = other_device.submit_form(
        "/sign-in?next=/register/", {"email": "ffion@example.com", "password": NEW_PASSWORD}
    )
    assert signed_in.headers["Location"] == "/register/"


def test_confirming_after_another_account_was_created_here_does_not_sign_in(
    client, session, outbox
):
    """The session remembers only the last account it created: an older link asks to sign in."""
    for name, email in [("Ann Old", "ann@example.com"), ("Bea New", "bea@example.com")]:
        client.submit_form(
            "/create-account", {"name": name, "email": email, "password": NEW_PASSWORD}
        )
    [link] = [
        link for link in outbox.links(outbox.last("ann@example.com")) if "/confirm-email/" in link
    ]
    confirmed = client.submit_form(path_of(link), {})
    assert confirmed.headers["Location"] == "/sign-in"


def test_creating_an_account_for_a_known_address_reveals_nothing(client, make_user, outbox):
    make_user(Role.PARTICIPANT, email="taken@example.com")
    response = client.submit_form(
        "/create-account",
        {"name": "Someone", "email": "taken@example.com", "password": NEW_PASSWORD},
    )
    assert response.headers["Location"] == "/check-your-email?reason=new-account"
    assert outbox.last("taken@example.com").subject == "You already have an account"


def test_new_passwords_must_be_long_and_not_common(client):
    cases = {
        "short": "Password must be 12 characters or more",
        "password1234": TOO_EASY,
        "aaaaaaaaaaaaaaaa": TOO_EASY,
        "wonderful-pat-owner-2026": "Password must not contain your name or email address",
    }
    for password, message in cases.items():
        page = check_page(
            client.submit_form(
                "/create-account",
                {"name": "Pat", "email": "wonderful-pat-owner@example.com", "password": password},
            ),
            status=400,
        )
        assert error_messages(page) == [message], password
        assert page.select_one("input#name")["value"] == "Pat"


def test_an_expired_confirmation_link_says_so_with_a_way_forward(client, session, outbox):
    client.submit_form(
        "/create-account", {"name": "Late", "email": "late@example.com", "password": NEW_PASSWORD}
    )
    [link] = [link for link in outbox.links(outbox.last("late@example.com")) if "confirm" in link]
    from portal.auth.models import AccountToken

    token = session.scalars(select(AccountToken)).one()
    token.expires_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    session.commit()
    page = check_page(client.get(path_of(link)), status=400)
    assert page.h1.get_text(strip=True) == "This link has expired"
    assert page.select_one("main a[href='/sign-in']")


def test_password_reset_by_email_is_single_use_and_ends_other_sessions(
    app, client, make_user, session, outbox
):
    user = make_user(Role.PARTICIPANT, email="owner@example.com")
    other_device = app.test_client()
    sign_in(other_device, user)
    assert other_device.get("/account/").status_code == 200

    response = client.submit_form("/forgot-password", {"email": "owner@example.com"})
    assert response.headers["Location"] == "/check-your-email?reason=reset"
    [link] = [
        link for link in outbox.links(outbox.last("owner@example.com")) if "reset-password" in link
    ]
    weak = client.submit_form(path_of(link), {"password": "short"})
    assert error_messages(check_page(weak, status=400)) == [
        "Password must be 12 characters or more"
    ]
    done = client.submit_form(path_of(link), {"password": NEW_PASSWORD})
    assert done.headers["Location"] == "/sign-in"

    assert other_device.get("/account/").status_code == 302, "the other session has ended"
    assert client.get(path_of(link)).status_code == 400, "the link works once"
    assert outbox.last("owner@example.com").subject == "Your password has been changed"
    old = client.submit_form("/sign-in", {"email": "owner@example.com", "password": PASSWORD})
    assert old.status_code == 400
    new = client.submit_form("/sign-in", {"email": "owner@example.com", "password": NEW_PASSWORD})
    assert new.status_code == 302
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(user.id)))
    assert "user.password_reset" in actions.all()


def test_asking_for_a_reset_for_an_unknown_address_looks_the_same(client, outbox):
    response = client.submit_form("/forgot-password", {"email": "nobody@example.com"})
    assert response.headers["Location"] == "/check-your-email?reason=reset"
    assert outbox.messages("nobody@example.com") == []


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, client, signed_in_as):
    user = signed_in_as(Role.PARTICIPANT)
    other_device = app.test_client()
    sign_in(other_device, user)
    wrong = client.submit_form(
        "/account/password", {"current_password": "nope", "password": NEW_PASSWORD}
    )
    assert error_messages(check_page(wrong, status=400)) == ["Your current password is incorrect"]
    done = client.submit_form(
        "/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD}
    )
    assert done.headers["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    assert other_device.get("/account/").status_code == 302


def test_changing_the_email_address_needs_the_new_address_confirmed(
    client, signed_in_as, session, outbox
):
    user = signed_in_as(Role.PARTICIPANT, email="old@example.com")
    response = client.submit_form(
        "/account/email", {"email": "New@Example.com", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account/"
    assert user_named(session, "old@example.com") is not None, "nothing changes yet"
    [link] = outbox.links(outbox.last("new@example.com"))[:1]
    assert "/account/email/confirm/" in link
    client.submit_form(path_of(link), {})
    assert user_named(session, "new@example.com").id == user.id
    assert outbox.last("old@example.com").subject == "Your email address has been changed"


def test_email_preferences_are_saved_and_respected(client, signed_in_as, session):
    user = signed_in_as(Role.PARTICIPANT)
    page = check_page(client.get("/account/emails"))
    assert len(page.select("input[name=wanted][checked]")) == 3
    client.submit_form("/account/emails", {"wanted": ["reminders"]})
    page = check_page(client.get("/account/emails"))
    assert [box["value"] for box in page.select("input[name=wanted][checked]")] == ["reminders"]

    from portal.auth.models import EmailCategory
    from portal.notifications.services import queue_email

    with client.application.app_context():
        skipped = queue_email(
            session,
            to=session.get(User, user.id),
            subject="Survey reminder",
            template="email_changed",
            context={"name": "x"},
            category=EmailCategory.SURVEY_REMINDERS,
        )
    assert skipped is None


def test_an_invited_person_sets_a_password_and_an_officer_sets_up_two_factor(
    client, signed_in_as, session, outbox
):
    signed_in_as(Role.ADMIN)
    client.submit_form(
        "/admin/users/invite",
        {"name": "Olu Officer", "email": "olu@example.com", "roles": ["officer"]},
    )
    invited = user_named(session, "olu@example.com")
    assert invited.status == UserStatus.INVITED
    [link] = outbox.links(outbox.last("olu@example.com"))[:1]
    client.post("/sign-out", data={"csrf_token": client.csrf_token_from("/account/")})

    page = check_page(client.get(path_of(link)))
    assert "officer" in page.get_text()
    response = client.submit_form(path_of(link), {"password": NEW_PASSWORD})
    assert response.headers["Location"] == "/sign-in/set-up-two-factor"
    assert user_named(session, "olu@example.com").status == UserStatus.ACTIVE
    assert client.get(path_of(link)).status_code == 400


@given(
    email=st.text(max_size=400),
    password=st.text(max_size=300),
    name=st.text(max_size=250),
)
def test_no_account_form_answers_with_an_error_page(client, email, password, name):
    for path, data in [
        ("/sign-in", {"email": email, "password": password}),
        ("/create-account", {"name": name, "email": email, "password": password}),
        ("/forgot-password", {"email": email}),
        ("/reset-password/" + (name.replace("/", "") or "x")[:80], {"password": password}),
        ("/invitation/" + (name.replace("/", "") or "x")[:80], {"password": password}),
    ]:
        response = client.post(path, data={"csrf_token": "made-up", **data})
        assert response.status_code < 500, (path, data)


def test_an_address_our_email_cannot_reach_is_refused_and_names_lose_bidi_controls(
    client, session, signed_in_as
):
    """The mail server refused ü@exämple.com (no SMTPUTF8) after the form accepted it."""
    refused = client.submit_form(
        "/create-account",
        {"name": "Zo\u00eb", "email": "\u00fc@ex\u00e4mple.com", "password": NEW_PASSWORD},
    )
    assert error_messages(check_page(refused, status=400)) == [
        "Enter an email address that uses only the letters a to z, numbers and symbols. "
        "We cannot send email to addresses with accents or letters from other alphabets"
    ]
    created = client.submit_form(
        "/create-account",
        {
            "name": "\u202eZo\u00eb\u200f Ng\u2069",
            "email": "zoe@example.com",
            "password": NEW_PASSWORD,
        },
    )
    assert created.status_code == 302
    assert user_named(session, "zoe@example.com").name == "Zo\u00eb Ng"

    signed_in_as(Role.ADMIN)
    for path, data in [
        ("/admin/users/invite", {"name": "Una", "email": "\u00fc@example.com", "roles": "officer"}),
        ("/admin/contractors/add", {"name": "Acme", "contact_email": "j\u00f6@acme.example.com"}),
    ]:
        page = check_page(client.submit_form(path, data), status=400)
        assert error_messages(page)[-1].startswith("Enter an email address that uses only"), path


def test_the_account_page_sends_few_statements(client, signed_in_as, statements_of):
    """Issue 16: a participant's account page, with their roles, recovery codes and email
    choices, stays within the statements every participant page may send."""
    signed_in_as(Role.PARTICIPANT)
    sent = statements_of(lambda: client.get("/account/"))
    assert len(sent) <= PAGE_STATEMENTS, sent
    # The signed-in person is loaded without their password hash or two-factor secret.
    (person,) = [statement for statement in sent if "FROM user_account" in statement]
    assert "password_hash" not in person
    assert "totp_secret" not in person
