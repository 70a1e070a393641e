"""Sending the outbox: claim due messages with a lease, send them, record each outcome.

Several senders may run at once (cron on every app server, the worker, ``portal
send-mail``) and never send one message twice: due messages are claimed in one short
transaction (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the writing
session's ``BEGIN IMMEDIATE`` makes claims take turns), marked ``sending`` with a lease,
and committed before anything talks to the mail server. A sender that dies mid-batch
loses its lease, and another takes the messages on once it expires: delivery is at least
once, and the stored Message-ID lets mail clients show a repeat as one message.

With ``MAIL_SERVER`` set, messages go out over SMTP; without one (the development
default) each is written to ``MAIL_FOLDER`` as an ``.eml`` file and summarised on the
console, links included, so a developer can follow a verification link. A batch of more than
``FOLDER_LISTS_AT_MOST`` (the demo data's, on a first ``make run``) is one line instead.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import smtplib
import ssl
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

import click
from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from portal.db_base import utcnow
from portal.notifications.models import OutboxAttachment, OutboxMessage, OutboxStatus

# How long a claim holds its messages. A batch that runs longer stops and hands the rest
# back (see _LEASE_SAFETY), so another sender can never take a message still being sent.
LEASE = dt.timedelta(minutes=10)
_LEASE_SAFETY = 0.8
_ERROR_LIMIT = 500
_LINK = re.compile(r"https?://[^\s<>\"']+")
FOLDER_LISTS_AT_MOST = 10

# Errors about one message: the SMTP connection is still good for the next one.
_MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


@dataclass
class SendReport:
    """What one call of :func:`send_due_messages` did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0  # failed this time, to be tried again later
    failed: int = 0  # failed for the last time: an administrator must act
    released: int = 0  # claimed but handed back unsent, as the lease was running out

    def summary(self) -> str:
        if not self.claimed:
            return "No email was due."
        parts = [f"{self.sent} sent", f"{self.retrying} to retry", f"{self.failed} failed"]
        if self.released:
            parts.append(f"{self.released} handed back")
        return ", ".join(parts)


@dataclass(frozen=True)
class ClaimedMessage:
    """What is needed to send a claimed message, read inside the claim's transaction."""

    id: int
    to_address: str
    subject: str
    body_text: str
    body_html: str
    message_id: str
    attempts: int
    attachments: tuple[tuple[str, str, bytes], ...]


class DeliveryError(Exception):
    """A message could not be delivered. The text is what is stored as ``last_error``.

    ``permanent``: trying again cannot help (the mail server refused this message for good),
    so it fails at once for an administrator to look at.
    """

    def __init__(self, text: str, *, permanent: bool = False) -> None:
        super().__init__(text)
        self.permanent = permanent


def send_due_messages(
    session: Session, *, now: dt.datetime | None = None, limit: int = 50
) -> SendReport:
    """Send up to ``limit`` due messages and record each outcome. Needs an app context.

    ``session`` must be a writing session (``database(app).session(writing=True)``, or
    ``portal.db.session`` in a command or job) with no work pending: this commits it after
    the claim and after each outcome, and leaves no transaction open while sending.

    Side effects: messages become ``sent``; or, after a failed attempt, ``queued`` again
    with exponential backoff (``MAIL_RETRY_BASE_SECONDS`` doubled per attempt) until
    ``MAIL_MAX_ATTEMPTS``, then ``failed``.
    """
    now = now or utcnow()
    lease_until = now + LEASE
    claimed = claim_due_messages(session, now=now, lease_until=lease_until, limit=limit)
    report = SendReport(claimed=len(claimed))
    if not claimed:
        return report
    config = current_app.config
    stop_at = time.monotonic() + LEASE.total_seconds() * _LEASE_SAFETY
    with _delivery(config, len(claimed)) as deliver:
        for index, item in enumerate(claimed):
            if time.monotonic() > stop_at:
                report.released = _release(session, claimed[index:], lease_until)
                break
            try:
                deliver(item, _email_for(item, sender=_sender(config), now=now))
            except Exception as error:
                if not isinstance(error, DeliveryError):  # a bug, not the mail server
                    current_app.logger.exception("Outbox message %s could not be sent", item.id)
                    error = DeliveryError(f"Could not send: {type(error).__name__}")
                gave_up = _record_failure(
                    session, item, str(error), now, lease_until, permanent=error.permanent
                )
                report.failed += gave_up
                report.retrying += not gave_up
            else:
                _record_sent(session, item, now, lease_until)
                report.sent += 1
    return report


def claim_due_messages(
    session: Session, *, now: dt.datetime, lease_until: dt.datetime, limit: int
) -> list[ClaimedMessage]:
    """Mark up to ``limit`` due messages ``sending`` until ``lease_until`` and commit.

    Due: queued with ``next_attempt_at`` passed, or ``sending`` under an expired lease
    (its sender died). Rows another sender is claiming are skipped, not waited for.
    """
    due = or_(
        and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now),
    )
    try:
        messages = session.scalars(
            select(OutboxMessage)
            .where(due)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not messages:
            session.rollback()
            return []
        ids = [message.id for message in messages]
        files: dict[int, list[tuple[str, str, bytes]]] = {message_id: [] for message_id in ids}
        for attachment in session.scalars(
            select(OutboxAttachment)
            .where(OutboxAttachment.outbox_message_id.in_(ids))
            .order_by(OutboxAttachment.id)
        ):
            files[attachment.outbox_message_id].append(
                (attachment.filename, attachment.content_type, attachment.content)
            )
        claimed = [
            ClaimedMessage(
                id=message.id,
                to_address=message.to_address,
                subject=message.subject,
                body_text=message.body_text,
                body_html=message.body_html,
                message_id=message.message_id,
                attempts=message.attempts,
                attachments=tuple(files[message.id]),
            )
            for message in messages
        ]
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status=OutboxStatus.SENDING, lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return claimed


def _held(item: ClaimedMessage, lease_until: dt.datetime) -> Any:
    # Outcomes are only written while the claim is still ours.
    return and_(
        OutboxMessage.id == item.id,
        OutboxMessage.status == OutboxStatus.SENDING,
        OutboxMessage.lease_until == lease_until,
    )


def _record_sent(
    session: Session, item: ClaimedMessage, now: dt.datetime, lease_until: dt.datetime
) -> None:
    _update_held(
        session,
        item,
        lease_until,
        status=OutboxStatus.SENT,
        sent_at=now,
        lease_until=None,
        attempts=item.attempts + 1,
    )


def _record_failure(
    session: Session,
    item: ClaimedMessage,
    error: str,
    now: dt.datetime,
    lease_until: dt.datetime,
    *,
    permanent: bool = False,
) -> bool:
    """Record a failed attempt; True when it was the last one allowed (or ``permanent``)."""
    config = current_app.config
    attempts = item.attempts + 1
    gave_up = permanent or attempts >= config["MAIL_MAX_ATTEMPTS"]
    values: dict[str, Any] = {
        "attempts": attempts,
        "lease_until": None,
        "last_error": error[:_ERROR_LIMIT],
        "status": OutboxStatus.FAILED if gave_up else OutboxStatus.QUEUED,
    }
    if not gave_up:
        delay = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** (attempts - 1)
        values["next_attempt_at"] = now + dt.timedelta(seconds=delay)
    _update_held(session, item, lease_until, **values)
    return gave_up


def _release(session: Session, items: Sequence[ClaimedMessage], lease_until: dt.datetime) -> int:
    for item in items:
        _update_held(session, item, lease_until, status=OutboxStatus.QUEUED, lease_until=None)
    return len(items)


def _update_held(
    session: Session, item: ClaimedMessage, held_until: dt.datetime, **values: Any
) -> None:
    result = session.execute(
        update(OutboxMessage)
        .where(_held(item, held_until))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        current_app.logger.warning(
            "Outbox message %s was no longer held by this sender; its outcome was not recorded",
            item.id,
        )


def _sender(config: Any) -> str:
    sender = config["MAIL_DEFAULT_SENDER"]
    if isinstance(sender, tuple | list):  # ("Name", "address") is accepted too
        from email.utils import formataddr

        return formataddr((sender[0], sender[1]))
    return str(sender)


def _email_for(item: ClaimedMessage, *, sender: str, now: dt.datetime) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = item.subject
    email["From"] = sender
    email["To"] = item.to_address
    email["Date"] = format_datetime(now)
    email["Message-ID"] = item.message_id
    # RFC 3834: tells autoresponders (out-of-office replies) not to answer.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(item.body_text)
    email.add_alternative(item.body_html, subtype="html")
    for filename, content_type, content in item.attachments:
        maintype, _, subtype = content_type.partition("/")
        email.add_attachment(
            content, maintype=maintype, subtype=subtype or "octet-stream", filename=filename
        )
    return email


class _Deliver(Protocol):
    def __call__(self, item: ClaimedMessage, email: EmailMessage) -> None: ...


@contextmanager
def _delivery(config: Any, count: int) -> Iterator[_Deliver]:
    if config["MAIL_SERVER"]:
        smtp = _SMTPDelivery(config)
        try:
            yield smtp
        finally:
            smtp.close()
    else:
        folder = Path(config["MAIL_FOLDER"] or Path(current_app.instance_path) / "mail")
        files = _FileDelivery(folder, list_each=count <= FOLDER_LISTS_AT_MOST)
        try:
            yield files
        finally:
            files.close()


class _FileDelivery:
    """Development: each message becomes an ``.eml`` file and a line on the console (or,
    for a large batch, the batch one line)."""

    def __init__(self, folder: Path, *, list_each: bool) -> None:
        self.folder = folder
        self.list_each = list_each
        self.written = 0

    def __call__(self, item: ClaimedMessage, email: EmailMessage) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{item.id:06d}-{item.message_id.strip('<>').split('@')[0]}.eml"
            # Written whole, then renamed: a reader never sees half a message.
            with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".part", delete=False) as out:
                out.write(email.as_bytes(policy=policy.SMTP))
            os.replace(out.name, path)
        except OSError as error:
            raise DeliveryError(f"Could not write the email file: {error}") from error
        self.written += 1
        if not self.list_each:
            return
        footer = current_app.config["BASE_URL"].rstrip("/")
        links = " ".join(
            link
            for link in (found.rstrip(".,;:!?)") for found in _LINK.findall(item.body_text))
            if link.rstrip("/") != footer
        )
        click.echo(f"Email to {item.to_address}: {item.subject!r} ({path.name}) {links}".rstrip())

    def close(self) -> None:
        if self.written and not self.list_each:
            click.echo(f"{self.written} emails written to {self.folder} (too many to list here).")


class _SMTPDelivery:
    """One SMTP connection for the batch, opened when first needed.

    If the server cannot be reached, every remaining message in the batch fails with
    that error at once rather than each waiting for its own timeout.
    """

    def __init__(self, config: Any) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None
        self.unreachable: str | None = None

    def __call__(self, item: ClaimedMessage, email: EmailMessage) -> None:
        if self.unreachable:
            raise DeliveryError(self.unreachable)
        if self.smtp is None:
            try:
                self.smtp = self._connect()
            except (OSError, smtplib.SMTPException) as error:
                self.unreachable = _describe(error, connecting=True)
                raise DeliveryError(self.unreachable) from error
        try:
            self.smtp.send_message(email)
        except _MESSAGE_ERRORS as error:
            raise DeliveryError(_describe(error), permanent=is_permanent(error)) from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()  # the connection is in an unknown state: the next message reconnects
            raise DeliveryError(_describe(error)) from error

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
        timeout = config["MAIL_TIMEOUT_SECONDS"]
        smtp: smtplib.SMTP
        if config["MAIL_USE_SSL"]:
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()
        self.smtp = None


def is_permanent(error: smtplib.SMTPException) -> bool:
    """Whether the mail server refused for good (RFC 5321: a 5xx answer), not for now (4xx).

    SMTPNotSupportedError: the message needs something this server does not offer (an
    address with non-ASCII characters needs SMTPUTF8), which sending again cannot change.
    """
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def _describe(error: BaseException, *, connecting: bool = False) -> str:
    """The mail server's answer, without the message's content."""
    if isinstance(error, smtplib.SMTPNotSupportedError):
        text = (
            "The mail server cannot take an address with characters other than plain letters, "
            "numbers and symbols (it does not support SMTPUTF8)"
        )
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [_answer(code, text) for code, text in error.recipients.values()]
        text = "Recipient refused: " + "; ".join(answers)
    elif isinstance(error, smtplib.SMTPResponseException):
        text = _answer(error.smtp_code, error.smtp_error)
    else:
        text = f"{type(error).__name__}: {error}"
    return f"Could not connect to the mail server: {text}" if connecting else text


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {text}".strip()
