"""A coach's free times: weekly hours and one-off changes, less what is already booked.

Pure domain code (no Flask, no database). Coaches set their hours in London wall-clock time
("Tuesdays 9am to 12:30pm"), and a booking is a real stretch of time, so:

- each day's hours are turned into UTC instants first (``to_utc`` from the cohort schedule,
  which settles the two awkward hours of the year the same way for the whole portal), and
  everything after that is done in UTC;
- on the morning the clocks go forward, hours inside the skipped hour (01:00-01:59) do not
  exist: a window 00:30-02:30 lasts one real hour, and a window wholly inside the gap
  offers nothing;
- on the morning the clocks go back, the repeated hour happens twice: a window 01:00-02:00
  lasts two real hours, and its times are offered twice, once in BST and once in GMT
  (``slot_label`` tells them apart);
- slot starts step through each window in real time from the window's start.

A slot is free when the time it would hold, from its start to its end plus the coach's
buffer, overlaps nothing busy. What is busy is given as UTC intervals that already include
any buffer of their own (a booking holds its session and its coach's buffer after it; a
group session the coach facilitates holds the session and the buffer after it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from portal.cohorts.schedule import LONDON, to_utc
from portal.timefmt import govuk_time

DEFAULT_STEP_MINUTES = 30
MIN_SESSION_MINUTES = 15
MAX_SESSION_MINUTES = 240

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class WeeklyHours:
    """Hours every week on ``weekday`` (0 Monday .. 6 Sunday), London wall-clock time."""

    weekday: int
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("The weekday must be from 0 (Monday) to 6 (Sunday)")
        if self.end <= self.start:
            raise ValueError("The hours must end after they start")


@dataclass(frozen=True)
class DayChange:
    """A one-off change on one London date: ``extra`` hours, or time off. Time off with no
    times is the whole day."""

    on: dt.date
    extra: bool
    start: dt.time | None = None
    end: dt.time | None = None

    def __post_init__(self) -> None:
        if (self.start is None) != (self.end is None):
            raise ValueError("Give both times or neither")
        if self.extra and self.start is None:
            raise ValueError("Extra hours need a start and an end")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("The hours must end after they start")

    @property
    def whole_day(self) -> bool:
        return self.start is None


@dataclass(frozen=True)
class SlotRules:
    """What a coach offers: session ``lengths`` in minutes, the ``buffer_minutes`` kept free
    after each booking, the ``min_notice`` before a booking may start and the ``horizon``
    after which nothing can be booked yet."""

    lengths: tuple[int, ...]
    buffer_minutes: int
    min_notice: dt.timedelta
    horizon: dt.timedelta
    step_minutes: int = DEFAULT_STEP_MINUTES

    def __post_init__(self) -> None:
        if not self.lengths or any(
            not MIN_SESSION_MINUTES <= minutes <= MAX_SESSION_MINUTES for minutes in self.lengths
        ):
            raise ValueError(
                f"Session lengths must be from {MIN_SESSION_MINUTES} to "
                f"{MAX_SESSION_MINUTES} minutes"
            )
        if self.buffer_minutes < 0 or self.step_minutes <= 0:
            raise ValueError("The buffer cannot be negative and the step must be positive")
        if self.min_notice < dt.timedelta(0) or self.horizon <= self.min_notice:
            raise ValueError("The horizon must be further ahead than the notice needed")


@dataclass(frozen=True, order=True)
class Slot:
    """A time that can be booked. ``starts_at`` and ``ends_at`` are UTC."""

    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at) / dt.timedelta(minutes=1))

    @property
    def london_date(self) -> dt.date:
        return self.starts_at.astimezone(LONDON).date()


def _require_utc(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() != dt.timedelta(0):
        raise ValueError(f"{name} must be a timezone-aware UTC datetime")


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[Interval], removed: list[Interval]) -> list[Interval]:
    result = []
    for start, end in intervals:
        pieces = [(start, end)]
        for cut_start, cut_end in removed:
            next_pieces = []
            for piece_start, piece_end in pieces:
                if cut_end <= piece_start or piece_end <= cut_start:
                    next_pieces.append((piece_start, piece_end))
                    continue
                if piece_start < cut_start:
                    next_pieces.append((piece_start, cut_start))
                if cut_end < piece_end:
                    next_pieces.append((cut_end, piece_end))
            pieces = next_pieces
        result.extend(pieces)
    return result


def _instants(day: dt.date, start: dt.time, end: dt.time) -> Interval:
    return to_utc(day, start), to_utc(day, end)


def open_hours(
    day: dt.date, weekly: Sequence[WeeklyHours], changes: Sequence[DayChange]
) -> list[Interval]:
    """The UTC intervals a coach is available on the London date ``day``: the weekly hours
    for its weekday plus extra hours, less time off. In order, merged, never empty intervals."""
    todays = [c for c in changes if c.on == day]
    if any(c.whole_day and not c.extra for c in todays):
        return []
    available = [_instants(day, w.start, w.end) for w in weekly if w.weekday == day.weekday()]
    available += [
        _instants(day, c.start, c.end)
        for c in todays
        if c.extra and c.start is not None and c.end is not None
    ]
    time_off = [
        _instants(day, c.start, c.end)
        for c in todays
        if not c.extra and c.start is not None and c.end is not None
    ]
    return _merge(_subtract(_merge(available), _merge(time_off)))


def free_slots(
    *,
    weekly: Sequence[WeeklyHours],
    changes: Sequence[DayChange],
    busy: Iterable[Interval],
    rules: SlotRules,
    now: dt.datetime,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    lengths: Sequence[int] | None = None,
) -> list[Slot]:
    """Every free slot from ``first_day`` to ``last_day`` (London dates, both included; by
    default as far as the rules allow), in order of start then length.

    A slot starts no sooner than ``now`` plus the notice needed and before ``now`` plus the
    horizon; it lies wholly within the day's open hours; and its start to its end plus the
    buffer overlaps nothing in ``busy`` (UTC intervals). ``lengths`` narrows the rules'
    lengths (lengths the coach does not offer are ignored). No side effects.
    """
    _require_utc(now, "now")
    earliest = now + rules.min_notice
    latest = now + rules.horizon
    wanted = sorted(set(rules.lengths) & set(lengths)) if lengths else sorted(set(rules.lengths))
    if not wanted:
        return []
    day = max(first_day or dt.date.min, earliest.astimezone(LONDON).date())
    end_day = min(last_day or dt.date.max, latest.astimezone(LONDON).date())
    blocked = _merge(busy)
    buffer = dt.timedelta(minutes=rules.buffer_minutes)
    step = dt.timedelta(minutes=rules.step_minutes)
    slots: list[Slot] = []
    while day <= end_day:
        for window_start, window_end in open_hours(day, weekly, changes):
            start = window_start
            while start < window_end:
                if earliest <= start < latest:
                    for minutes in wanted:
                        end = start + dt.timedelta(minutes=minutes)
                        if end > window_end:
                            break
                        if not _overlaps(start, end + buffer, blocked):
                            slots.append(Slot(start, end))
                start += step
        day += dt.timedelta(days=1)
    return slots


def _overlaps(start: dt.datetime, end: dt.datetime, blocked: Sequence[Interval]) -> bool:
    return any(b_start < end and start < b_end for b_start, b_end in blocked)


def by_day(slots: Iterable[Slot]) -> list[tuple[dt.date, list[Slot]]]:
    """Slots grouped by London date, in order."""
    ordered = sorted(slots)
    return [(day, list(group)) for day, group in groupby(ordered, key=lambda s: s.london_date)]


def is_repeated_hour(moment: dt.datetime) -> bool:
    """Whether London clocks show this instant's time twice that day (the hour repeated
    when the clocks go back)."""
    local = moment.astimezone(LONDON)
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset()


def slot_label(moment: dt.datetime) -> str:
    """The London time of a slot as people read it ("9:30am"), with the zone when the time
    happens twice that morning ("1:30am (BST)", then "1:30am (GMT)")."""
    text = govuk_time(moment)
    if is_repeated_hour(moment):
        return f"{text} ({moment.astimezone(LONDON).tzname()})"
    return text
