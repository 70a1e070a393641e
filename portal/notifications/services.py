"""Queueing email, and the outbox's administration (counts, listing, sending again)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import EmailCategory, EmailPreference, User
from portal.db_base import utcnow
from portal.notifications.models import OutboxAttachment, OutboxMessage, OutboxStatus
from portal.paging import ResultsPage, within_pages

# Statuses an administrator may need to act on, in the order the outbox page lists them.
NEEDS_ATTENTION = (OutboxStatus.FAILED, OutboxStatus.QUEUED, OutboxStatus.SENDING)


@dataclass(frozen=True)
class Attachment:
    """A file to send with an email, e.g. ``Attachment("session.ics", "text/calendar", data)``."""

    filename: str
    content_type: str
    content: bytes


def queue_email(
    session: Session,
    *,
    to: User | str,
    subject: str,
    template: str,
    context: dict[str, Any],
    category: EmailCategory | None = None,
    attachments: Sequence[Attachment] = (),
) -> OutboxMessage | None:
    """Render ``templates/email/<template>.txt`` and ``.html`` and queue the message.

    ``context`` must hold absolute links (``portal.urls.external_url``). Essential email
    passes ``category=None``; otherwise nothing is queued (and None returned) when ``to``
    is a person who turned that category off. Nothing is queued (None) to a person whose
    processing is restricted, whether given as a User or by address. Needs an app context.

    Side effect: flushes a new OutboxMessage, sent after the caller's transaction commits.
    """
    if any(char in subject for char in "\r\n"):
        raise ValueError("An email subject must be one line")
    if isinstance(to, str):
        to = session.scalar(select(User).where(User.email == to)) or to
    if isinstance(to, User):
        if to.is_restricted:  # no email at all: portal.privacy.restriction
            return None
        if category is not None and not _wants(session, to, category):
            return None
        if to.id is None:
            session.flush()
        to_address, user_id = to.email, to.id
    else:
        to_address, user_id = to, None

    values = {
        **context,
        "subject": subject,
        "email_category": category,
        "service_name": current_app.config["SERVICE_NAME"],
        "base_url": current_app.config["BASE_URL"],
    }
    message = OutboxMessage(
        to_address=to_address,
        user_id=user_id,
        subject=subject,
        body_text=_tidy_text(render_template(f"email/{template}.txt", **values)),
        body_html=render_template(f"email/{template}.html", **values),
        message_id=new_message_id(),
        category=category,
        status=OutboxStatus.QUEUED,
        attempts=0,
        next_attempt_at=utcnow(),
        attachments=[
            OutboxAttachment(
                filename=item.filename, content_type=item.content_type, content=item.content
            )
            for item in attachments
        ],
    )
    session.add(message)
    session.flush()
    return message


def new_message_id() -> str:
    """A unique RFC 5322 Message-ID on the domain of BASE_URL."""
    domain = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def _wants(session: Session, user: User, category: EmailCategory) -> bool:
    wanted = session.scalar(
        select(EmailPreference.wanted).where(
            EmailPreference.user_id == user.id, EmailPreference.category == category
        )
    )
    return wanted is not False  # no row: they get it


_BLANK_LINES = re.compile(r"\n{3,}")


def _tidy_text(text: str) -> str:
    """Plain text as a person reads it: no trailing spaces, at most one blank line in a row."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", lines) + "\n"


class NotResendable(Exception):
    """Only a failed message can be sent again."""


def resend(session: Session, message: OutboxMessage, *, actor: User | None) -> None:
    """Queue a failed message again, as if new: attempts reset, due now.

    Raises NotResendable unless the message has failed. Side effects: flushes the
    message and an ``outbox.resent`` audit event.
    """
    if message.status is not OutboxStatus.FAILED:
        raise NotResendable(f"Message {message.id} is {message.status.value}, not failed")
    message.status = OutboxStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.lease_until = None
    session.flush()
    record(
        session,
        actor=actor,
        action="outbox.resent",
        entity_type="outbox_message",
        entity_id=message.id,
    )


def status_counts(session: Session) -> dict[OutboxStatus, int]:
    """How many messages are in each status (every status present, zero or not)."""
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    found = {status: count for status, count in rows}
    return {status: found.get(status, 0) for status in OutboxStatus}


def needing_attention(
    session: Session, *, page: int = 1, per_page: int = 50
) -> ResultsPage[OutboxMessage]:
    """Failed messages first (newest first), then those waiting or being sent."""
    waiting = OutboxMessage.status.in_(NEEDS_ATTENTION)
    total = session.scalar(select(func.count()).select_from(OutboxMessage).where(waiting)) or 0
    page = within_pages(page, total, per_page)
    failed_first = case((OutboxMessage.status == OutboxStatus.FAILED, 0), else_=1)
    messages = session.scalars(
        select(OutboxMessage)
        .where(waiting)
        .order_by(failed_first, OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return ResultsPage(messages, total, page, per_page)
