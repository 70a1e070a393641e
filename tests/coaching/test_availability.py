"""Free times from weekly hours, one-off changes, lengths, buffers, notice and horizon, and
across both changes of the clocks (pure code: no app, no database).

In 2027 the clocks go forward on Sunday 28 March (01:00 GMT becomes 02:00 BST) and back on
Sunday 31 October (02:00 BST becomes 01:00 GMT).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.coaching.availability import (
    DayChange,
    Slot,
    SlotRules,
    WeeklyHours,
    by_day,
    free_slots,
    is_repeated_hour,
    open_hours,
    slot_label,
)

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
T = dt.time
SPRING = dt.date(2027, 3, 28)
AUTUMN = dt.date(2027, 10, 31)
EVERY_DAY_9_TO_5 = [WeeklyHours(day, T(9), T(17)) for day in range(7)]


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def rules(**changes: object) -> SlotRules:
    values: dict[str, object] = {
        "lengths": (60,),
        "buffer_minutes": 0,
        "min_notice": dt.timedelta(0),
        "horizon": dt.timedelta(weeks=8),
    }
    values.update(changes)
    return SlotRules(**values)  # type: ignore[arg-type]


def london(slot: Slot) -> tuple[str, str]:
    start = slot.starts_at.astimezone(LONDON)
    end = slot.ends_at.astimezone(LONDON)
    return f"{start:%H:%M} {start.tzname()}", f"{end:%H:%M} {end.tzname()}"


def slots_on(day: dt.date, *, weekly=EVERY_DAY_9_TO_5, changes=(), busy=(), now=None, **rule):  # type: ignore[no-untyped-def]
    return free_slots(
        weekly=weekly,
        changes=list(changes),
        busy=list(busy),
        rules=rules(**rule),
        now=now or utc(2027, 1, 4, 0, 0),
        first_day=day,
        last_day=day,
    )


# Weekly hours, lengths and steps


def test_slots_step_every_half_hour_through_the_hours_and_fit_inside_them():
    found = slots_on(dt.date(2027, 1, 12), weekly=[WeeklyHours(1, T(9), T(11))])
    assert [london(s) for s in found] == [
        ("09:00 GMT", "10:00 GMT"),
        ("09:30 GMT", "10:30 GMT"),
        ("10:00 GMT", "11:00 GMT"),
    ]


def test_each_length_offered_is_a_slot_of_its_own():
    found = slots_on(
        dt.date(2027, 1, 12), weekly=[WeeklyHours(1, T(9), T(10, 30))], lengths=(60, 90)
    )
    assert [(london(s)[0], s.minutes) for s in found] == [
        ("09:00 GMT", 60),
        ("09:00 GMT", 90),
        ("09:30 GMT", 60),
    ]


def test_only_the_weekday_of_the_hours_has_slots():
    weekly = [WeeklyHours(0, T(9), T(10))]  # Mondays
    assert slots_on(dt.date(2027, 1, 11), weekly=weekly)  # a Monday
    assert slots_on(dt.date(2027, 1, 12), weekly=weekly) == []  # a Tuesday


def test_two_blocks_on_one_day_touching_merge_into_one():
    weekly = [WeeklyHours(1, T(9), T(10)), WeeklyHours(1, T(10), T(11))]
    found = slots_on(dt.date(2027, 1, 12), weekly=weekly)
    assert london(found[1])[0] == "09:30 GMT"  # 09:30-10:30 spans both blocks


# Notice and horizon


def test_nothing_starts_sooner_than_the_notice_needed():
    now = utc(2027, 1, 11, 10, 15)
    found = free_slots(
        weekly=EVERY_DAY_9_TO_5,
        changes=[],
        busy=[],
        rules=rules(min_notice=dt.timedelta(hours=24)),
        now=now,
        last_day=dt.date(2027, 1, 12),
    )
    assert found[0].starts_at == utc(2027, 1, 12, 10, 30)
    assert all(s.starts_at >= now + dt.timedelta(hours=24) for s in found)


def test_nothing_starts_at_or_after_the_horizon():
    now = utc(2027, 1, 4, 12, 0)
    found = free_slots(
        weekly=EVERY_DAY_9_TO_5,
        changes=[],
        busy=[],
        rules=rules(horizon=dt.timedelta(weeks=1)),
        now=now,
    )
    assert found[-1].starts_at == utc(2027, 1, 11, 11, 30)
    assert found[0].starts_at == utc(2027, 1, 4, 12, 0)


def test_now_must_be_utc():
    with pytest.raises(ValueError, match="UTC"):
        slots_on(dt.date(2027, 1, 12), now=dt.datetime(2027, 1, 4, 9))  # noqa: DTZ001


# What is busy, and the buffer


def test_a_booking_and_the_buffer_after_it_are_not_offered_again():
    # Booked 10:00-11:00 with a 15-minute buffer: the coach is busy until 11:15.
    busy = [(utc(2027, 1, 12, 10), utc(2027, 1, 12, 11, 15))]
    found = slots_on(
        dt.date(2027, 1, 12), weekly=[WeeklyHours(1, T(8), T(13))], busy=busy, buffer_minutes=15
    )
    starts = [london(s)[0] for s in found]
    # 08:30-09:30 plus its own 15 minutes ends 09:45, clear of 10:00; 09:00 would run into it.
    assert starts == ["08:00 GMT", "08:30 GMT", "11:30 GMT", "12:00 GMT"]


def test_a_slot_may_end_exactly_when_something_busy_starts_without_a_buffer():
    busy = [(utc(2027, 1, 12, 10), utc(2027, 1, 12, 11))]
    found = slots_on(dt.date(2027, 1, 12), weekly=[WeeklyHours(1, T(9), T(12))], busy=busy)
    assert [london(s)[0] for s in found] == ["09:00 GMT", "11:00 GMT"]


# One-off changes


def test_a_whole_day_off_removes_the_day():
    day = dt.date(2027, 1, 12)
    assert slots_on(day, changes=[DayChange(day, extra=False)]) == []
    assert slots_on(day + dt.timedelta(days=7), changes=[DayChange(day, extra=False)])


def test_some_hours_off_remove_only_those_hours():
    day = dt.date(2027, 1, 12)
    found = slots_on(
        day,
        weekly=[WeeklyHours(1, T(9), T(12))],
        changes=[DayChange(day, extra=False, start=T(10), end=T(11))],
    )
    assert [london(s)[0] for s in found] == ["09:00 GMT", "11:00 GMT"]


def test_extra_hours_add_to_the_day_even_without_weekly_hours():
    day = dt.date(2027, 1, 16)  # a Saturday
    found = slots_on(
        day, weekly=[WeeklyHours(0, T(9), T(17))], changes=[DayChange(day, True, T(18), T(19))]
    )
    assert [london(s) for s in found] == [("18:00 GMT", "19:00 GMT")]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: DayChange(dt.date(2027, 1, 1), extra=True), "Extra hours need"),
        (lambda: DayChange(dt.date(2027, 1, 1), extra=False, start=T(9)), "both times"),
        (lambda: WeeklyHours(1, T(12), T(9)), "end after they start"),
        (lambda: WeeklyHours(7, T(9), T(12)), "weekday"),
        (lambda: rules(lengths=(5,)), "Session lengths"),
        (lambda: rules(min_notice=dt.timedelta(weeks=9)), "horizon"),
    ],
)
def test_changes_hours_and_rules_must_make_sense(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# The clocks going forward: Sunday 28 March 2027


@pytest.mark.parametrize("offset_days", range(-7, 8))
def test_a_week_either_side_of_the_spring_change_keeps_the_hours_on_the_clock(offset_days):
    day = SPRING + dt.timedelta(days=offset_days)
    found = slots_on(day, now=utc(2027, 3, 1))
    assert found, day
    first, last = found[0], found[-1]
    assert london(first) == (
        f"09:00 {'BST' if day >= SPRING else 'GMT'}",
        f"10:00 {'BST' if day >= SPRING else 'GMT'}",
    )
    assert london(last)[1].startswith("17:00")
    expected_utc_hour = 8 if day >= SPRING else 9
    assert first.starts_at.hour == expected_utc_hour
    assert all(s.minutes == 60 for s in found)
    assert len(found) == 15  # 09:00 to 16:00, every half hour


def test_the_hour_that_does_not_exist_is_never_offered():
    # Hours 00:30-03:00 that Sunday last 1.5 real hours: 01:00-02:00 does not happen.
    weekly = [WeeklyHours(6, T(0, 30), T(3))]
    found = slots_on(SPRING, weekly=weekly, now=utc(2027, 3, 1))
    assert [london(s) for s in found] == [
        ("00:30 GMT", "02:30 BST"),  # one real hour across the change
        ("02:00 BST", "03:00 BST"),
    ]
    assert all(s.minutes == 60 for s in found)
    for slot in found:
        assert not (T(1) <= slot.starts_at.astimezone(LONDON).time() < T(2))


def test_hours_wholly_inside_the_missing_hour_offer_nothing():
    weekly = [WeeklyHours(6, T(1), T(1, 59))]
    assert slots_on(SPRING, weekly=weekly, lengths=(15,), now=utc(2027, 3, 1)) == []
    assert open_hours(SPRING, weekly, []) == []


def test_open_hours_on_the_spring_morning_are_real_time():
    [(start, end)] = open_hours(SPRING, [WeeklyHours(6, T(0), T(4))], [])
    assert (start, end) == (utc(2027, 3, 28, 0), utc(2027, 3, 28, 3))  # three real hours


# The clocks going back: Sunday 31 October 2027


@pytest.mark.parametrize("offset_days", range(-7, 8))
def test_a_week_either_side_of_the_autumn_change_keeps_the_hours_on_the_clock(offset_days):
    day = AUTUMN + dt.timedelta(days=offset_days)
    found = slots_on(day, now=utc(2027, 10, 1))
    zone = "GMT" if day >= AUTUMN else "BST"
    assert london(found[0]) == (f"09:00 {zone}", f"10:00 {zone}")
    assert london(found[-1]) == (f"16:00 {zone}", f"17:00 {zone}")
    assert found[0].starts_at.hour == (9 if day >= AUTUMN else 8)
    assert len(found) == 15


def test_the_hour_that_happens_twice_is_offered_twice_and_labelled():
    # Hours 00:30-02:30 that Sunday last three real hours: 01:00-02:00 happens twice.
    weekly = [WeeklyHours(6, T(0, 30), T(2, 30))]
    found = slots_on(AUTUMN, weekly=weekly, now=utc(2027, 10, 1))
    assert [london(s) for s in found] == [
        ("00:30 BST", "01:30 BST"),
        ("01:00 BST", "01:00 GMT"),
        ("01:30 BST", "01:30 GMT"),
        ("01:00 GMT", "02:00 GMT"),
        ("01:30 GMT", "02:30 GMT"),
    ]
    assert all(s.minutes == 60 for s in found)
    assert [slot_label(s.starts_at) for s in found] == [
        "12:30am",
        "1am (BST)",
        "1:30am (BST)",
        "1am (GMT)",
        "1:30am (GMT)",
    ]


def test_only_the_repeated_hour_is_labelled_with_its_zone():
    assert is_repeated_hour(utc(2027, 10, 31, 0, 30))  # 01:30 BST
    assert is_repeated_hour(utc(2027, 10, 31, 1, 30))  # 01:30 GMT
    assert not is_repeated_hour(utc(2027, 10, 31, 2, 0))  # 02:00 GMT
    assert not is_repeated_hour(utc(2027, 3, 28, 1, 0))  # 02:00 BST
    assert slot_label(utc(2027, 10, 31, 9)) == "9am"


def test_a_booking_across_the_autumn_change_blocks_real_time():
    # Busy 00:30-01:30 UTC: 01:30 BST to 01:30 GMT, one real hour.
    weekly = [WeeklyHours(6, T(0, 30), T(2, 30))]
    busy = [(utc(2027, 10, 31, 0, 30), utc(2027, 10, 31, 1, 30))]
    found = slots_on(AUTUMN, weekly=weekly, busy=busy, now=utc(2027, 10, 1))
    assert [london(s) for s in found] == [
        ("00:30 BST", "01:30 BST"),
        ("01:30 GMT", "02:30 GMT"),
    ]


def test_slots_are_grouped_by_their_london_day():
    # 23:30 UTC on 31 July is 00:30 BST on 1 August.
    late = [WeeklyHours(6, T(0), T(2))]
    found = slots_on(dt.date(2027, 8, 1), weekly=late, now=utc(2027, 7, 1))
    assert found[0].starts_at == utc(2027, 7, 31, 23, 0)
    [(day, grouped)] = by_day(found)
    assert day == dt.date(2027, 8, 1)
    assert grouped == found
