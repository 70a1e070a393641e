"""The outbox pages: administrators see what needs attention and can send failed email again."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.notifications.models import OutboxStatus
from tests.fixtures.factories import make_message
from tests.fixtures.pages import check_page


def rows(page):
    """The cells of the 'need attention' table, as a person reads them."""
    table = page.select("table")[-1]
    return [
        [" ".join(cell.get_text().split()) for cell in row.select("th, td")]
        for row in table.tbody.select("tr")
    ]


def test_the_outbox_lists_failed_email_first_then_waiting_with_counts(
    client, session, signed_in_as
):
    signed_in_as(Role.ADMIN)
    now = utcnow()
    make_message(session, subject="Waiting", created_at=now - dt.timedelta(minutes=1))
    make_message(session, subject="Being sent", status=OutboxStatus.SENDING, created_at=now)
    make_message(
        session,
        subject="Failed long ago",
        status=OutboxStatus.FAILED,
        attempts=6,
        created_at=now - dt.timedelta(days=2),
    )
    make_message(session, subject="Delivered", status=OutboxStatus.SENT, sent_at=now)

    page = check_page(client.get("/admin/outbox/"))
    assert page.h1.get_text() == "Outgoing email"
    counts = {
        row[0]: row[1]
        for row in (
            [" ".join(c.get_text().split()) for c in tr.select("th, td")]
            for tr in page.select("table")[0].tbody.select("tr")
        )
    }
    assert counts == {
        "Waiting to send": "1",
        "Sending": "1",
        "Sent": "1",
        "Failed": "1",
        "Cancelled": "0",
    }
    listed = rows(page)
    assert [row[0] for row in listed] == ["Failed long ago", "Being sent", "Waiting"]
    assert listed[0][2:4] == ["Failed", "6"]
    assert "Delivered" not in page.get_text()


def test_an_empty_outbox_says_so(client, signed_in_as):
    signed_in_as(Role.ADMIN)
    page = check_page(client.get("/admin/outbox/"))
    assert "No emails are waiting or failed." in page.get_text()


def test_a_long_outbox_is_shown_in_pages(client, session, signed_in_as):
    signed_in_as(Role.ADMIN)
    for number in range(55):
        make_message(session, subject=f"Email {number:02d}")
    first = check_page(client.get("/admin/outbox/"))
    assert len(rows(first)) == 50
    assert "Showing 1 to 50 of 55 emails." in first.get_text()
    assert first.select_one(".govuk-pagination__next a")["href"] == "/admin/outbox/?page=2"

    second = check_page(client.get("/admin/outbox/?page=2"))
    assert len(rows(second)) == 5
    assert "Showing 51 to 55 of 55 emails." in second.get_text()
    assert second.select_one(".govuk-pagination__next") is None

    beyond = check_page(client.get("/admin/outbox/?page=99"))
    assert "Showing 51 to 55 of 55 emails." in beyond.get_text()
    assert check_page(client.get("/admin/outbox/?page=nonsense")).h1


def test_a_message_page_shows_its_details_but_not_its_body(client, session, signed_in_as):
    signed_in_as(Role.ADMIN)
    message = make_message(
        session,
        to_address="sam@example.com",
        subject="Reset your password",
        body_text="Reset it: https://peernetworks.example.org.uk/reset/secret-token\n",
        status=OutboxStatus.QUEUED,
        attempts=2,
        last_error="421 Service not available",
    )
    page = check_page(client.get(f"/admin/outbox/{message.id}"))
    assert page.h1.get_text() == "Reset your password"
    details = {
        " ".join(row.dt.get_text().split()): " ".join(row.dd.get_text().split())
        for row in page.select(".govuk-summary-list__row")
    }
    assert details["To"] == "sam@example.com"
    assert details["Status"] == "Waiting to send"
    assert details["Attempts"] == "2"
    assert details["Last error"] == "421 Service not available"
    assert details["Kind of email"] == "Essential (cannot be turned off)"
    assert details["Message-ID"] == message.message_id
    assert "secret-token" not in page.get_text()  # a live link is for its recipient only
    assert page.main.select("form[method=post]") == []  # only failed email can be sent again


def test_an_unknown_message_is_not_found(client, signed_in_as):
    signed_in_as(Role.ADMIN)
    assert client.get("/admin/outbox/999999").status_code == 404
    assert client.get("/admin/outbox/not-a-number").status_code == 404


def test_sending_again_a_message_that_has_not_failed_changes_nothing(client, session, signed_in_as):
    signed_in_as(Role.ADMIN)
    sent = make_message(session, status=OutboxStatus.SENT, attempts=1, sent_at=utcnow())
    failed = make_message(session, status=OutboxStatus.FAILED, attempts=6)
    token = client.csrf_token_from(f"/admin/outbox/{failed.id}")

    response = client.post(f"/admin/outbox/{sent.id}", data={"csrf_token": token})
    assert response.status_code == 302
    page = check_page(client.get(f"/admin/outbox/{sent.id}"))
    assert "was not sent again: it is sent" in page.get_text()
    session.refresh(sent)
    assert (sent.status, sent.attempts) == (OutboxStatus.SENT, 1)
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_post_without_a_csrf_token_does_not_send_again(client, session, signed_in_as):
    signed_in_as(Role.ADMIN)
    failed = make_message(session, status=OutboxStatus.FAILED, attempts=6)
    page = check_page(client.post(f"/admin/outbox/{failed.id}"), status=400)
    assert page.select_one(".govuk-error-summary")
    session.refresh(failed)
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 6)
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.FACILITATOR, Role.OFFICER])
def test_only_administrators_may_see_the_outbox(client, session, signed_in_as, role):
    signed_in_as(role)
    failed = make_message(session, status=OutboxStatus.FAILED)
    assert client.get("/admin/outbox/").status_code == 403
    assert client.get(f"/admin/outbox/{failed.id}").status_code == 403
    assert client.post(f"/admin/outbox/{failed.id}").status_code in {400, 403}
    session.refresh(failed)
    assert failed.status is OutboxStatus.FAILED


def test_people_not_signed_in_are_sent_to_sign_in(client, session):
    failed = make_message(session, status=OutboxStatus.FAILED)
    for path in ["/admin/outbox/", f"/admin/outbox/{failed.id}"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in")
    assert client.post(f"/admin/outbox/{failed.id}").status_code in {302, 400}
    session.refresh(failed)
    assert failed.status is OutboxStatus.FAILED
