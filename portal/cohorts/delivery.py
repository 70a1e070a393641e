"""Delivering a cohort: its settings and schedule, changes to sessions, registers and hours.

Facilitators set a cohort's delivery settings (defaults from the round), generate its
schedule (skipping bank holidays), move, cancel and add sessions (members are emailed with
a calendar file), and take a register per session with the themes discussed and private
notes. Hours attended come only from the registers; completion follows figures.md (group
hours only). Participants see their cohort, download sessions as calendar files or
subscribe to a feed at a secret link, and may leave.

Functions flush and never commit. Scope checks (a facilitator's own cohorts, a
participant's own place) answer 404 through ``NotFound``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from email.utils import parseaddr
from typing import Literal, NamedTuple
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, object_session
from werkzeug.exceptions import NotFound

from portal.audit.services import record
from portal.auth.models import User
from portal.calendar import CalendarEvent, calendar_file, event_uid
from portal.cohorts.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortDelivery,
    CohortSession,
    CohortStatus,
    Place,
    PlaceStatus,
    SessionStatus,
    SessionTheme,
)
from portal.cohorts.schedule import (
    MAX_PLANNED_HOURS,
    PlannedSession,
    ScheduleSettings,
    part_of_day_start,
    planned_sessions,
    to_utc,
)
from portal.cohorts.services import backfill, set_cohort_status
from portal.notifications.services import Attachment, queue_email
from portal.reference.models import BankHoliday, ReferenceKind
from portal.reference.services import BANK_HOLIDAY_DIVISION, active_items, bank_holidays_between
from portal.registration import services as applications
from portal.registration.models import Application, ApplicationStatus
from portal.rounds.models import Round
from portal.timefmt import govuk_datetime, govuk_time, to_london
from portal.urls import external_url

CALENDAR_CONTENT_TYPE = "text/calendar"
# Cohorts whose sessions can be planned, moved and recorded.
DELIVERING = (CohortStatus.CONFIRMED, CohortStatus.RUNNING)
# Statuses a place can have once it was accepted.
_ONCE_ACCEPTED = (PlaceStatus.ACCEPTED, PlaceStatus.LEFT, PlaceStatus.REMOVED)
_HUNDREDTH = Decimal("0.01")
# How far ahead bank holidays are looked up for a schedule: long enough for any settings.
_BANK_HOLIDAY_HORIZON = dt.timedelta(days=3 * 366)


class DeliveryError(Exception):
    """A rule stopped the change; the message is written for the person to read.

    ``place_id`` names the member whose register answer broke the rule, if any.
    """

    def __init__(self, message: str, *, place_id: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.place_id = place_id


class RegisterEntry(NamedTuple):
    place_id: int
    status: AttendanceStatus
    hours: Decimal | None = None


# Scope: whose records these are


def facilitated_cohorts(session: Session, facilitator: User) -> list[Cohort]:
    """The cohorts this person facilitates, newest first."""
    return list(
        session.scalars(
            select(Cohort)
            .where(Cohort.facilitator_id == facilitator.id)
            .order_by(Cohort.start_on.desc().nulls_first(), Cohort.id.desc())
        )
    )


def cohort_for_facilitator(session: Session, facilitator: User, cohort_id: int) -> Cohort:
    """The cohort, if this person facilitates it; otherwise 404."""
    cohort = session.get(Cohort, cohort_id)
    if cohort is None or cohort.facilitator_id != facilitator.id:
        raise NotFound()
    return cohort


def session_for_facilitator(session: Session, facilitator: User, session_id: int) -> CohortSession:
    """The session, if this person facilitates its cohort; otherwise 404."""
    cohort_session = session.get(CohortSession, session_id)
    if cohort_session is None or cohort_session.cohort.facilitator_id != facilitator.id:
        raise NotFound()
    return cohort_session


def current_place(session: Session, person: User) -> Place | None:
    """The person's place in a cohort (the latest they accepted and still hold), if any."""
    return session.scalar(
        select(Place)
        .where(Place.person_id == person.id, Place.status == PlaceStatus.ACCEPTED)
        .options(joinedload(Place.cohort))
        .order_by(Place.accepted_at.desc().nulls_last(), Place.id.desc())
        .limit(1)
    )


def session_for_participant(place: Place, session_id: int) -> CohortSession:
    """A session of the person's own cohort; otherwise 404."""
    for cohort_session in place.cohort.sessions:
        if cohort_session.id == session_id:
            return cohort_session
    raise NotFound()


def _session_of(record_: object) -> Session:
    found = object_session(record_)
    assert found is not None, "the record must belong to a session"
    return found


def round_of(cohort: Cohort) -> Round:
    programme_round = _session_of(cohort).get(Round, cohort.round_id)
    assert programme_round is not None
    return programme_round


# Sessions and members


def active_sessions(cohort: Cohort) -> list[CohortSession]:
    """Sessions that are happening or happened (not cancelled), in order."""
    return sorted(
        (s for s in cohort.sessions if s.status != SessionStatus.CANCELLED),
        key=lambda s: (s.starts_at, s.id),
    )


def session_numbers(cohort: Cohort) -> dict[int, int]:
    """Each session's number (1, 2 ...) among those not cancelled, by session id."""
    return {s.id: number for number, s in enumerate(active_sessions(cohort), start=1)}


def is_member_at(place: Place, cohort_session: CohortSession) -> bool:
    """Whether the place counts for this session's register: it was accepted by the end of
    the session and had not ended before the session started."""
    if place.status not in _ONCE_ACCEPTED:
        return False
    if place.accepted_at is None:
        if place.status != PlaceStatus.ACCEPTED:
            return False
    elif place.accepted_at > cohort_session.ends_at:
        return False
    return place.ended_at is None or place.ended_at > cohort_session.starts_at


def session_members(cohort_session: CohortSession) -> list[Place]:
    return [p for p in cohort_session.cohort.places if is_member_at(p, cohort_session)]


def current_members(cohort: Cohort) -> list[Place]:
    return [p for p in cohort.places if p.status == PlaceStatus.ACCEPTED]


def people(session: Session, places: Iterable[Place]) -> dict[int, User]:
    """The person behind each place, by place id."""
    ids = {p.person_id for p in places}
    if not ids:
        return {}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    return {p.id: users[p.person_id] for p in places}


@dataclass(frozen=True)
class Member:
    place: Place
    person: User
    business_name: str
    shares_with_cohort: bool
    hours: Decimal


def members_of(session: Session, cohort: Cohort) -> list[Member]:
    """Everyone who holds or held an accepted place, with their hours, by name."""
    places = [
        p
        for p in cohort.places
        if p.status == PlaceStatus.ACCEPTED or (p.status in _ONCE_ACCEPTED and p.accepted_at)
    ]
    persons = people(session, places)
    hours = hours_by_place(session, cohort)
    # Only the two answers shown: loading whole applications brings their lists with them.
    found = {
        row.id: row
        for row in session.execute(
            select(Application.id, Application.business_name, Application.share_with_cohort).where(
                Application.id.in_([p.application_id for p in places])
            )
        )
    }
    rows = [
        Member(
            place=p,
            person=persons[p.id],
            business_name=(found[p.application_id].business_name or "")
            if p.application_id in found
            else "",
            shares_with_cohort=bool(
                p.application_id in found and found[p.application_id].share_with_cohort
            ),
            hours=hours.get(p.id, Decimal(0)),
        )
        for p in places
    ]
    return sorted(rows, key=lambda m: (m.place.status != PlaceStatus.ACCEPTED, m.person.name))


# Hours and completion


def _quantised(value: Decimal) -> Decimal:
    return value.quantize(_HUNDREDTH)


def session_hours(cohort_session: CohortSession) -> Decimal:
    """The session's length in hours, to the hundredth (as the register stores hours)."""
    return _quantised(cohort_session.length_hours)


def hours_by_place(session: Session, cohort: Cohort) -> dict[int, Decimal]:
    """Group hours attended by each place in the cohort (places with none are left out)."""
    rows = session.execute(
        select(Attendance.place_id, Attendance.hours)
        .join(CohortSession, CohortSession.id == Attendance.session_id)
        .where(CohortSession.cohort_id == cohort.id, CohortSession.status == SessionStatus.HELD)
    )
    totals: dict[int, Decimal] = {}
    for place_id, hours in rows:
        totals[place_id] = totals.get(place_id, Decimal(0)) + Decimal(hours)
    return {place_id: _quantised(total) for place_id, total in totals.items()}


def is_completer(hours: Decimal, programme_round: Round) -> bool:
    """Whether attended group hours reach the round's completion threshold (figures.md).

    One-to-one hours never count here: they count towards "business supported".
    """
    return hours >= Decimal(programme_round.completion_threshold_hours)


def can_join(cohort: Cohort, now: dt.datetime) -> bool:
    """Whether someone new may still join: before the round's cut-off session starts
    (``join_before_session_number``, default 3: up to the second session)."""
    if cohort.status not in DELIVERING:
        return False
    cut_off = round_of(cohort).join_before_session_number
    sessions = active_sessions(cohort)
    if len(sessions) < cut_off:
        return True
    return now < sessions[cut_off - 1].starts_at


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


def plan_schedule(session: Session, cohort: Cohort, *, now: dt.datetime) -> SchedulePlan:
    """Work out the schedule from the cohort's settings without changing anything.

    Sessions held, cancelled or already started are kept. Future planned sessions are
    replaced: the new ones follow on after the last kept session, so that kept and new
    together make the number of sessions the settings call for.
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
    cancellations = [_cancel_files(session, cohort, s) for s in removed]
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
        _email_schedule(session, cohort, now=now, cancellations=cancellations)
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
    session, a bank holiday, or a time the group already meets.
    """
    _check_planned(cohort_session)
    holiday = bank_holiday_on(session, on)
    if holiday:
        raise DeliveryError(f"That date is a bank holiday ({holiday}). Choose another date")
    length = cohort_session.ends_at - cohort_session.starts_at
    starts_at = to_utc(on, at)
    if starts_at == cohort_session.starts_at:
        raise DeliveryError("Enter a different date or time from the session's current one")
    _check_free(cohort_session.cohort, starts_at, starts_at + length, ignore=cohort_session.id)
    previous = cohort_session.starts_at
    cohort_session.starts_at = starts_at
    cohort_session.ends_at = starts_at + length
    cohort_session.calendar_sequence += 1
    session.flush()
    record(
        session,
        actor=actor,
        action="cohort_session.moved",
        entity_type="cohort_session",
        entity_id=cohort_session.id,
        fields=["starts_at", "ends_at"],
        reason=reason,
    )
    if cohort_session.ends_at > now:
        _email_change(
            session, cohort_session, change="moved", reason=reason, previous=previous, now=now
        )


def cancel_session(
    session: Session, cohort_session: CohortSession, *, actor: User, reason: str, now: dt.datetime
) -> None:
    """Cancel a planned session. Members are emailed a calendar cancellation when it was
    still to come. Raises DeliveryError for a held or already cancelled session."""
    _check_planned(cohort_session)
    cohort_session.status = SessionStatus.CANCELLED
    cohort_session.calendar_sequence += 1
    session.flush()
    record(
        session,
        actor=actor,
        action="cohort_session.cancelled",
        entity_type="cohort_session",
        entity_id=cohort_session.id,
        fields=["status"],
        reason=reason,
    )
    if cohort_session.ends_at > now:
        _email_change(session, cohort_session, change="cancelled", reason=reason, now=now)


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
        _email_change(session, added, change="added", reason=reason, now=now)
    return added


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


def hours_text(hours: Decimal) -> str:
    """Hours as people write them: 2.5, 1.75, 3."""
    return f"{hours.normalize():f}"


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
    absent (0 hours). Marks the session held and the cohort running.

    Raises DeliveryError (naming the place) for someone who was not a member at this
    session, partial attendance without hours, or hours outside the session's length.
    Side effects: flushes attendance rows, the session, perhaps the cohort's status, and
    an audit event.
    """
    _check_register_open(cohort_session, now)
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
            hours = _quantised(length)
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
                    f"{hours_text(_quantised(length))} hours. If they were there for the whole "
                    "session, select present for the whole session",
                    place_id=entry.place_id,
                )
            if entry.hours != _quantised(entry.hours):
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
    cohort_session.status = SessionStatus.HELD
    cohort_session.register_taken_at = now
    session.flush()
    record(
        session,
        actor=actor,
        action="cohort_session.register_taken",
        entity_type="cohort_session",
        entity_id=cohort_session.id,
        fields=["attendance"],
    )
    cohort = cohort_session.cohort
    if cohort.status == CohortStatus.CONFIRMED:
        set_cohort_status(
            session,
            cohort,
            CohortStatus.RUNNING,
            actor=actor,
            now=now,
            reason="The first register was taken",
        )


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


# Leaving


def leave_cohort(session: Session, place: Place, *, reason: str, now: dt.datetime) -> None:
    """The person leaves their group, saying why. Their place ends (it still counts for
    the sessions they attended), their calendar link stops working, their application is
    withdrawn, and while people may still join, the place is offered to someone waiting.

    Raises DeliveryError if the place is not held. Side effects: flushes the place, the
    application's status, audit events and perhaps an offer to someone else.
    """
    if place.status != PlaceStatus.ACCEPTED:
        raise DeliveryError("You do not have a place in this group")
    person = session.get(User, place.person_id)
    place.status = PlaceStatus.LEFT
    place.status_changed_at = now
    place.ended_at = now
    place.end_reason = reason
    place.feed_token_hash = None
    session.flush()
    record(
        session,
        actor=person,
        action="cohort_place.left",
        entity_type="cohort_place",
        entity_id=place.id,
        fields=["status", "end_reason"],
    )
    application = session.get(Application, place.application_id)
    if application is not None and application.status != ApplicationStatus.WITHDRAWN:
        application.withdrawn_reason = reason
        applications.set_status(
            session,
            application,
            ApplicationStatus.WITHDRAWN,
            actor=person,
            now=now,
            reason="Left their group",
        )
    cohort = place.cohort
    if can_join(cohort, now):
        backfill(session, cohort, now=now)


# Calendar feed links


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_feed_token(session: Session, place: Place) -> str:
    """A new secret for the person's calendar feed; the old one stops working at once.

    Only its SHA-256 hash is stored, so the link can be shown only now. Side effects:
    flushes the place and an audit event.
    """
    if place.status != PlaceStatus.ACCEPTED:
        raise DeliveryError("You do not have a place in this group")
    raw = secrets.token_urlsafe(32)
    place.feed_token_hash = _token_hash(raw)
    session.flush()
    record(
        session,
        actor=session.get(User, place.person_id),
        action="cohort_place.feed_link_created",
        entity_type="cohort_place",
        entity_id=place.id,
        fields=["feed_token_hash"],
    )
    return raw


def place_for_feed_token(session: Session, raw: str) -> Place | None:
    """The place whose current feed secret this is, if it is still held; else None."""
    if not raw or len(raw) > 200:
        return None
    place = session.scalar(select(Place).where(Place.feed_token_hash == _token_hash(raw)))
    if place is None or place.status != PlaceStatus.ACCEPTED:
        return None
    return place


# Calendar files


def _domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def session_uid(cohort_session: CohortSession) -> str:
    return event_uid("cohort-session", cohort_session.id, _domain())


def _organizer(session: Session, cohort: Cohort) -> tuple[str, str]:
    if cohort.facilitator_id is not None:
        facilitator = session.get(User, cohort.facilitator_id)
        if facilitator is not None:
            return facilitator.email, facilitator.name
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return address or f"no-reply@{_domain()}", name or current_app.config["SERVICE_NAME"]


def where(cohort_session: CohortSession) -> str:
    """Where the session happens, in words: the venue or the online meeting's link."""
    cohort = cohort_session.cohort
    if cohort.delivery == CohortDelivery.ONLINE:
        return cohort_session.online_link or cohort.online_link or "Online: link to follow"
    return cohort_session.venue or cohort.venue or "Venue to be confirmed"


def session_when(cohort_session: CohortSession) -> str:
    """ "Tuesday 3 March 2026, 9:30am to midday" (London time)."""
    return f"{govuk_datetime(cohort_session.starts_at)} to {govuk_time(cohort_session.ends_at)}"


def _event(
    session: Session,
    cohort_session: CohortSession,
    *,
    attendees: tuple[tuple[str, str], ...] = (),
) -> CalendarEvent:
    cohort = cohort_session.cohort
    organizer_email, organizer_name = _organizer(session, cohort)
    number = session_numbers(cohort).get(cohort_session.id)
    title = f"Peer Networks: {cohort.name}"
    lines = [
        f"Session {number} of your Peer Networks group, {cohort.name}."
        if number
        else f"A session of your Peer Networks group, {cohort.name}.",
        f"Where: {where(cohort_session)}",
        f"Facilitator: {organizer_name}" if cohort.facilitator_id else "",
        f"Your group's page: {external_url('my_cohort.index')}",
    ]
    online = cohort.delivery == CohortDelivery.ONLINE
    return CalendarEvent(
        uid=session_uid(cohort_session),
        sequence=cohort_session.calendar_sequence,
        starts_at=cohort_session.starts_at,
        ends_at=cohort_session.ends_at,
        summary=title,
        description="\n".join(line for line in lines if line),
        location=where(cohort_session),
        url=(cohort_session.online_link or cohort.online_link) if online else "",
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        attendees=attendees,
    )


def session_calendar(
    session: Session,
    cohort_session: CohortSession,
    *,
    method: Literal["PUBLISH", "REQUEST", "CANCEL"] = "PUBLISH",
    recipient: User | None = None,
) -> bytes:
    """One session as a calendar file: a download (PUBLISH), or for ``recipient`` an
    invitation or update (REQUEST) or a cancellation (CANCEL)."""
    attendees = ((recipient.email, recipient.name),) if recipient is not None else ()
    return calendar_file([_event(session, cohort_session, attendees=attendees)], method=method)


def feed_calendar(session: Session, cohort: Cohort) -> bytes:
    """Every session of the cohort not cancelled, as a feed calendar programs subscribe to.
    No attendees: the feed names nobody."""
    events = [_event(session, s) for s in active_sessions(cohort)]
    return calendar_file(events, method="PUBLISH", calendar_name=f"Peer Networks: {cohort.name}")


# Emails to members


def _email_change(
    session: Session,
    cohort_session: CohortSession,
    *,
    change: Literal["moved", "added", "cancelled"],
    reason: str,
    now: dt.datetime,
    previous: dt.datetime | None = None,
) -> None:
    cohort = cohort_session.cohort
    members = current_members(cohort)
    method: Literal["REQUEST", "CANCEL"] = "CANCEL" if change == "cancelled" else "REQUEST"
    subject = {
        "moved": f"A session of {cohort.name} has moved",
        "added": f"A new session for {cohort.name}",
        "cancelled": f"A session of {cohort.name} is cancelled",
    }[change]
    for person in people(session, members).values():
        queue_email(
            session,
            to=person,
            subject=subject,
            template="session_cancelled" if change == "cancelled" else "session_changed",
            context={
                "name": person.name,
                "cohort_name": cohort.name,
                "change": change,
                "when": session_when(cohort_session),
                "previous_when": govuk_datetime(previous) if previous else "",
                "where": where(cohort_session),
                "reason": reason,
                "sessions": [],
                "cohort_url": external_url("my_cohort.index"),
            },
            attachments=[
                Attachment(
                    "session.ics",
                    CALENDAR_CONTENT_TYPE,
                    session_calendar(session, cohort_session, method=method, recipient=person),
                )
            ],
        )


def _cancel_files(
    session: Session, cohort: Cohort, cohort_session: CohortSession
) -> dict[int, bytes]:
    """Cancellation files for a session about to be deleted, by person id."""
    cohort_session.calendar_sequence += 1
    return {
        person.id: session_calendar(session, cohort_session, method="CANCEL", recipient=person)
        for person in people(session, current_members(cohort)).values()
    }


def _email_schedule(
    session: Session,
    cohort: Cohort,
    *,
    now: dt.datetime,
    cancellations: list[dict[int, bytes]],
) -> None:
    upcoming = [s for s in active_sessions(cohort) if s.ends_at > now]
    if not upcoming and not cancellations:
        return
    every_session = calendar_file([_event(session, s) for s in upcoming], method="PUBLISH")
    for person in people(session, current_members(cohort)).values():
        attachments = []
        if upcoming:
            attachments.append(Attachment("sessions.ics", CALENDAR_CONTENT_TYPE, every_session))
        for number, files in enumerate(cancellations, start=1):
            if person.id in files:
                attachments.append(
                    Attachment(
                        f"cancelled-session-{number}.ics", CALENDAR_CONTENT_TYPE, files[person.id]
                    )
                )
        queue_email(
            session,
            to=person,
            subject=f"The dates of {cohort.name}'s sessions",
            template="session_changed",
            context={
                "name": person.name,
                "cohort_name": cohort.name,
                "change": "schedule",
                "when": "",
                "previous_when": "",
                "where": where(upcoming[0]) if upcoming else "",
                "reason": "",
                "sessions": [session_when(s) for s in upcoming],
                "removed": len(cancellations),
                "cohort_url": external_url("my_cohort.index"),
            },
            attachments=attachments,
        )
