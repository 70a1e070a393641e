"""Sessions end after inactivity (with a warning that lets the person stay) and after 12 hours."""

import time

from portal.auth.models import Role
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
