"""Without a mail server (the development default) email is written to files and the console."""

import datetime as dt
import email
import email.policy
from pathlib import Path

from portal.db_base import utcnow
from portal.notifications.models import OutboxStatus
from portal.notifications.sender import FOLDER_LISTS_AT_MOST
from portal.notifications.services import Attachment
from tests.notifications.conftest import LINK


def read_eml(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def unix(text):
    return text.replace("\r\n", "\n")


def test_each_message_is_written_as_an_eml_file_a_mail_reader_can_open(
    app, queue, send, outbox, capsys
):
    invite = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    queue("sam@example.com", attachments=[Attachment("session.ics", "text/calendar", invite)])
    queued = outbox.last("sam@example.com")

    now = utcnow() + dt.timedelta(seconds=1)
    report = send(now)
    assert (report.claimed, report.sent) == (1, 1)
    assert report.summary() == "1 sent, 0 to retry, 0 failed"

    [path] = list((Path(app.instance_path) / "mail").glob("*.eml"))
    saved = read_eml(path)
    assert saved["To"] == "sam@example.com"
    assert saved["From"] == "Boost Peer Networks <no-reply@example.org.uk>"
    assert saved["Subject"] == "Your Peer Networks place"
    assert saved["Message-ID"] == queued.message_id
    assert saved["Auto-Submitted"] == "auto-generated"
    assert unix(saved.get_body(("plain",)).get_content()) == queued.body_text
    assert unix(saved.get_body(("html",)).get_content()).strip() == queued.body_html.strip()
    [attached] = list(saved.iter_attachments())
    assert attached.get_filename() == "session.ics"
    assert attached.get_content_type() == "text/calendar"
    assert attached.get_payload(decode=True) == invite

    console = capsys.readouterr().out
    assert "Email to sam@example.com: 'Your Peer Networks place'" in console
    assert console.rstrip().endswith(f".eml) {LINK}")  # the footer's link is left out

    sent = outbox.last("sam@example.com")
    assert sent.status is OutboxStatus.SENT
    assert sent.sent_at == now
    assert sent.lease_until is None
    assert send(now + dt.timedelta(minutes=5)).claimed == 0  # never sent twice


def test_the_folder_can_be_chosen(app, queue, send, tmp_path):
    app.config["MAIL_FOLDER"] = str(tmp_path / "elsewhere")
    queue()
    send()
    assert len(list((tmp_path / "elsewhere").glob("*.eml"))) == 1


def test_an_unwritable_folder_is_a_failed_attempt_not_a_crash(app, queue, send, outbox, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app.config["MAIL_FOLDER"] = str(blocker / "mail")
    queue()
    report = send()
    assert report.retrying == 1
    message = outbox.last("owner@example.com")
    assert message.status is OutboxStatus.QUEUED
    assert message.attempts == 1
    assert message.last_error.startswith("Could not write the email file")


def test_send_mail_command_sends_what_is_due(app, queue, outbox):
    queue("a@example.com")
    queue("b@example.com")
    result = app.test_cli_runner().invoke(args=["portal", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "2 sent, 0 to retry, 0 failed" in result.output
    assert {message.status for message in outbox.messages()} == {OutboxStatus.SENT}

    again = app.test_cli_runner().invoke(args=["portal", "send-mail"])
    assert again.output.strip() == "No email was due."


def test_send_mail_command_works_through_every_batch(app, queue, outbox):
    for number in range(5):
        queue(f"person{number}@example.com")
    result = app.test_cli_runner().invoke(args=["portal", "send-mail", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert {message.status for message in outbox.messages()} == {OutboxStatus.SENT}


def test_a_large_batch_is_one_line_on_the_console_and_every_file_is_written(app, queue, outbox):
    """The demo data's 82 emails do not scroll the first `make run` away; a few are listed."""
    for number in range(FOLDER_LISTS_AT_MOST + 1):
        queue(f"person{number}@example.com")
    result = app.test_cli_runner().invoke(args=["portal", "send-mail"])
    assert result.exit_code == 0, result.output
    folder = Path(app.instance_path) / "mail"
    assert result.output.splitlines() == [
        f"11 emails written to {folder} (too many to list here).",
        "11 sent, 0 to retry, 0 failed",
    ]
    assert len(list(folder.glob("*.eml"))) == 11

    for number in range(FOLDER_LISTS_AT_MOST):
        queue(f"later{number}@example.com")
    listed = app.test_cli_runner().invoke(args=["portal", "send-mail"]).output.splitlines()
    assert len(listed) == FOLDER_LISTS_AT_MOST + 1
    assert listed[0].startswith("Email to later0@example.com: ")


def test_the_job_runner_sends_mail(app, queue, outbox):
    queue()
    result = app.test_cli_runner().invoke(args=["portal", "run-jobs"])
    assert "send-mail: ok: 1 sent, 0 to retry, 0 failed" in result.output
    assert outbox.last("owner@example.com").status is OutboxStatus.SENT


def test_the_worker_sends_mail_every_round(app, queue, outbox):
    queue()
    result = app.test_cli_runner().invoke(args=["portal", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert outbox.last("owner@example.com").status is OutboxStatus.SENT
