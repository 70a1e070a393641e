"""Officers' contact notes: calls and conversations with a person (assisted digital needs a
record of them). Shown newest first on the person's page; erasing the person removes them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.people.models import ContactChannel, ContactNote

NOTE_MAX = 5000


class NoteRefused(Exception):
    """The note cannot be saved; ``field`` and the message say why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class NoteRow:
    contacted_on: dt.date
    channel: ContactChannel
    text: str
    written_by: str
    created_at: dt.datetime


def add_contact_note(
    session: Session,
    person: User,
    *,
    actor: User,
    contacted_on: dt.date,
    channel: ContactChannel,
    text: str,
    today: dt.date,
) -> ContactNote:
    """Log a contact with ``person``. Refuses a date in the future. Side effects: flushes the
    note and an audit event (with no copy of the text)."""
    if contacted_on > today:
        raise NoteRefused("contacted_on", "The date of the contact must be today or in the past")
    note = ContactNote(
        person_id=person.id,
        contacted_on=contacted_on,
        channel=channel,
        text=text,
        created_by_id=actor.id,
    )
    session.add(note)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.contact_noted",
        entity_type="user",
        entity_id=person.id,
        fields=["contacted_on", "channel", "text"],
    )
    return note


def contact_notes(session: Session, person: User) -> list[NoteRow]:
    """The person's contact notes, newest contact first, with who wrote each."""
    rows = session.execute(
        select(
            ContactNote.contacted_on,
            ContactNote.channel,
            ContactNote.text,
            User.name,
            ContactNote.created_at,
        )
        .outerjoin(User, User.id == ContactNote.created_by_id)
        .where(ContactNote.person_id == person.id)
        .order_by(ContactNote.contacted_on.desc(), ContactNote.id.desc())
    )
    return [NoteRow(on, channel, text, name or "", at) for on, channel, text, name, at in rows]
