"""Everything the portal holds about a person, for their right of access (UK GDPR article 15).

No Flask: ``personal_data`` gathers the person's records from every feature's tables into
plain sections (lists of rows of strings, numbers and booleans) that the account pages show
and download as JSON. A row is every column of the record, except the secrets that protect
the account (password and two-factor hashes, link hashes), which are not information about
the person and would weaken their account if a download leaked.

Each section says where its records come from. Adding a table that holds personal data means
adding it here; ``tests/account/test_personal_data.py`` fails if a table with a
``person_id``, ``participant_id`` or ``user_id`` column is missing.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, Table, select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.models import Base

# Columns never included: they protect the account, they do not describe the person.
SECRET_COLUMNS = frozenset(
    {"password_hash", "totp_secret", "totp_last_step", "session_version", "code_hash"}
)
SECRET_SUFFIXES = ("_token_hash", "token_hash", "_secret")

Value = str | int | float | bool | None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str
    rows: list[dict[str, Value]]


@dataclass(frozen=True)
class _Source:
    key: str
    title: str
    description: str
    table: str
    # Builds the query for this person's rows, given the ids already found per table.
    query: Callable[[Table, User, dict[str, list[int]]], Select[Any] | None]


def _by(column: str) -> Callable[[Table, User, dict[str, list[int]]], Select[Any]]:
    return lambda table, user, _found: select(table).where(table.c[column] == user.id)


def _in(
    column: str, parent: str
) -> Callable[[Table, User, dict[str, list[int]]], Select[Any] | None]:
    def query(table: Table, _user: User, found: dict[str, list[int]]) -> Select[Any] | None:
        ids = found.get(parent, [])
        return select(table).where(table.c[column].in_(ids)) if ids else None

    return query


SOURCES: Sequence[_Source] = (
    _Source(
        "account",
        "Your account",
        "Your name, email address and account status.",
        "user_account",
        _by("id"),
    ),
    _Source("roles", "Your roles", "What you can do in the portal.", "user_role", _by("user_id")),
    _Source(
        "contractors",
        "Contractors you work for",
        "For facilitators, coaches and leads.",
        "contractor_membership",
        _by("user_id"),
    ),
    _Source(
        "email_preferences",
        "Your email choices",
        "The optional emails you turned off.",
        "email_preference",
        _by("user_id"),
    ),
    _Source(
        "applications",
        "Your registrations of interest",
        "Your answers about you and your business, and their eligibility result.",
        "application",
        _by("person_id"),
    ),
    _Source(
        "ownership",
        "Ownership profile answers",
        "Who owns or runs your business.",
        "application_ownership",
        _in("application_id", "application"),
    ),
    _Source(
        "organisations",
        "Business organisations",
        "Organisations your business is in.",
        "application_organisation",
        _in("application_id", "application"),
    ),
    _Source(
        "issues",
        "Issues you want to work on",
        "From your registration.",
        "application_issue",
        _in("application_id", "application"),
    ),
    _Source(
        "availability",
        "When you can meet",
        "From your registration.",
        "application_availability",
        _in("application_id", "application"),
    ),
    _Source(
        "conflicts",
        "Businesses you would rather not meet",
        "Competitors or conflicts you told us about.",
        "application_conflict",
        _in("application_id", "application"),
    ),
    _Source(
        "application_history",
        "What happened to your registration",
        "Each change of status, with when and why.",
        "application_status_change",
        _in("application_id", "application"),
    ),
    _Source(
        "places",
        "Your places in cohorts",
        "Offers, replies and places.",
        "cohort_place",
        _by("person_id"),
    ),
    _Source(
        "attendance",
        "Your attendance",
        "The registers your facilitator took.",
        "attendance",
        _in("place_id", "cohort_place"),
    ),
    _Source(
        "bookings",
        "Your one-to-one bookings",
        "Times booked with coaches.",
        "coaching_booking",
        _by("participant_id"),
    ),
    _Source(
        "outside_support",
        "Other one-to-one support",
        "Support a coach recorded outside the booking system.",
        "coaching_outside_support",
        _by("participant_id"),
    ),
    _Source(
        "waiting",
        "Times you asked to be told about",
        "Earlier one-to-one times.",
        "coaching_waiting_entry",
        _by("participant_id"),
    ),
    _Source(
        "survey_invitations",
        "Survey invitations",
        "Surveys we asked you to answer.",
        "survey_invitation",
        _by("person_id"),
    ),
    _Source(
        "survey_responses",
        "Your survey responses",
        "How and when you answered.",
        "survey_response",
        _in("invitation_id", "survey_invitation"),
    ),
    _Source(
        "survey_answers",
        "Your survey answers",
        "Each answer you gave.",
        "survey_answer",
        _in("response_id", "survey_response"),
    ),
    _Source(
        "case_studies",
        "Your case studies",
        "Stories about your business, and consent.",
        "case_study",
        _by("person_id"),
    ),
    _Source(
        "contact_notes",
        "Notes of our contacts with you",
        "Calls and conversations officers noted: when, how and what was said.",
        "contact_note",
        _by("person_id"),
    ),
    _Source(
        "group_messages",
        "Messages to your group",
        "Messages officers or your facilitator sent to a group you were in (each email is "
        "under Emails we sent you).",
        "group_message_recipient",
        _by("person_id"),
    ),
    _Source(
        "emails",
        "Emails we sent you",
        "Every email the portal sent or will send you.",
        "outbox_message",
        _by("user_id"),
    ),
)


def personal_data(session: Session, user: User) -> list[Section]:
    """Every section of ``user``'s records, in the order above. Sections with no rows are
    kept, so the person can see we looked. Reads only."""
    tables = Base.metadata.tables
    found: dict[str, list[int]] = {}
    sections: list[Section] = []
    for source in SOURCES:
        table = tables.get(source.table)
        if table is None:  # pragma: no cover - every table named here exists
            raise LookupError(f"No table {source.table}")
        query = source.query(table, user, found)
        rows = [] if query is None else [dict(row) for row in session.execute(query).mappings()]
        rows.sort(key=lambda row: row.get("id") or 0)
        if "id" in table.c:
            found[source.table] = [row["id"] for row in rows]
        sections.append(
            Section(
                source.key,
                source.title,
                source.description,
                [_clean(row) for row in rows],
            )
        )
    return sections


# Tables keyed by person that hold only the account's secrets (single-use link hashes,
# recovery code hashes): nothing in them describes the person.
SECRETS_ONLY = frozenset({"account_token", "recovery_code"})


def tables_covered() -> set[str]:
    return {source.table for source in SOURCES}


def as_json(user: User, sections: list[Section], *, now: dt.datetime) -> dict[str, Any]:
    return {
        "about": "Everything the Peer Networks portal holds about you.",
        "person": user.email,
        "created_at": now.isoformat(),
        "sections": {section.key: section.rows for section in sections},
    }


def _clean(row: dict[str, Any]) -> dict[str, Value]:
    return {
        key: _value(value)
        for key, value in row.items()
        if key not in SECRET_COLUMNS and not key.endswith(SECRET_SUFFIXES)
    }


def _value(value: object) -> Value:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"({len(value)} bytes)"
    if isinstance(value, list | dict):
        return str(value)
    return str(value)
