"""The outbox: every email is a row, written in the transaction that caused it and sent later."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import EmailCategory
from portal.db_base import Base, enum_column, utcnow


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "queued": "Waiting to send",
            "sending": "Sending",
            "sent": "Sent",
            "failed": "Failed",
            "cancelled": "Cancelled",
        }[self.value]

    @property
    def tag_classes(self) -> str:
        return {
            "queued": "govuk-tag--blue",
            "sending": "govuk-tag--light-blue",
            "sent": "govuk-tag--green",
            "failed": "govuk-tag--red",
            "cancelled": "govuk-tag--grey",
        }[self.value]


class OutboxMessage(Base):
    """One email, rendered when it was queued. Sent by portal.notifications.sender.

    ``message_id`` is fixed at queue time, so a message sent twice after a crash carries
    the same Message-ID and mail clients show it once. ``last_error`` holds only what the
    mail server said, never the message's content.
    """

    __tablename__ = "outbox_message"
    # The sender's claim query: due messages by status and time.
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # None for essential email, which a person cannot turn off.
    category: Mapped[EmailCategory | None] = mapped_column(enum_column(EmailCategory))
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.QUEUED
    )
    # Every attempt to send, the successful one included; reset when sent again by hand.
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # While a sender holds the message (status "sending"); another may take it once passed.
    lease_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[dt.datetime | None]

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message",
        cascade="all, delete-orphan",
        order_by="OutboxAttachment.id",
    )


class OutboxAttachment(Base):
    """A file sent with a message, such as an ``.ics`` calendar invitation."""

    __tablename__ = "outbox_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")


class StandardEmailVersion(Base):
    """One saved wording of a standard email (the offer, a survey's invitation or reminder).

    Every save is a new numbered version; none is ever changed or deleted, so the list of
    versions says what people were sent when. The newest is the one the portal sends; with
    none saved, the wording shipped with the portal (portal.notifications.wording) is used.
    """

    __tablename__ = "standard_email_version"
    __table_args__ = (UniqueConstraint("kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    number: Mapped[int]
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
