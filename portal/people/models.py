"""Officers' contact notes: a call or conversation with a person, logged on their page."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_base import Base, enum_column, utcnow


class ContactChannel(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    IN_PERSON = "in_person"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "phone": "Phone",
            "email": "Email",
            "in_person": "In person",
            "other": "Other",
        }[self.value]


class ContactNote(Base):
    """One contact with a person, as the officer recorded it. The text is the officer's
    words about the person: erasing the person removes it."""

    __tablename__ = "contact_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    contacted_on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[ContactChannel] = mapped_column(enum_column(ContactChannel))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
