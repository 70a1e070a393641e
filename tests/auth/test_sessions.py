"""Sessions end after inactivity (with a warning that lets the person stay) and after 12 hours."""

import datetime as dt
import time

from portal.auth.models import Role
from portal.auth.sessions import forget_ended_sessions
from portal.db_base import utcnow
from tests.fixtures.pages import check_page


def age_session(client, *, idle_seconds=0, signed_in_seconds=0):
    with client.session_transaction() as browser_session:
        browser_session["seen_at"] = time.time() - idle_seconds
        browser_session["signed_in_at"] = time.time() - signed_in_seconds


def test_an_idle_session_ends_with_a_message(client, signed_in_as):
    signed_in_as(Role.PARTICIPANT)
    age_session(client, idle_seconds=31 * 60)
    response = client.get("/account/")
    assert response.headers["Location"].startswith("/sign-in")
    page = check_page(client.get(response.headers["Location"]))
    assert "had not used the service for 30 minutes" in page.get_text()


def test_a_session_ends_after_twelve_hours_however_busy(client, signed_in_as):
    signed_in_as(Role.PARTICIPANT)
    age_session(client, signed_in_seconds=12 * 3600 + 1)
    assert client.get("/account/").status_code == 302


def test_the_warning_can_ask_how_long_is_left_without_extending(client, signed_in_as):
    signed_in_as(Role.PARTICIPANT)
    age_session(client, idle_seconds=26 * 60)
    status = client.get("/session/status").json
    assert status["signed_in"] is True
    assert 3 * 60 < status["seconds_left"] <= 4 * 60
    assert client.get("/session/status").json["seconds_left"] <= 4 * 60, "not counted as activity"


def test_staying_signed_in_resets_the_clock(client, signed_in_as):
    signed_in_as(Role.PARTICIPANT)
    age_session(client, idle_seconds=26 * 60)
    token = client.csrf_token_from("/feedback")
    extended = client.post("/session/extend", headers={"X-CSRFToken": token})
    assert extended.json["extended"] is True
    assert extended.json["seconds_left"] > 29 * 60


def test_the_warning_dialog_is_on_signed_in_pages_only(client, signed_in_as):
    assert check_page(client.get("/")).select_one("dialog#timeout-warning") is None
    signed_in_as(Role.PARTICIPANT)
    dialog = check_page(client.get("/account/")).select_one("dialog#timeout-warning")
    assert dialog["data-idle-seconds"] == "1800"
    assert dialog.select_one("button").get_text(strip=True) == "Stay signed in"


def test_a_signed_out_browser_is_told_it_is_signed_out(client):
    assert client.get("/session/status").json == {"signed_in": False, "seconds_left": 0}


def test_signing_out_ends_copies_of_the_session_cookie_too(app, client, session, signed_in_as):
    """ASVS 3.3.1: a cookie copied before signing out (from another device, a proxy log or
    malware) no longer works once its owner signs out."""
    signed_in_as(Role.PARTICIPANT)
    copy = app.test_client()
    cookie = client.get_cookie("portal_session")
    assert cookie is not None
    copy.set_cookie("portal_session", cookie.value)
    assert copy.get("/account/").status_code == 200
    token = client.csrf_token_from("/account/")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    refused = copy.get("/account/")
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/sign-in")
    # Forgotten only once the session would have reached its 12-hour limit anyway.
    assert forget_ended_sessions(session, utcnow()) == 0
    assert forget_ended_sessions(session, utcnow() + dt.timedelta(hours=12, minutes=1)) == 1
    session.commit()


def test_a_session_from_before_session_ids_still_works_until_its_time_limit(app, client, make_user):
    user = make_user(Role.PARTICIPANT)
    with client.session_transaction() as browser_session:
        browser_session["_user_id"] = user.get_id()
        browser_session["signed_in_at"] = time.time()
        browser_session["seen_at"] = time.time()
    assert client.get("/account/").status_code == 200


def test_pages_read_within_a_minute_leave_the_cookie_as_it_was(client, signed_in_as):
    """A cookie that changes is signed and sent again: the time of the last request is
    written at most once a minute, so reading pages sends no new cookie."""
    signed_in_as(Role.PARTICIPANT)
    client.get("/account/")
    assert "Set-Cookie" not in client.get("/account/").headers
    assert "Set-Cookie" not in client.get("/").headers
    age_session(client, idle_seconds=61)
    assert "Set-Cookie" in client.get("/account/").headers
