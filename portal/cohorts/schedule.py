"""A cohort's planned sessions: dates and times from the cohort's meeting settings.

Pure domain code (no Flask, no database). Cohorts meet at a weekly slot in Europe/London,
usually fortnightly, and people read the times on the clock on their wall; so the schedule is
worked out in London wall-clock time and each session is returned in UTC, which is how
datetimes are stored. A 10:00 session is 10:00 UTC in winter (GMT) and 09:00 UTC in summer
(BST).

The two awkward hours of the year are settled like this (see ``to_utc``):

- a time that does not exist, because the clocks go forward (01:00-01:59 on the last Sunday
  of March), moves forward to the first time that does exist: 02:00 BST (01:00 UTC);
- a time that happens twice, because the clocks go back (01:00-01:59 on the last Sunday of
  October), is the first of the two: BST (PEP 495 ``fold=0``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

MIN_SESSION_MINUTES = 30
MAX_SESSION_MINUTES = 480
MIN_FREQUENCY_DAYS = 7
MAX_FREQUENCY_DAYS = 28
MIN_PLANNED_HOURS = 1
MAX_PLANNED_HOURS = 100

_PART_OF_DAY_STARTS = {
    "morning": dt.time(9, 30),
    "afternoon": dt.time(13, 30),
    "evening": dt.time(18, 0),
}


def part_of_day_start(part: str) -> dt.time:
    """The default start time for a part of the day: morning 09:30, afternoon 13:30,
    evening 18:00.

    ``part`` is "morning", "afternoon" or "evening" (``PartOfDay`` members are strings).
    Raises ``ValueError`` for anything else.
    """
    try:
        return _PART_OF_DAY_STARTS[str(part)]
    except KeyError:
        known = ", ".join(_PART_OF_DAY_STARTS)
        raise ValueError(f"Unknown part of the day {part!r}: expected one of {known}") from None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class ScheduleSettings:
    """How a cohort meets: from which date, on which weekday and at what London time, for
    how long each time, how often, and for how many hours in all.

    ``weekday`` is 0 for Monday to 6 for Sunday. ``start_time`` is a naive London wall-clock
    time. ``frequency_days`` must be a whole number of weeks (7, 14, 21 or 28), since a
    cohort keeps its weekly slot. Invalid settings raise ``ValueError``.
    """

    start_on: dt.date
    weekday: int
    start_time: dt.time
    session_minutes: int
    frequency_days: int
    planned_hours: int

    def __post_init__(self) -> None:
        # A datetime is a date too; accepting one would hide a caller's mistake.
        if not isinstance(self.start_on, dt.date) or isinstance(self.start_on, dt.datetime):
            raise ValueError("The start date must be a date")
        if not _is_int(self.weekday) or not 0 <= self.weekday <= 6:
            raise ValueError("The weekday must be a whole number from 0 (Monday) to 6 (Sunday)")
        if not isinstance(self.start_time, dt.time):
            raise ValueError("The start time must be a time")
        if self.start_time.tzinfo is not None:
            raise ValueError("The start time must be a London wall-clock time without a zone")
        if not _is_int(self.session_minutes) or not (
            MIN_SESSION_MINUTES <= self.session_minutes <= MAX_SESSION_MINUTES
        ):
            raise ValueError(
                f"Sessions must last from {MIN_SESSION_MINUTES} to {MAX_SESSION_MINUTES} minutes"
            )
        if not _is_int(self.frequency_days) or not (
            MIN_FREQUENCY_DAYS <= self.frequency_days <= MAX_FREQUENCY_DAYS
        ):
            raise ValueError(
                f"Sessions must be from {MIN_FREQUENCY_DAYS} to {MAX_FREQUENCY_DAYS} days apart"
            )
        if self.frequency_days % 7:
            raise ValueError(
                "Sessions must be a whole number of weeks apart (7, 14, 21 or 28 days)"
            )
        if not _is_int(self.planned_hours) or not (
            MIN_PLANNED_HOURS <= self.planned_hours <= MAX_PLANNED_HOURS
        ):
            raise ValueError(
                f"Planned hours must be from {MIN_PLANNED_HOURS} to {MAX_PLANNED_HOURS}"
            )

    @property
    def session_count(self) -> int:
        """The fewest sessions of ``session_minutes`` whose total reaches the planned hours."""
        return math.ceil(self.planned_hours * 60 / self.session_minutes)


@dataclass(frozen=True)
class PlannedSession:
    """One planned meeting. ``starts_at`` and ``ends_at`` are timezone-aware UTC.

    ``moved_from`` is the date (London) the session would have been on, had that not been a
    bank holiday; ``None`` when it was not moved.
    """

    number: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    moved_from: dt.date | None = None


def to_utc(local_date: dt.date, local_time: dt.time) -> dt.datetime:
    """The UTC instant (timezone-aware) at which London clocks show ``local_date`` and
    ``local_time``.

    - A wall-clock time that does not exist, in the hour skipped when the clocks go forward
      (01:00-01:59 on the last Sunday of March), moves forward to the first time that does
      exist, the moment the clocks change: 02:00 BST, which is 01:00 UTC. (In the UK the gap
      is 01:00-02:00 local time; 02:00 BST itself exists.)
    - A wall-clock time that happens twice, in the hour repeated when the clocks go back
      (01:00-01:59 on the last Sunday of October), is taken as its first occurrence, in BST
      (PEP 495 ``fold=0``): 01:30 that morning is 00:30 UTC.
    """
    if local_time.tzinfo is not None:
        raise ValueError("Pass a London wall-clock time without a zone")
    wall_clock = dt.datetime.combine(local_date, local_time)
    local = wall_clock.replace(tzinfo=LONDON, fold=0)
    utc = local.astimezone(dt.UTC)
    if utc.astimezone(LONDON).replace(tzinfo=None) == wall_clock:
        return utc
    return _end_of_gap(wall_clock)


def _london_offset(moment: dt.datetime) -> dt.timedelta:
    offset = moment.utcoffset()
    if offset is None:  # never for a ZoneInfo datetime; keeps the types exact
        raise ValueError("No UTC offset")
    return offset


def _end_of_gap(wall_clock: dt.datetime) -> dt.datetime:
    """The UTC instant at which the skipped hour around ``wall_clock`` (a naive London time
    that does not exist) ends, i.e. the first wall-clock time after the gap."""
    # PEP 495: in a gap, fold=0 gives the offset before the change and fold=1 the one after.
    offset_before = _london_offset(wall_clock.replace(tzinfo=LONDON, fold=0))
    offset_after = _london_offset(wall_clock.replace(tzinfo=LONDON, fold=1))
    # In UTC, the clocks changed after `low` (still the old offset) and by `high`.
    naive_low = wall_clock - offset_after
    naive_high = wall_clock - offset_before
    low = naive_low.replace(tzinfo=dt.UTC)
    high = naive_high.replace(tzinfo=dt.UTC)
    while (high - low) > dt.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if _london_offset(middle.astimezone(LONDON)) == offset_before:
            low = middle
        else:
            high = middle
    # Transitions fall on whole seconds; drop the fraction the halving may leave.
    return high.replace(microsecond=0)


def london_wall_clock(utc: dt.datetime) -> dt.datetime:
    """What London clocks show at the instant ``utc`` (an aware datetime in any zone)."""
    if utc.tzinfo is None or utc.utcoffset() is None:
        raise ValueError("A naive datetime has no meaning here; pass an aware UTC datetime")
    return utc.astimezone(LONDON)


def first_meeting_day(start_on: dt.date, weekday: int) -> dt.date:
    """The first ``weekday`` (0 Monday .. 6 Sunday) on or after ``start_on``."""
    return start_on + dt.timedelta(days=(weekday - start_on.weekday()) % 7)


def planned_sessions(
    settings: ScheduleSettings, bank_holidays: AbstractSet[dt.date]
) -> list[PlannedSession]:
    """Every session a cohort with these settings will hold, in order, numbered from 1.

    - The first session is on the first ``weekday`` on or after ``start_on``; each one after
      is ``frequency_days`` after the one before.
    - The number of sessions is the fewest whose total reaches ``planned_hours``. All
      sessions are the same length, ``session_minutes``, even when that makes the total run
      over (18 hours of 150-minute sessions is 8 sessions, 20 hours); the last session is
      not shortened.
    - A session whose London date is in ``bank_holidays`` moves to the same weekday one week
      later (again, if that is a bank holiday too: Christmas Day then New Year's Day), and
      the rest of the schedule follows on from the new date. ``moved_from`` records the date
      it would have been on.
    - Every session starts at ``start_time`` on London clocks whether or not summer time is
      in force, so its UTC time differs by an hour between winter and summer. On the morning
      the clocks change, see ``to_utc``. A session's length is real elapsed time: one that
      spans the change ends an hour later or earlier on the clock.

    No side effects.
    """
    length = dt.timedelta(minutes=settings.session_minutes)
    every = dt.timedelta(days=settings.frequency_days)
    week = dt.timedelta(days=7)
    sessions: list[PlannedSession] = []
    day = first_meeting_day(settings.start_on, settings.weekday)
    for number in range(1, settings.session_count + 1):
        planned_day = day
        while day in bank_holidays:
            day += week
        starts_at = to_utc(day, settings.start_time)
        sessions.append(
            PlannedSession(
                number=number,
                starts_at=starts_at,
                ends_at=starts_at + length,
                moved_from=planned_day if day != planned_day else None,
            )
        )
        day += every
    return sessions
