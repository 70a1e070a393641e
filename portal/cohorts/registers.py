"""A session's register, the themes the group discussed, and the facilitator's notes.

Hours attended come only from the registers (``portal.cohorts.hours``); taking the first
register marks the cohort running. Functions flush and never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.cohorts import events
from portal.cohorts.delivery import DELIVERING, DeliveryError
from portal.cohorts.hours import hours_in_words, quantised
from portal.cohorts.membership import people, session_members
from portal.cohorts.models import (
    Attendance,
    AttendanceStatus,
    CohortSession,
    CohortStatus,
    SessionStatus,
    SessionTheme,
)
from portal.cohorts.services import set_cohort_status
from portal.reference.models import ReferenceKind
from portal.reference.services import active_items
from portal.state_changes import Audit, StatusConflict, change_status


class RegisterEntry(NamedTuple):
    place_id: int
    status: AttendanceStatus
    hours: Decimal | None = None


# The register, themes and notes


def register_open(cohort_session: CohortSession, now: dt.datetime) -> bool:
    """Whether the register (and themes) can be recorded: the session has started and
    was not cancelled, in a cohort that is running or about to."""
    return (
        cohort_session.status != SessionStatus.CANCELLED
        and cohort_session.starts_at <= now
        and cohort_session.cohort.status in (*DELIVERING, CohortStatus.COMPLETED)
    )


def _check_register_open(cohort_session: CohortSession, now: dt.datetime) -> None:
    if cohort_session.status == SessionStatus.CANCELLED:
        raise DeliveryError("This session was cancelled: there is no register to take")
    if cohort_session.starts_at > now:
        raise DeliveryError("You can take the register once the session has started")
    if not register_open(cohort_session, now):
        raise DeliveryError(
            f"This cohort is {cohort_session.cohort.status.label.lower()}: "
            "its registers cannot be changed"
        )


def record_register(
    session: Session,
    cohort_session: CohortSession,
    entries: Sequence[RegisterEntry | tuple[int, AttendanceStatus, Decimal | None]],
    *,
    actor: User,
    now: dt.datetime,
) -> None:
    """Record who attended, one entry per member: present (the session's length), partial
    (the hours given, more than 0 and less than the session's length), apologies or
    absent (0 hours). Marks the session held and the cohort running, and sends
    ``events.register_taken`` (after the last session, the exit survey invitations).

    Raises DeliveryError (naming the place) for someone who was not a member at this
    session, partial attendance without hours, or hours outside the session's length.
    Side effects: flushes attendance rows, the session, perhaps the cohort's status, and
    an audit event.
    """
    _check_register_open(cohort_session, now)
    # Guarded first (portal.state_changes): of two registers sent at once, the second is
    # refused before it writes a row, and a register changed meanwhile is not overwritten.
    try:
        change_status(
            session,
            cohort_session,
            SessionStatus.HELD,
            allowed_from={SessionStatus.PLANNED, SessionStatus.HELD},
            values={"register_taken_at": now},
            unchanged=("register_taken_at",),
            audit=Audit(
                actor, "cohort_session.register_taken", "cohort_session", fields=["attendance"]
            ),
            now=now,
        )
    except StatusConflict as conflict:
        raise DeliveryError(
            "Someone else saved this register at the same moment. Check it and try again"
        ) from conflict
    members = {p.id: p for p in session_members(cohort_session)}
    names = {
        place_id: person.name for place_id, person in people(session, members.values()).items()
    }
    length = cohort_session.length_hours
    existing = {a.place_id: a for a in cohort_session.attendance}
    seen: set[int] = set()
    for entry in (RegisterEntry(*item) for item in entries):
        if entry.place_id not in members:
            raise DeliveryError(
                "Attendance can only be recorded for members of the group at this session",
                place_id=entry.place_id,
            )
        if entry.place_id in seen:
            raise DeliveryError("Each member can be recorded once", place_id=entry.place_id)
        seen.add(entry.place_id)
        name = names[entry.place_id]
        status = AttendanceStatus(entry.status)
        if status == AttendanceStatus.PRESENT:
            hours = quantised(length)
        elif status == AttendanceStatus.PARTIAL:
            if entry.hours is None:
                raise DeliveryError(f"Enter the hours {name} attended", place_id=entry.place_id)
            if entry.hours <= 0:
                raise DeliveryError(
                    f"Hours {name} attended must be more than 0", place_id=entry.place_id
                )
            if entry.hours >= length:
                raise DeliveryError(
                    f"Hours {name} attended must be less than the session’s length of "
                    f"{hours_in_words(quantised(length))}. If they were there for all of it, "
                    "go back and do not select their name",
                    place_id=entry.place_id,
                )
            if entry.hours != quantised(entry.hours):
                raise DeliveryError(
                    f"Hours {name} attended must have no more than 2 decimal places",
                    place_id=entry.place_id,
                )
            hours = entry.hours
        else:
            hours = Decimal("0.00")
        row = existing.get(entry.place_id)
        if row is None:
            cohort_session.attendance.append(
                Attendance(
                    place_id=entry.place_id,
                    status=status,
                    hours=hours,
                    recorded_at=now,
                    recorded_by_id=actor.id,
                )
            )
        elif (row.status, Decimal(row.hours)) != (status, hours):
            row.status = status
            row.hours = hours
            row.recorded_at = now
            row.recorded_by_id = actor.id
    session.flush()
    cohort = cohort_session.cohort
    if cohort.status == CohortStatus.CONFIRMED:
        try:
            set_cohort_status(
                session,
                cohort,
                CohortStatus.RUNNING,
                actor=actor,
                now=now,
                reason="The first register was taken",
            )
        except StatusConflict as conflict:
            if conflict.current != CohortStatus.RUNNING:
                raise
            # Another session's register started the cohort at the same moment.
    events.register_taken.send(cohort_session, session=session, now=now)


def issue_labels(session: Session) -> dict[str, str]:
    """Active issues, code to label, in the list's order."""
    return {item.code: item.label for item in active_items(session, ReferenceKind.ISSUE)}


def record_themes(
    session: Session,
    cohort_session: CohortSession,
    codes: Iterable[str],
    *,
    actor: User,
    now: dt.datetime,
) -> None:
    """Record which issues the group discussed (codes from the issues list). A retired
    issue already recorded may stay. Raises DeliveryError for an unknown code or a session
    that has not started or was cancelled."""
    _check_register_open(cohort_session, now)
    wanted = set(codes)
    current = {theme.issue_code for theme in cohort_session.themes}
    unknown = wanted - set(issue_labels(session)) - current
    if unknown:
        raise DeliveryError("Select issues from the list")
    if wanted == current:
        return
    cohort_session.themes = [t for t in cohort_session.themes if t.issue_code in wanted] + [
        SessionTheme(issue_code=code) for code in sorted(wanted - current)
    ]
    session.flush()
    record(
        session,
        actor=actor,
        action="cohort_session.themes_recorded",
        entity_type="cohort_session",
        entity_id=cohort_session.id,
        fields=["themes"],
    )


def save_notes(
    session: Session, cohort_session: CohortSession, notes: str, *, actor: User, now: dt.datetime
) -> None:
    """Keep the facilitator's private notes on the session (the group's discussions are
    confidential: only the facilitator sees them). The audit log records that they
    changed, never what they say."""
    del now  # notes carry no time of their own; kept for a uniform signature
    notes = notes.strip()
    if notes == cohort_session.facilitator_notes:
        return
    cohort_session.facilitator_notes = notes
    session.flush()
    record(
        session,
        actor=actor,
        action="cohort_session.notes_saved",
        entity_type="cohort_session",
        entity_id=cohort_session.id,
        fields=["facilitator_notes"],
    )
