"""A coach's availability as stored (profile, weekly hours, one-off changes), and their free
times worked out from it with what is already booked.

Functions flush and never commit. The slot arithmetic itself is in
``portal.coaching.availability`` (pure); this module gathers its inputs from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from portal.audit.services import record
from portal.auth.models import User
from portal.coaching.availability import (
    DayChange,
    Interval,
    Slot,
    SlotRules,
    WeeklyHours,
    free_slots,
)
from portal.coaching.models import (
    HOLDING,
    AvailabilityException,
    Booking,
    CoachProfile,
    ExceptionKind,
    LocationType,
    WeeklyWindow,
)
from portal.cohorts.models import Cohort, CohortSession, SessionStatus
from portal.reference.models import ReferenceKind
from portal.reference.services import active_items
from portal.timefmt import govuk_time

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LENGTH_CHOICES = (30, 45, 60, 90, 120)
MAX_BUFFER_MINUTES = 120
MAX_NOTICE_HOURS = 14 * 24
MAX_HORIZON_WEEKS = 26


class AvailabilityError(Exception):
    """A change to availability broke a rule; the message is for the coach to read."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def support_type_labels(session: Session) -> dict[str, str]:
    """Active support types (coaching, mentoring, advice), code to label, in order."""
    return {item.code: item.label for item in active_items(session, ReferenceKind.SUPPORT_TYPE)}


def profile_for(session: Session, coach_id: int) -> CoachProfile | None:
    return session.scalar(select(CoachProfile).where(CoachProfile.coach_id == coach_id))


def ensure_profile(session: Session, coach: User) -> CoachProfile:
    """The coach's profile, created with the defaults the first time."""
    profile = profile_for(session, coach.id)
    if profile is None:
        profile = CoachProfile(coach_id=coach.id)
        session.add(profile)
        session.flush()
    return profile


def update_profile(
    session: Session,
    coach: User,
    *,
    session_lengths: Sequence[int],
    buffer_minutes: int,
    min_notice_hours: int,
    horizon_weeks: int,
    support_types: Sequence[str],
    location_type: LocationType,
    location_detail: str,
    about: str,
    now: dt.datetime,
) -> list[str]:
    """Save what the coach offers. Bookings already made keep their times and buffers.

    Returns the names of the settings that changed. Raises AvailabilityError for a setting
    outside its limits. Side effects: flushes the profile and an audit event.
    """
    known = support_type_labels(session)
    if not session_lengths or any(m not in LENGTH_CHOICES for m in session_lengths):
        raise AvailabilityError("Select at least one session length", "session_lengths")
    if not support_types or any(code not in known for code in support_types):
        raise AvailabilityError("Select the kinds of support you give", "support_types")
    if location_type == LocationType.IN_PERSON and not location_detail:
        raise AvailabilityError("Enter the address where you meet people", "address")
    if horizon_weeks * 7 * 24 <= min_notice_hours:
        raise AvailabilityError(
            "How far ahead people can book must be longer than the notice you need",
            "horizon_weeks",
        )
    profile = ensure_profile(session, coach)
    values: dict[str, object] = {
        "session_lengths": sorted(set(session_lengths)),
        "buffer_minutes": buffer_minutes,
        "min_notice_hours": min_notice_hours,
        "horizon_weeks": horizon_weeks,
        "support_types": [code for code in known if code in set(support_types)],
        "location_type": location_type,
        "location_detail": location_detail if location_type != LocationType.PHONE else "",
        "about": about,
    }
    changed = [name for name, value in values.items() if getattr(profile, name) != value]
    for name in changed:
        setattr(profile, name, values[name])
    if changed:
        profile.updated_at = now
        session.flush()
        record(
            session,
            actor=coach,
            action="coaching.profile_changed",
            entity_type="coaching_profile",
            entity_id=profile.id,
            fields=changed,
        )
    return changed


def weekly_windows(session: Session, coach_id: int) -> list[WeeklyWindow]:
    return list(
        session.scalars(
            select(WeeklyWindow)
            .where(WeeklyWindow.coach_id == coach_id)
            .order_by(WeeklyWindow.weekday, WeeklyWindow.start_time)
        )
    )


def _hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def hours_text(start: str, end: str) -> str:
    """ "9am to 12:30pm" from stored wall-clock times."""
    return f"{govuk_time(_time(start))} to {govuk_time(_time(end))}"


def add_weekly_window(
    session: Session, coach: User, *, weekday: int, start: dt.time, end: dt.time
) -> WeeklyWindow:
    """Add hours the coach is available every week. Raises AvailabilityError for hours that
    end before they start or overlap hours already set on that day."""
    if end <= start:
        raise AvailabilityError("The end time must be after the start time", "end_time")
    for window in weekly_windows(session, coach.id):
        if (
            window.weekday == weekday
            and _time(window.start_time) < end
            and start < _time(window.end_time)
        ):
            raise AvailabilityError(
                f"These hours overlap your hours on {WEEKDAY_NAMES[weekday]}s, "
                f"{hours_text(window.start_time, window.end_time)}",
                "start_time",
            )
    ensure_profile(session, coach)
    window = WeeklyWindow(
        coach_id=coach.id, weekday=weekday, start_time=_hhmm(start), end_time=_hhmm(end)
    )
    session.add(window)
    session.flush()
    record(
        session,
        actor=coach,
        action="coaching.weekly_hours_added",
        entity_type="coaching_weekly_window",
        entity_id=window.id,
    )
    return window


def remove_weekly_window(session: Session, coach: User, window_id: int) -> WeeklyWindow:
    """Remove weekly hours. Bookings already made in them stay. 404 for another's hours."""
    window = session.get(WeeklyWindow, window_id)
    if window is None or window.coach_id != coach.id:
        raise NotFound()
    session.delete(window)
    session.flush()
    record(
        session,
        actor=coach,
        action="coaching.weekly_hours_removed",
        entity_type="coaching_weekly_window",
        entity_id=window_id,
    )
    return window


def exceptions(
    session: Session, coach_id: int, *, from_day: dt.date | None = None
) -> list[AvailabilityException]:
    query = select(AvailabilityException).where(AvailabilityException.coach_id == coach_id)
    if from_day is not None:
        query = query.where(AvailabilityException.on >= from_day)
    return list(
        session.scalars(query.order_by(AvailabilityException.on, AvailabilityException.start_time))
    )


def add_exception(
    session: Session,
    coach: User,
    *,
    on: dt.date,
    kind: ExceptionKind,
    start: dt.time | None,
    end: dt.time | None,
    note: str,
    today: dt.date,
) -> AvailabilityException:
    """Add a one-off change: time off (the whole day without times) or extra hours.
    Bookings already made stay. Raises AvailabilityError for a past date or bad times."""
    if on < today:
        raise AvailabilityError("The date must be today or in the future", "on")
    if kind == ExceptionKind.EXTRA_HOURS and (start is None or end is None):
        raise AvailabilityError("Enter the start and end times of the extra hours", "start_time")
    if (start is None) != (end is None):
        field = "end_time" if end is None else "start_time"
        raise AvailabilityError("Enter both times, or neither for the whole day", field)
    if start is not None and end is not None and end <= start:
        raise AvailabilityError("The end time must be after the start time", "end_time")
    ensure_profile(session, coach)
    change = AvailabilityException(
        coach_id=coach.id,
        on=on,
        kind=kind,
        start_time=_hhmm(start) if start else "",
        end_time=_hhmm(end) if end else "",
        note=note,
    )
    session.add(change)
    session.flush()
    record(
        session,
        actor=coach,
        action="coaching.day_change_added",
        entity_type="coaching_availability_exception",
        entity_id=change.id,
    )
    return change


def remove_exception(session: Session, coach: User, exception_id: int) -> None:
    change = session.get(AvailabilityException, exception_id)
    if change is None or change.coach_id != coach.id:
        raise NotFound()
    session.delete(change)
    session.flush()
    record(
        session,
        actor=coach,
        action="coaching.day_change_removed",
        entity_type="coaching_availability_exception",
        entity_id=exception_id,
    )


# Free times


def rules_of(profile: CoachProfile, lengths: Sequence[int] | None = None) -> SlotRules:
    """The slot rules of a coach's profile; ``lengths`` replaces the lengths offered."""
    return SlotRules(
        lengths=tuple(lengths or profile.session_lengths),
        buffer_minutes=profile.buffer_minutes,
        min_notice=dt.timedelta(hours=profile.min_notice_hours),
        horizon=dt.timedelta(weeks=profile.horizon_weeks),
    )


def _weekly(session: Session, coach_id: int) -> list[WeeklyHours]:
    return [
        WeeklyHours(w.weekday, _time(w.start_time), _time(w.end_time))
        for w in weekly_windows(session, coach_id)
    ]


def _changes(session: Session, coach_id: int, first: dt.date, last: dt.date) -> list[DayChange]:
    rows = session.scalars(
        select(AvailabilityException).where(
            AvailabilityException.coach_id == coach_id,
            AvailabilityException.on >= first,
            AvailabilityException.on <= last,
        )
    )
    return [
        DayChange(
            on=row.on,
            extra=row.kind == ExceptionKind.EXTRA_HOURS,
            start=_time(row.start_time) if row.start_time else None,
            end=_time(row.end_time) if row.end_time else None,
        )
        for row in rows
    ]


def booked_intervals(
    session: Session,
    *,
    coach_id: int | None = None,
    participant_id: int | None = None,
    between: Interval,
    ignore_booking_id: int | None = None,
) -> list[Interval]:
    """The time held by bookings (session plus buffer) of a coach or a participant."""
    query = select(Booking.blocked_from, Booking.blocked_until).where(
        Booking.status.in_(HOLDING),
        Booking.blocked_until > between[0],
        Booking.blocked_from < between[1],
    )
    if coach_id is not None:
        query = query.where(Booking.coach_id == coach_id)
    if participant_id is not None:
        query = query.where(Booking.participant_id == participant_id)
    if ignore_booking_id is not None:
        query = query.where(Booking.id != ignore_booking_id)
    return [(start, end) for start, end in session.execute(query)]


def group_sessions(
    session: Session,
    *,
    between: Interval,
    facilitator_id: int | None = None,
    cohort_id: int | None = None,
) -> list[CohortSession]:
    """Group sessions not cancelled, of cohorts a person facilitates or of one cohort."""
    query = select(CohortSession).where(
        CohortSession.status != SessionStatus.CANCELLED,
        CohortSession.ends_at > between[0],
        CohortSession.starts_at < between[1],
    )
    if facilitator_id is not None:
        query = query.join(Cohort, Cohort.id == CohortSession.cohort_id).where(
            Cohort.facilitator_id == facilitator_id
        )
    if cohort_id is not None:
        query = query.where(CohortSession.cohort_id == cohort_id)
    return list(session.scalars(query.order_by(CohortSession.starts_at)))


def free_times(
    session: Session,
    coach_id: int,
    profile: CoachProfile,
    *,
    now: dt.datetime,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    lengths: Sequence[int] | None = None,
    participant_id: int | None = None,
    cohort_id: int | None = None,
    ignore_booking_id: int | None = None,
    count_coach_bookings: bool = True,
) -> list[Slot]:
    """The coach's free slots. With ``participant_id``, also leaves out times that person
    already has booked (and, with ``cohort_id``, their own group's sessions).

    The coach's group sessions (cohorts they facilitate) block their time, with the buffer
    after them. ``ignore_booking_id`` leaves a booking out (one being moved).
    ``lengths`` are the session lengths wanted (by default, all the coach offers; a length
    they no longer offer is allowed, for moving an older booking).
    ``count_coach_bookings=False`` ignores the coach's bookings, to tell a time that was
    taken from one never offered.
    """
    rules = rules_of(profile, lengths)
    between = (now - dt.timedelta(days=1), now + rules.horizon + dt.timedelta(days=1))
    buffer = dt.timedelta(minutes=rules.buffer_minutes)
    busy: list[Interval] = [
        (s.starts_at, s.ends_at + buffer)
        for s in group_sessions(session, between=between, facilitator_id=coach_id)
    ]
    if count_coach_bookings:
        busy += booked_intervals(
            session, coach_id=coach_id, between=between, ignore_booking_id=ignore_booking_id
        )
    if participant_id is not None:
        busy += booked_intervals(
            session,
            participant_id=participant_id,
            between=between,
            ignore_booking_id=ignore_booking_id,
        )
    if cohort_id is not None:
        busy += [
            (s.starts_at, s.ends_at)
            for s in group_sessions(session, between=between, cohort_id=cohort_id)
        ]
    first = first_day or (now + rules.min_notice).date() - dt.timedelta(days=1)
    last = last_day or (now + rules.horizon).date() + dt.timedelta(days=1)
    return free_slots(
        weekly=_weekly(session, coach_id),
        changes=_changes(session, coach_id, first, last),
        busy=busy,
        rules=rules,
        now=now,
        first_day=first_day,
        last_day=last_day,
    )
