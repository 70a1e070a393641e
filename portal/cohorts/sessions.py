"""A delivered cohort's settings, its schedule, and changes to its sessions.

Facilitators set the cohort's delivery settings (defaults from the round), generate its
schedule (skipping bank holidays), and move, cancel and add sessions; members are emailed
each change with a calendar file (``portal.cohorts.member_emails``).

Functions flush and never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.cohorts.delivery import DELIVERING, DeliveryError, active_sessions
from portal.cohorts.member_emails import (
    cancellation_files,
    email_schedule,
    email_session_change,
)
from portal.cohorts.models import Cohort, CohortSession, SessionStatus
from portal.cohorts.schedule import (
    MAX_PLANNED_HOURS,
    PlannedSession,
    ScheduleSettings,
    part_of_day_start,
    planned_sessions,
    to_utc,
)
from portal.reference.models import BankHoliday
from portal.reference.services import BANK_HOLIDAY_DIVISION, bank_holidays_between
from portal.state_changes import Audit, StatusConflict, change_status
from portal.timefmt import govuk_datetime, to_london

# How far ahead bank holidays are looked up for a schedule: long enough for any settings.
_BANK_HOLIDAY_HORIZON = dt.timedelta(days=3 * 366)


# Settings and the schedule


def start_time_of(cohort: Cohort) -> dt.time:
    """The cohort's London start time: as set, or the start of its part of the day."""
    if cohort.start_time:
        return dt.time.fromisoformat(cohort.start_time)
    return part_of_day_start(cohort.meeting_part_of_day)


def update_delivery_settings(
    session: Session,
    cohort: Cohort,
    *,
    actor: User,
    start_on: dt.date,
    start_time: dt.time,
    session_length_minutes: int,
    session_frequency_days: int,
    planned_hours: int,
    venue: str | None = None,
    online_link: str | None = None,
) -> list[str]:
    """Save the cohort's delivery settings. The schedule is not changed until it is
    generated again. Returns the names of the settings that changed.

    ``venue`` and ``online_link`` left as None keep their current values. Raises
    DeliveryError for settings no schedule can be made from. Side effects: flushes the
    cohort and an audit event.
    """
    _check_delivering(cohort)
    values: dict[str, object] = {
        "start_on": start_on,
        "start_time": start_time.strftime("%H:%M"),
        "session_length_minutes": session_length_minutes,
        "session_frequency_days": session_frequency_days,
        "planned_hours": planned_hours,
    }
    if venue is not None:
        values["venue"] = venue
    if online_link is not None:
        values["online_link"] = online_link
    try:
        ScheduleSettings(
            start_on=start_on,
            weekday=cohort.meeting_weekday,
            start_time=start_time,
            session_minutes=session_length_minutes,
            frequency_days=session_frequency_days,
            planned_hours=planned_hours,
        )
    except ValueError as error:
        raise DeliveryError(str(error)) from error
    changed = [name for name, value in values.items() if getattr(cohort, name) != value]
    for name in changed:
        setattr(cohort, name, values[name])
    session.flush()
    if changed:
        record(
            session,
            actor=actor,
            action="cohort.delivery_settings_changed",
            entity_type="cohort",
            entity_id=cohort.id,
            fields=changed,
        )
    return changed


def schedule_settings(cohort: Cohort) -> ScheduleSettings:
    """The cohort's settings as the schedule needs them. Raises DeliveryError if incomplete."""
    if cohort.start_on is None:
        raise DeliveryError("Set the date of the first session in the delivery settings first")
    try:
        return ScheduleSettings(
            start_on=cohort.start_on,
            weekday=cohort.meeting_weekday,
            start_time=start_time_of(cohort),
            session_minutes=cohort.session_length_minutes,
            frequency_days=cohort.session_frequency_days,
            planned_hours=cohort.planned_hours,
        )
    except ValueError as error:
        raise DeliveryError(f"Change the delivery settings first: {error}") from error


@dataclass(frozen=True)
class SkippedDay:
    day: dt.date
    title: str
    moved_to: dt.datetime


@dataclass(frozen=True)
class SchedulePlan:
    """What generating the schedule would do: the sessions kept as they are (held,
    cancelled or already past), the future planned ones it replaces, the new times, and
    the bank holidays it skipped."""

    kept: list[CohortSession]
    replaced: list[CohortSession]
    new: list[PlannedSession]
    skipped: list[SkippedDay]

    @property
    def total(self) -> int:
        return len([s for s in self.kept if s.status != SessionStatus.CANCELLED]) + len(self.new)

    @property
    def total_minutes(self) -> int:
        """The length of every session the schedule would have, added up."""
        lengths = [
            s.ends_at - s.starts_at for s in self.kept if s.status != SessionStatus.CANCELLED
        ]
        lengths += [p.ends_at - p.starts_at for p in self.new]
        return int(sum(length.total_seconds() for length in lengths) // 60)


def plan_schedule(session: Session, cohort: Cohort, *, now: dt.datetime) -> SchedulePlan:
    """Work out the schedule from the cohort's settings without changing anything.

    Sessions held, cancelled or already started are kept. Future planned sessions are
    replaced: the new ones follow on after the last kept session, so that kept and new
    together make the number of sessions the settings call for. Raises DeliveryError when
    there is nothing to keep and the first session would already have passed.
    """
    settings = schedule_settings(cohort)
    ordered = sorted(cohort.sessions, key=lambda s: (s.starts_at, s.id))
    replaced = [s for s in ordered if s.status == SessionStatus.PLANNED and s.starts_at > now]
    kept = [s for s in ordered if s not in replaced]
    counted = [s for s in kept if s.status != SessionStatus.CANCELLED]
    if counted:
        last = to_london(counted[-1].starts_at).date()
        start_on = max(
            settings.start_on,
            last + dt.timedelta(days=settings.frequency_days),
            to_london(now).date(),
        )
        continuation = ScheduleSettings(
            start_on=start_on,
            weekday=settings.weekday,
            start_time=settings.start_time,
            session_minutes=settings.session_minutes,
            frequency_days=settings.frequency_days,
            planned_hours=MAX_PLANNED_HOURS,  # more than enough; the first few are taken
        )
        holidays = bank_holidays_between(session, start_on, start_on + _BANK_HOLIDAY_HORIZON)
        wanted = max(0, settings.session_count - len(counted))
        new = [p for p in planned_sessions(continuation, holidays) if p.starts_at > now][:wanted]
    else:
        holidays = bank_holidays_between(
            session, settings.start_on, settings.start_on + _BANK_HOLIDAY_HORIZON
        )
        new = planned_sessions(settings, holidays)
        if new and new[0].starts_at <= now:
            # A schedule starting in the past would email everyone dates already gone.
            raise DeliveryError(
                f"The first session would be on {govuk_datetime(new[0].starts_at)}, which "
                "has passed. Change the date of the first session in the delivery settings"
            )
    return SchedulePlan(kept=kept, replaced=replaced, new=new, skipped=_skipped_days(session, new))


def _skipped_days(session: Session, planned: Sequence[PlannedSession]) -> list[SkippedDay]:
    moved = [p for p in planned if p.moved_from is not None]
    if not moved:
        return []
    lookups = {p.moved_from for p in moved}
    for p in moved:  # a session moved twice (Christmas, then New Year) skipped both days
        assert p.moved_from is not None
        day = p.moved_from + dt.timedelta(days=7)
        while day < to_london(p.starts_at).date():
            lookups.add(day)
            day += dt.timedelta(days=7)
    titles = dict(
        session.execute(
            select(BankHoliday.day, BankHoliday.title).where(
                BankHoliday.division == BANK_HOLIDAY_DIVISION, BankHoliday.day.in_(lookups)
            )
        ).all()
    )
    skipped = []
    for p in moved:
        assert p.moved_from is not None
        day = p.moved_from
        while day < to_london(p.starts_at).date():
            if day in titles:
                skipped.append(SkippedDay(day=day, title=titles[day], moved_to=p.starts_at))
            day += dt.timedelta(days=7)
    return skipped


def generate_schedule(
    session: Session,
    cohort: Cohort,
    *,
    actor: User | None,
    now: dt.datetime,
    notify: bool = True,
) -> SchedulePlan:
    """Create the cohort's sessions from its settings, replacing future planned sessions.

    A held session is never deleted, nor one that is cancelled or has started. Replaced
    sessions keep their records (and calendar UIDs) where a new time takes their place;
    any left over are deleted (nothing was recorded against them). Members are emailed
    the new times when they change. Side effects: flushes sessions, an audit event and
    the emails (none with ``notify=False``, as for demo data).
    """
    _check_delivering(cohort)
    plan = plan_schedule(session, cohort, now=now)
    changed: list[CohortSession] = []
    created: list[CohortSession] = []
    for existing, planned in zip(plan.replaced, plan.new, strict=False):
        if (existing.starts_at, existing.ends_at) != (planned.starts_at, planned.ends_at):
            existing.starts_at = planned.starts_at
            existing.ends_at = planned.ends_at
            existing.calendar_sequence += 1
            changed.append(existing)
        existing.venue = cohort.venue
        existing.online_link = cohort.online_link
    removed = plan.replaced[len(plan.new) :]
    for planned in plan.new[len(plan.replaced) :]:
        new_session = CohortSession(
            cohort_id=cohort.id,
            starts_at=planned.starts_at,
            ends_at=planned.ends_at,
            status=SessionStatus.PLANNED,
            venue=cohort.venue,
            online_link=cohort.online_link,
            calendar_sequence=0,
            facilitator_notes="",
        )
        session.add(new_session)
        created.append(new_session)
    session.flush()
    # Cancellations are made while the rows still exist; they are sent after.
    cancellations = [cancellation_files(session, cohort, s) for s in removed]
    for s in removed:
        session.delete(s)
    session.flush()
    session.refresh(cohort)
    record(
        session,
        actor=actor,
        action="cohort.schedule_generated",
        entity_type="cohort",
        entity_id=cohort.id,
        fields=["sessions"],
    )
    if notify and (changed or created or cancellations):
        email_schedule(session, cohort, now=now, cancellations=cancellations)
    return plan


def _check_delivering(cohort: Cohort) -> None:
    if cohort.status not in DELIVERING:
        raise DeliveryError(
            f"This cohort is {cohort.status.label.lower()}: its sessions cannot be changed"
        )


def _check_planned(cohort_session: CohortSession) -> None:
    _check_delivering(cohort_session.cohort)
    if cohort_session.status == SessionStatus.HELD:
        raise DeliveryError("This session has been held: its register has been taken")
    if cohort_session.status == SessionStatus.CANCELLED:
        raise DeliveryError("This session has been cancelled")


def _change(
    session: Session,
    cohort_session: CohortSession,
    status: SessionStatus,
    *,
    values: dict[str, object],
    audit: Audit,
    now: dt.datetime,
) -> None:
    """A planned session moves or is cancelled through the guarded mechanism
    (portal.state_changes): only if it is still planned at the calendar sequence this
    request saw. Raises DeliveryError when someone else changed it first."""
    try:
        change_status(
            session,
            cohort_session,
            status,
            allowed_from={SessionStatus.PLANNED},
            values=values,
            unchanged=("calendar_sequence",),
            audit=audit,
            now=now,
        )
    except StatusConflict as conflict:
        raise DeliveryError(
            "Someone else changed this session at the same moment. Check it and try again"
        ) from conflict


def _check_free(
    cohort: Cohort, starts_at: dt.datetime, ends_at: dt.datetime, *, ignore: int | None = None
) -> None:
    for other in active_sessions(cohort):
        if other.id != ignore and other.starts_at < ends_at and starts_at < other.ends_at:
            raise DeliveryError(
                f"The group already has a session then, on {govuk_datetime(other.starts_at)}"
            )


def bank_holiday_on(session: Session, day: dt.date) -> str | None:
    """The bank holiday's name if ``day`` is one, else None."""
    if not bank_holidays_between(session, day, day):
        return None
    return session.scalar(
        select(BankHoliday.title).where(
            BankHoliday.division == BANK_HOLIDAY_DIVISION, BankHoliday.day == day
        )
    )


def move_session(
    session: Session,
    cohort_session: CohortSession,
    *,
    on: dt.date,
    at: dt.time,
    actor: User,
    reason: str,
    now: dt.datetime,
) -> None:
    """Move a planned session to another London date and time, keeping its length.

    Members are emailed the new time with a calendar update (same UID, higher SEQUENCE)
    when the session is still to come. Raises DeliveryError for a held or cancelled
    session, a bank holiday, a time already passed, or a time the group already meets.
    """
    _check_planned(cohort_session)
    holiday = bank_holiday_on(session, on)
    if holiday:
        raise DeliveryError(f"That date is a bank holiday ({holiday}). Choose another date")
    length = cohort_session.ends_at - cohort_session.starts_at
    starts_at = to_utc(on, at)
    if starts_at == cohort_session.starts_at:
        raise DeliveryError("Enter a different date or time from the session's current one")
    if starts_at <= now:
        raise DeliveryError("The new date and time must be in the future")
    _check_free(cohort_session.cohort, starts_at, starts_at + length, ignore=cohort_session.id)
    previous = cohort_session.starts_at
    _change(
        session,
        cohort_session,
        SessionStatus.PLANNED,
        values={
            "starts_at": starts_at,
            "ends_at": starts_at + length,
            "calendar_sequence": cohort_session.calendar_sequence + 1,
        },
        audit=Audit(
            actor,
            "cohort_session.moved",
            "cohort_session",
            fields=["starts_at", "ends_at"],
            reason=reason,
        ),
        now=now,
    )
    if cohort_session.ends_at > now:
        email_session_change(
            session, cohort_session, change="moved", reason=reason, previous=previous, now=now
        )


def cancel_session(
    session: Session, cohort_session: CohortSession, *, actor: User, reason: str, now: dt.datetime
) -> None:
    """Cancel a planned session. Members are emailed a calendar cancellation when it was
    still to come. Raises DeliveryError for a held or already cancelled session."""
    _check_planned(cohort_session)
    _change(
        session,
        cohort_session,
        SessionStatus.CANCELLED,
        values={"calendar_sequence": cohort_session.calendar_sequence + 1},
        audit=Audit(actor, "cohort_session.cancelled", "cohort_session", reason=reason),
        now=now,
    )
    if cohort_session.ends_at > now:
        email_session_change(session, cohort_session, change="cancelled", reason=reason, now=now)


def add_session(
    session: Session,
    cohort: Cohort,
    *,
    on: dt.date,
    at: dt.time,
    length_minutes: int,
    actor: User,
    reason: str,
    now: dt.datetime,
) -> CohortSession:
    """Add a session at a London date and time. Members are emailed an invitation when it
    is still to come. Raises DeliveryError for a bank holiday or a time already taken."""
    _check_delivering(cohort)
    holiday = bank_holiday_on(session, on)
    if holiday:
        raise DeliveryError(f"That date is a bank holiday ({holiday}). Choose another date")
    starts_at = to_utc(on, at)
    ends_at = starts_at + dt.timedelta(minutes=length_minutes)
    _check_free(cohort, starts_at, ends_at)
    added = CohortSession(
        cohort_id=cohort.id,
        starts_at=starts_at,
        ends_at=ends_at,
        status=SessionStatus.PLANNED,
        venue=cohort.venue,
        online_link=cohort.online_link,
        calendar_sequence=0,
        facilitator_notes="",
    )
    session.add(added)
    session.flush()
    session.refresh(cohort)
    record(
        session,
        actor=actor,
        action="cohort_session.added",
        entity_type="cohort_session",
        entity_id=added.id,
        reason=reason,
    )
    if added.ends_at > now:
        email_session_change(session, added, change="added", reason=reason, now=now)
    return added
