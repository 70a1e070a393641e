"""The wording of the standard emails, which officers can change, kept as numbered versions.

Each standard email has a subject and an opening (the words before the fixed parts: links,
dates and the footer, which the templates in ``templates/email/`` hold). Officers save a new
version with its merge fields checked; the newest version is the one sent, and every older
one stays listed. Until an officer saves one, the wording shipped here is sent (version 0).

Functions flush and never commit; a save is audited (field names, not wording).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.merge_fields import merge, paragraphs, unknown_fields_error
from portal.notifications.models import StandardEmailVersion

SUBJECT_MAX = 150
BODY_MAX = 5000


@dataclass(frozen=True)
class StandardEmail:
    """One kind of standard email: what officers may write in it and what is fixed."""

    kind: str
    name: str
    when_sent: str
    # Merge fields it offers: name -> what it becomes (shown in the hint).
    fields: dict[str, str]
    subject: str
    body: str
    # What follows the opening, fixed, in words for the editing page.
    then: str
    # Values for the preview, as one person would see them.
    sample: dict[str, str]


STANDARD_EMAILS: dict[str, StandardEmail] = {
    email.kind: email
    for email in (
        StandardEmail(
            kind="offer",
            name="Offer of a place",
            when_sent="When an officer confirms a cohort, or a place is offered to someone waiting",
            fields={
                "first_name": "the person's first name",
                "cohort": "the cohort's name",
                "reply_by": "the date to reply by",
            },
            subject="You have been offered a place in a Peer Networks group",
            body=(
                "Dear {first_name},\n\n"
                "We are pleased to offer you a place in a Peer Networks group: {cohort}.\n\n"
                "Please reply by {reply_by}."
            ),
            then=(
                "The links to accept or decline, the group's format, facilitator, commitment "
                "and session dates, and what happens if they do not reply."
            ),
            sample={
                "first_name": "Priya",
                "cohort": "Makers of Preston",
                "reply_by": "Friday 4 December 2026",
            },
        ),
        StandardEmail(
            kind="survey_invitation",
            name="Survey invitation",
            when_sent="When a participant is due to answer a survey (baseline, exit, follow-up)",
            fields={
                "first_name": "the person's first name",
                "survey": "the survey's title",
                "why": "one sentence on why this survey is sent now (it differs by survey)",
            },
            subject="Please tell us: {survey}",
            body="Dear {first_name},\n\n{why}",
            then=(
                "The personal link to the survey, how long it takes, and the date the link "
                "stops working."
            ),
            sample={
                "first_name": "Priya",
                "survey": "Peer Networks: how it went",
                "why": (
                    "Thank you for taking part in Peer Networks. Please tell us how it went "
                    "for you."
                ),
            },
        ),
        StandardEmail(
            kind="survey_reminder",
            name="Survey reminder",
            when_sent="Every few days (the round's reminder days) until a survey is answered",
            fields={"first_name": "the person's first name", "survey": "the survey's title"},
            subject="Reminder: {survey}",
            body=(
                "Dear {first_name},\n\n"
                'We have not had your answers to "{survey}" yet. It takes about 5 minutes, and '
                "every answer helps us improve Peer Networks."
            ),
            then=(
                "The personal link to the survey, the date it stops working, and that the "
                "reminders stop once they answer."
            ),
            sample={"first_name": "Priya", "survey": "Peer Networks: how it went"},
        ),
    )
}


class WordingRefused(Exception):
    """The wording cannot be saved; ``field`` (subject or body) and the message say why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Wording:
    kind: str
    number: int  # 0: as shipped with the portal
    subject: str
    body: str
    created_at: dt.datetime | None = None
    created_by: str = ""


def standard_email(kind: str) -> StandardEmail:
    """The standard email of this kind; KeyError for any other."""
    return STANDARD_EMAILS[kind]


def shipped(kind: str) -> Wording:
    email = STANDARD_EMAILS[kind]
    return Wording(kind, 0, email.subject, email.body)


def current_wording(session: Session, kind: str) -> Wording:
    """The newest saved version, or the shipped wording when none was saved."""
    version = session.scalar(
        select(StandardEmailVersion)
        .where(StandardEmailVersion.kind == kind)
        .order_by(StandardEmailVersion.number.desc())
        .limit(1)
    )
    if version is None:
        return shipped(kind)
    return Wording(kind, version.number, version.subject, version.body, version.created_at)


def versions(session: Session, kind: str) -> list[Wording]:
    """Every saved version, newest first, then the shipped wording."""
    rows = session.execute(
        select(StandardEmailVersion, User.name)
        .outerjoin(User, User.id == StandardEmailVersion.created_by_id)
        .where(StandardEmailVersion.kind == kind)
        .order_by(StandardEmailVersion.number.desc())
    ).all()
    saved = [
        Wording(kind, v.number, v.subject, v.body, v.created_at, name or "") for v, name in rows
    ]
    return [*saved, shipped(kind)]


@dataclass(frozen=True)
class Rendered:
    subject: str
    opening: list[str]  # paragraphs


def render(wording: Wording, values: dict[str, str]) -> Rendered:
    """The subject and opening paragraphs with the merge fields filled in."""
    subject = " ".join(merge(wording.subject, values).split())
    return Rendered(subject=subject, opening=paragraphs(merge(wording.body, values)))


def rendered(session: Session, kind: str, values: dict[str, str]) -> Rendered:
    """What the portal sends now: the current wording, filled in for one person."""
    return render(current_wording(session, kind), values)


def check_wording(kind: str, subject: str, body: str) -> list[WordingRefused]:
    """Every problem with this wording (an empty list when it can be saved)."""
    email = STANDARD_EMAILS[kind]
    allowed = list(email.fields)
    problems = []
    if not subject.strip():
        problems.append(WordingRefused("subject", "Enter the subject"))
    elif len(subject) > SUBJECT_MAX:
        problems.append(
            WordingRefused("subject", f"The subject must be {SUBJECT_MAX} characters or fewer")
        )
    elif any(char in subject for char in "\r\n"):
        problems.append(WordingRefused("subject", "The subject must be one line"))
    elif error := unknown_fields_error(subject, allowed):
        problems.append(WordingRefused("subject", error))
    if not body.strip():
        problems.append(WordingRefused("body", "Enter the opening of the email"))
    elif len(body) > BODY_MAX:
        problems.append(
            WordingRefused("body", f"The opening must be {BODY_MAX} characters or fewer")
        )
    elif error := unknown_fields_error(body, allowed):
        problems.append(WordingRefused("body", error))
    return problems


def save_version(
    session: Session, kind: str, *, subject: str, body: str, actor: User, now: dt.datetime
) -> StandardEmailVersion:
    """Save the wording as the next version, which is sent from now on.

    Raises WordingRefused (the first problem) for wording that cannot be sent, or when
    another officer saved a version at the same moment (try again: nothing is lost).
    Side effects: flushes the version and a ``standard_email.saved`` audit event.
    """
    problems = check_wording(kind, subject, body)
    if problems:
        raise problems[0]
    number = (
        session.scalar(
            select(func.max(StandardEmailVersion.number)).where(StandardEmailVersion.kind == kind)
        )
        or 0
    ) + 1
    version = StandardEmailVersion(
        kind=kind,
        number=number,
        subject=" ".join(subject.split()),
        body=body.replace("\r\n", "\n").strip(),
        created_at=now,
        created_by_id=actor.id,
    )
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
    except IntegrityError:  # uq_standard_email_version_kind_number: saved meanwhile
        raise WordingRefused(
            "body",
            "Another officer saved a new version of this email at the same moment. Check "
            "the versions below, then save yours again.",
        ) from None
    record(
        session,
        actor=actor,
        action="standard_email.saved",
        entity_type="standard_email_version",
        entity_id=version.id,
        fields=["subject", "body"],
    )
    return version
