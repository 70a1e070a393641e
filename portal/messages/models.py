"""Messages staff write to a group: the message as written, and who it was sent to."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.auth.models import EmailCategory
from portal.db_base import Base, enum_column, utcnow


class MessageStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"


class AudienceKind(enum.StrEnum):
    COHORT = "cohort"
    WAITING_LIST = "waiting_list"
    APPLICANTS = "applicants"
    SURVEY = "survey"


class GroupMessage(Base):
    """One message to a group, written, previewed and then sent once.

    A draft becomes sent through the guarded status change (portal.state_changes), so a
    second click or a second tab sends nothing more. ``repeat_key`` is set when it is sent:
    a hash of the audience and the words, unique, so the same message cannot go to the
    same people twice within a day, even from two sends at the same moment (a sent
    message's key is cleared once it is a day old, when the same words are sent again).
    """

    __tablename__ = "group_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[MessageStatus] = mapped_column(
        enum_column(MessageStatus), default=MessageStatus.DRAFT, index=True
    )
    audience_kind: Mapped[AudienceKind] = mapped_column(enum_column(AudienceKind))
    # The audience's parameters (cohort, round, survey, applicant filters), as chosen.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    audience_label: Mapped[str] = mapped_column(String(300))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("programme_round.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # None: about their application or place (everyone gets it, like other essential email).
    category: Mapped[EmailCategory | None] = mapped_column(enum_column(EmailCategory))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    test_sent_at: Mapped[dt.datetime | None]
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    recipient_count: Mapped[int] = mapped_column(default=0)
    left_out_count: Mapped[int] = mapped_column(default=0)
    repeat_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class GroupMessageRecipient(Base):
    """One person a message was sent to, and their own copy in the outbox."""

    __tablename__ = "group_message_recipient"
    __table_args__ = (UniqueConstraint("message_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("group_message.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
