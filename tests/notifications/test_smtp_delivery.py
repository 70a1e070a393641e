"""Real SMTP delivery to aiosmtpd on 127.0.0.1: headers, outages, racing senders, giving up."""

import datetime as dt
import socket
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from portal import db
from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.notifications.models import OutboxStatus
from portal.notifications.sender import send_due_messages
from portal.notifications.services import Attachment
from tests.fixtures.pages import check_page
from tests.notifications.conftest import LINK


@pytest.fixture
def app_config(smtp_server):
    return smtp_server.mail_config()


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe closes


def test_a_message_is_delivered_over_smtp_with_its_stored_headers(queue, send, outbox, smtp_server):
    invite = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    queue("sam@example.com", attachments=[Attachment("session.ics", "text/calendar", invite)])
    queued = outbox.last("sam@example.com")

    assert send().sent == 1

    [received] = smtp_server.messages
    assert received["X-Envelope-To"] == "sam@example.com"
    assert received["To"] == "sam@example.com"
    assert received["From"] == "Boost Peer Networks <no-reply@example.org.uk>"
    assert received["Subject"] == "Your Peer Networks place"
    assert received["Message-ID"] == queued.message_id
    assert received["Date"]
    plain = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain == queued.body_text
    assert LINK in plain
    html = received.get_body(("html",)).get_content()
    assert f'href="{LINK}"' in html
    [attached] = list(received.iter_attachments())
    assert attached.get_filename() == "session.ics"
    assert attached.get_payload(decode=True) == invite

    sent = outbox.last("sam@example.com")
    assert (sent.status, sent.attempts, sent.last_error) == (OutboxStatus.SENT, 1, None)


@pytest.mark.parametrize("outage", ["server refuses mail", "server unreachable"])
def test_mail_queued_during_an_outage_arrives_exactly_once_when_it_ends(
    app, queue, send, outbox, smtp_server, outage
):
    if outage == "server refuses mail":
        smtp_server.handler.refuse = True
    else:
        app.config["MAIL_PORT"] = closed_port()
    addresses = [f"person{number}@example.com" for number in range(4)]
    for address in addresses:
        queue(address)
    start = utcnow() + dt.timedelta(seconds=1)

    during = send(start)
    assert (during.claimed, during.sent, during.retrying, during.failed) == (4, 0, 4, 0)
    for message in outbox.messages():
        assert message.status is OutboxStatus.QUEUED
        assert message.attempts == 1
        assert message.next_attempt_at == start + dt.timedelta(seconds=60)
        assert message.lease_until is None
        expected = "451 Try again later" if outage == "server refuses mail" else "Could not connect"
        assert message.last_error.startswith(expected)
        assert "Hello" not in message.last_error  # the server's answer, not the content
    assert smtp_server.messages == []

    assert send(start + dt.timedelta(seconds=59)).claimed == 0  # backing off

    second = send(start + dt.timedelta(seconds=60))  # still down: waits twice as long
    assert second.retrying == 4
    assert {m.next_attempt_at for m in outbox.messages()} == {start + dt.timedelta(seconds=180)}
    assert {m.attempts for m in outbox.messages()} == {2}

    smtp_server.handler.refuse = False
    app.config["MAIL_PORT"] = smtp_server.port
    after = send(start + dt.timedelta(seconds=180))
    assert (after.sent, after.retrying) == (4, 0)
    assert send(start + dt.timedelta(hours=2)).claimed == 0

    received = Counter(message["X-Envelope-To"] for message in smtp_server.messages)
    assert received == Counter(addresses)
    assert {message["Message-ID"] for message in smtp_server.messages} == {
        message.message_id for message in outbox.messages()
    }
    assert {m.status for m in outbox.messages()} == {OutboxStatus.SENT}


def test_senders_racing_each_other_never_send_a_message_twice(app, queue, smtp_server, outbox):
    addresses = [f"person{number}@example.com" for number in range(12)]
    for address in addresses:
        queue(address)
    now = utcnow() + dt.timedelta(seconds=1)
    sessions = [db.database(app).session(writing=True) for _ in range(4)]
    barrier = threading.Barrier(len(sessions))
    errors = []

    def sender(own_session):
        try:
            with app.app_context():
                barrier.wait()
                while send_due_messages(own_session, now=now, limit=2).claimed:
                    pass
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=sender, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for own_session in sessions:
        own_session.close()

    assert errors == []
    received = Counter(message["X-Envelope-To"] for message in smtp_server.messages)
    assert received == Counter(addresses), "every message arrives, none twice"
    assert {m.status for m in outbox.messages()} == {OutboxStatus.SENT}
    assert {m.attempts for m in outbox.messages()} == {1}


def test_a_message_whose_sender_died_is_taken_on_once_its_lease_expires(
    app, queue, send, outbox, smtp_server, writing_session
):
    from portal.notifications.sender import LEASE, claim_due_messages

    queue()
    start = utcnow() + dt.timedelta(seconds=1)
    with app.app_context():  # a sender claims the message, then dies before sending it
        claim_due_messages(writing_session, now=start, lease_until=start + LEASE, limit=10)
    assert outbox.last("owner@example.com").status is OutboxStatus.SENDING

    assert send(start + LEASE - dt.timedelta(seconds=1)).claimed == 0
    assert send(start + LEASE + dt.timedelta(seconds=1)).sent == 1
    assert len(smtp_server.messages) == 1


@pytest.fixture
def fail_after_three(app):
    app.config["MAIL_MAX_ATTEMPTS"] = 3


def test_after_the_last_attempt_the_message_fails_and_an_admin_can_send_it_again(
    app, client, queue, send, outbox, smtp_server, signed_in_as, session, fail_after_three
):
    smtp_server.handler.refuse = True
    queue("sam@example.com", subject="Your place is confirmed")
    start = utcnow() + dt.timedelta(seconds=1)
    assert send(start).retrying == 1
    assert send(start + dt.timedelta(seconds=60)).retrying == 1
    last = send(start + dt.timedelta(seconds=180))
    assert (last.retrying, last.failed) == (0, 1)
    assert last.summary() == "0 sent, 0 to retry, 1 failed"
    failed = outbox.last("sam@example.com")
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 3)
    assert send(start + dt.timedelta(days=1)).claimed == 0  # given up: an admin must act

    admin = signed_in_as(Role.ADMIN)
    listing = check_page(client.get("/admin/outbox/"))
    first_row = listing.select("table")[-1].tbody.tr
    assert "Your place is confirmed" in first_row.get_text()
    assert "Failed" in first_row.get_text()

    detail_path = f"/admin/outbox/{failed.id}"
    detail = check_page(client.get(detail_path))
    assert "451 Try again later" in detail.get_text()
    assert detail.main.select_one("form button").get_text(strip=True) == "Send again"

    smtp_server.handler.refuse = False
    response = client.submit_form(detail_path, {})
    assert response.status_code == 302
    assert response.headers["Location"] == detail_path
    banner = check_page(client.get(detail_path)).select_one(".govuk-notification-banner--success")
    assert "will be sent again" in banner.get_text()

    requeued = outbox.last("sam@example.com")
    assert (requeued.status, requeued.attempts) == (OutboxStatus.QUEUED, 0)
    event = session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id) == ("outbox.resent", admin.id)
    assert (event.entity_type, event.entity_id) == ("outbox_message", str(failed.id))

    assert send().sent == 1
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == ["sam@example.com"]


def test_a_permanent_refusal_fails_at_once_with_the_reason_shown(
    client, queue, send, outbox, smtp_server, signed_in_as
):
    """A 5xx answer, or an address the server cannot take at all, will not change by trying
    again (the address with an accent was retried as a temporary fault): failed at once, for
    an administrator to see why. A 4xx answer is tried again."""
    smtp_server.handler.unknown_recipients = {"gone@example.com"}
    queue("gone@example.com", subject="To an unknown mailbox")
    queue("\u00fc@ex\u00e4mple.com", subject="To an accented address")
    queue("sam@example.com", subject="To a good address")
    report = send()
    assert (report.sent, report.retrying, report.failed) == (1, 0, 2)
    gone = outbox.last("gone@example.com")
    assert (gone.status, gone.attempts) == (OutboxStatus.FAILED, 1)
    assert gone.last_error == "Recipient refused: 550 5.1.1 No such mailbox here"
    accented = outbox.last("\u00fc@ex\u00e4mple.com")
    assert (accented.status, accented.attempts) == (OutboxStatus.FAILED, 1)
    assert "SMTPUTF8" in accented.last_error

    smtp_server.handler.refuse_for_good = True
    queue("kim@example.com", subject="Refused for good")
    assert send().failed == 1
    assert outbox.last("kim@example.com").last_error == "554 5.7.1 Message refused"

    smtp_server.handler.refuse = True
    queue("lee@example.com", subject="Refused for now")
    assert send().retrying == 1
    assert outbox.last("lee@example.com").status is OutboxStatus.QUEUED

    signed_in_as(Role.ADMIN)
    listing = check_page(client.get("/admin/outbox/"))
    rows = {
        row.find("a").get_text(strip=True): [cell.get_text(strip=True) for cell in row("td")]
        for row in listing.select("table")[-1].tbody.find_all("tr")
    }
    assert rows["To an unknown mailbox"][-1] == "Recipient refused: 550 5.1.1 No such mailbox here"
    assert [rows[subject][2] for subject in sorted(rows)] == [
        "Failed",
        "Waiting to send",
        "Failed",
        "Failed",
    ]
    assert rows["Refused for good"][-1] == "554 5.7.1 Message refused"
    assert "SMTPUTF8" in rows["To an accented address"][-1]
    assert rows["Refused for now"][-1] == "451 Try again later"
