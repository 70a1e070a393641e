"""Writing to a group: a draft, checked and previewed, a test to the writer, then one send.

Sending queues one email per person in the outbox (nobody sees anyone else's address), in
the same transaction as the message becoming sent, with a row per person that their page
lists. Limits keep a slip from reaching thousands twice: a message goes to at most
``MESSAGE_MAX_RECIPIENTS`` people, the same words cannot go to the same audience twice
within ``REPEAT_WINDOW``, and a draft is sent once however often its button is pressed
(guarded status change; two sends of one draft at once send it once).

Functions flush and never commit. Refusals raise MessageRefused with the field to show it on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from portal.audit.services import record
from portal.auth.models import EmailCategory, Role, User
from portal.merge_fields import merge, paragraphs, unknown_fields_error
from portal.messages.audiences import (
    Audience,
    Recipient,
    Recipients,
    audience_for,
    recipients,
    stored_params,
)
from portal.messages.models import GroupMessage, GroupMessageRecipient, MessageStatus
from portal.notifications.services import queue_email
from portal.presentation import plural
from portal.state_changes import Audit, StatusConflict, change_status
from portal.timefmt import govuk_datetime
from portal.urls import external_url

SUBJECT_MAX = 150
BODY_MAX = 10_000
REPEAT_WINDOW = dt.timedelta(hours=24)
DEFAULT_MAX_RECIPIENTS = 500


class MessageRefused(Exception):
    """The message cannot be saved or sent; ``field`` (or None) and the message say why."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# Drafts


def check_words(audience: Audience, subject: str, body: str) -> list[MessageRefused]:
    """Every problem with the words (an empty list when they can be saved)."""
    problems = []
    if not subject.strip():
        problems.append(MessageRefused("Enter a subject", "subject"))
    elif len(subject) > SUBJECT_MAX:
        problems.append(
            MessageRefused(f"The subject must be {SUBJECT_MAX} characters or fewer", "subject")
        )
    elif error := unknown_fields_error(subject, audience.fields):
        problems.append(MessageRefused(error, "subject"))
    if not body.strip():
        problems.append(MessageRefused("Enter the message", "body"))
    elif len(body) > BODY_MAX:
        problems.append(
            MessageRefused(f"The message must be {BODY_MAX:,} characters or fewer", "body")
        )
    elif error := unknown_fields_error(body, audience.fields):
        problems.append(MessageRefused(error, "body"))
    return problems


def save_draft(
    session: Session,
    audience: Audience,
    *,
    subject: str,
    body: str,
    category: EmailCategory | None,
    author: User,
    now: dt.datetime,
    draft: GroupMessage | None = None,
) -> GroupMessage:
    """Save the words as a new draft (or over ``draft``, still a draft). Raises the first
    MessageRefused for words that cannot be sent. Side effects: flushes the draft."""
    problems = check_words(audience, subject, body)
    if problems:
        raise problems[0]
    if draft is not None and draft.status is not MessageStatus.DRAFT:
        raise MessageRefused("This message has already been sent")
    message = draft or GroupMessage(
        status=MessageStatus.DRAFT,
        audience_kind=audience.kind,
        audience=stored_params(audience),
        audience_label=audience.label[:300],
        cohort_id=audience.cohort_id,
        round_id=audience.round_id,
        created_by_id=author.id,
        created_at=now,
        status_changed_at=now,
    )
    message.subject = " ".join(subject.split())
    message.body = body.replace("\r\n", "\n").strip()
    message.category = category
    session.add(message)
    session.flush()
    return message


def message_for(session: Session, user: User, message_id: int) -> GroupMessage:
    """A message ``user`` may open: a draft they wrote; a sent message they sent, or any
    sent message for an officer. Anything else is 404."""
    message = session.get(GroupMessage, message_id)
    if message is None:
        raise NotFound()
    mine = message.created_by_id == user.id
    if message.status is MessageStatus.DRAFT and not mine:
        raise NotFound()
    if not (mine or user.has_role(Role.OFFICER)):
        raise NotFound()
    return message


def audience_of(session: Session, user: User, message: GroupMessage) -> Audience:
    """The message's audience, checked again against what ``user`` may write to now (a
    facilitator no longer facilitating the cohort gets 404)."""
    return audience_for(session, user, message.audience)


# Previewing


@dataclass(frozen=True)
class Letter:
    """One person's message as they will read it."""

    to: str
    subject: str
    paragraphs: list[str]


def letter_for(message: GroupMessage, recipient: Recipient) -> Letter:
    subject = " ".join(merge(message.subject, recipient.values).split())
    return Letter(
        to=recipient.person.email,
        subject=subject,
        paragraphs=paragraphs(merge(message.body, recipient.values)),
    )


def max_recipients() -> int:
    return int(current_app.config.get("MESSAGE_MAX_RECIPIENTS") or DEFAULT_MAX_RECIPIENTS)


def too_many(found: Recipients) -> str | None:
    """Why a message to these people cannot be sent, or None."""
    limit = max_recipients()
    if len(found.included) <= limit:
        return None
    return (
        f"This message would go to {len(found.included):,} people. A message can go to "
        f"{limit:,} people at most, so a mistake cannot reach everyone at once: choose "
        "fewer people (filter the list further, or write to each cohort)."
    )


# Sending


def send_test(
    session: Session,
    message: GroupMessage,
    found: Recipients,
    *,
    author: User,
    now: dt.datetime,
) -> None:
    """Email the first person's message to its writer, marked as a test.

    Side effects: queues one email to ``author`` (even if their own email preferences
    would leave them out: they asked for it), and sets ``test_sent_at``.
    """
    if message.status is not MessageStatus.DRAFT:
        raise MessageRefused("This message has already been sent")
    if not found.included:
        raise MessageRefused("Nobody would get this message, so there is nothing to test")
    letter = letter_for(message, found.included[0])
    queue_email(
        session,
        to=author,
        subject=f"[Test] {letter.subject}",
        template="group_message",
        context={
            "paragraphs": letter.paragraphs,
            "test_for": found.included[0].person.name,
            "count": len(found.included),
        },
    )
    message.test_sent_at = now
    session.flush()


def repeat_key(audience: Audience, subject: str, body: str) -> str:
    return hashlib.sha256("\n".join([audience.key, subject, body]).encode()).hexdigest()


def send(
    session: Session,
    message: GroupMessage,
    audience: Audience,
    *,
    author: User,
    now: dt.datetime,
) -> int:
    """Send the draft to everyone in its audience now; returns how many it went to.

    Refused (MessageRefused, nothing written) when the message was already sent (another
    click or tab won), nobody would get it, it would go to more people than allowed, or
    the same words went to the same audience in the last 24 hours (checked again by a
    unique key, for two sends at the same moment).

    Side effects: the message becomes sent (guarded; one audit event), one outbox email
    and one recipient row per person, all flushed.
    """
    found = recipients(session, audience, category=message.category, now=now)
    if message.status is not MessageStatus.DRAFT:
        raise MessageRefused("This message has already been sent")
    if not found.included:
        raise MessageRefused("Nobody would get this message")
    if problem := too_many(found):
        raise MessageRefused(problem)
    key = repeat_key(audience, message.subject, message.body)
    # A key a day old no longer holds anything back: free it for this send.
    session.execute(
        update(GroupMessage)
        .where(GroupMessage.repeat_key == key, GroupMessage.sent_at < now - REPEAT_WINDOW)
        .values(repeat_key=None)
        .execution_options(synchronize_session=False)
    )
    earlier = session.scalar(select(GroupMessage).where(GroupMessage.repeat_key == key))
    if earlier is not None:
        raise MessageRefused(_repeat_refusal(earlier.sent_at))
    try:
        with session.begin_nested():
            change_status(
                session,
                message,
                MessageStatus.SENT,
                audit=Audit(actor=author, action="group_message.sent", entity_type="group_message"),
                now=now,
                allowed_from={MessageStatus.DRAFT},
                values={
                    "sent_at": now,
                    "repeat_key": key,
                    "recipient_count": len(found.included),
                    "left_out_count": len(found.left_out),
                },
            )
    except StatusConflict:
        raise MessageRefused("This message has already been sent") from None
    except IntegrityError:  # uq_group_message_repeat_key: the same words, sent meanwhile
        raise MessageRefused(_repeat_refusal(None)) from None
    for recipient in found.included:
        letter = letter_for(message, recipient)
        queued = queue_email(
            session,
            to=recipient.person,
            subject=letter.subject,
            template="group_message",
            category=message.category,
            context={
                "paragraphs": letter.paragraphs,
                "preferences_url": external_url("account.email_preferences"),
            },
        )
        session.add(
            GroupMessageRecipient(
                message_id=message.id,
                person_id=recipient.person.id,
                outbox_message_id=queued.id if queued else None,
            )
        )
    session.flush()
    record(
        session,
        actor=author,
        action="group_message.recipients",
        entity_type="group_message",
        entity_id=message.id,
        reason=plural(len(found.included), "person", "people"),
    )
    return len(found.included)


def _repeat_refusal(sent_at: dt.datetime | None) -> str:
    when = f" on {govuk_datetime(sent_at)}" if sent_at else ""
    return (
        f"The same message was sent to the same people{when}. The same words cannot go to "
        "the same people twice within 24 hours: change the message if you mean to send it "
        "again."
    )


# Listing


@dataclass(frozen=True)
class SentRow:
    id: int
    subject: str
    audience_label: str
    sent_at: dt.datetime
    sent_by: str
    recipient_count: int


def sent_messages(session: Session, user: User, *, limit: int = 100) -> list[SentRow]:
    """Messages sent, newest first: every one for an officer, their own for others."""
    query = (
        select(GroupMessage, User.name)
        .join(User, User.id == GroupMessage.created_by_id)
        .where(GroupMessage.status == MessageStatus.SENT)
        .order_by(GroupMessage.sent_at.desc(), GroupMessage.id.desc())
        .limit(limit)
    )
    if not user.has_role(Role.OFFICER):
        query = query.where(GroupMessage.created_by_id == user.id)
    return [
        SentRow(m.id, m.subject, m.audience_label, m.sent_at, name, m.recipient_count)
        for m, name in session.execute(query)
        if m.sent_at is not None
    ]


@dataclass(frozen=True)
class PersonMessageRow:
    message_id: int
    subject: str
    audience_label: str
    sent_at: dt.datetime | None
    sent_by: str


def messages_to(session: Session, person: User) -> list[PersonMessageRow]:
    """The messages to groups this person was sent, newest first (their page lists them)."""
    rows = session.execute(
        select(
            GroupMessage.id,
            GroupMessage.subject,
            GroupMessage.audience_label,
            GroupMessage.sent_at,
            User.name,
        )
        .join(GroupMessageRecipient, GroupMessageRecipient.message_id == GroupMessage.id)
        .join(User, User.id == GroupMessage.created_by_id)
        .where(GroupMessageRecipient.person_id == person.id)
        .order_by(GroupMessage.sent_at.desc(), GroupMessage.id.desc())
    )
    return [PersonMessageRow(*row) for row in rows]
