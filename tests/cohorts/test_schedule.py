"""A cohort's session schedule: dates, London wall-clock times, bank holidays, clock changes."""

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.cohorts.schedule import (
    PlannedSession,
    ScheduleSettings,
    london_wall_clock,
    part_of_day_start,
    planned_sessions,
    to_utc,
)
from portal.registration.models import PartOfDay

MONDAY, TUESDAY, SUNDAY = 0, 1, 6

# Real England and Wales bank holidays (checked against the shipped GOV.UK file below).
BANK_HOLIDAYS_2026 = {
    dt.date(2026, 1, 1),  # New Year's Day
    dt.date(2026, 4, 3),  # Good Friday
    dt.date(2026, 4, 6),  # Easter Monday
    dt.date(2026, 5, 4),  # Early May bank holiday
    dt.date(2026, 5, 25),  # Spring bank holiday
    dt.date(2026, 8, 31),  # Summer bank holiday
    dt.date(2026, 12, 25),  # Christmas Day
    dt.date(2026, 12, 28),  # Boxing Day (substitute day)
}
CHRISTMAS_2023 = {dt.date(2023, 12, 25), dt.date(2023, 12, 26), dt.date(2024, 1, 1)}


def settings(**changes: object) -> ScheduleSettings:
    values: dict[str, object] = {
        "start_on": dt.date(2026, 1, 8),
        "weekday": TUESDAY,
        "start_time": dt.time(10, 0),
        "session_minutes": 150,
        "frequency_days": 14,
        "planned_hours": 18,
    }
    values.update(changes)
    return ScheduleSettings(**values)  # type: ignore[arg-type]


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)  # type: ignore[misc]


def starts(sessions: list[PlannedSession]) -> list[dt.datetime]:
    return [session.starts_at for session in sessions]


def test_fortnightly_tuesday_mornings_from_a_thursday_start() -> None:
    # 18 hours of 150-minute sessions: 7.2 sessions, so 8 (20 hours), all 150 minutes.
    sessions = planned_sessions(settings(), bank_holidays=set())

    assert starts(sessions) == [
        utc(2026, 1, 13, 10),  # the first Tuesday after Thursday 8 January
        utc(2026, 1, 27, 10),
        utc(2026, 2, 10, 10),
        utc(2026, 2, 24, 10),
        utc(2026, 3, 10, 10),
        utc(2026, 3, 24, 10),
        utc(2026, 4, 7, 9),  # British Summer Time: 10am in London is 9am UTC
        utc(2026, 4, 21, 9),
    ]
    assert [session.number for session in sessions] == list(range(1, 9))
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=150) for s in sessions)
    assert all(s.moved_from is None for s in sessions)
    assert {london_wall_clock(s.starts_at).time() for s in sessions} == {dt.time(10)}
    assert sessions[0].ends_at == utc(2026, 1, 13, 12, 30)


@pytest.mark.parametrize(
    ("planned_hours", "session_minutes", "count"),
    [(18, 150, 8), (18, 180, 6), (18, 120, 9), (18, 480, 3), (1, 480, 1), (100, 30, 200)],
)
def test_the_fewest_equal_sessions_that_reach_the_planned_hours(
    planned_hours: int, session_minutes: int, count: int
) -> None:
    sessions = planned_sessions(
        settings(planned_hours=planned_hours, session_minutes=session_minutes), set()
    )

    assert len(sessions) == count


def test_the_first_session_is_on_the_start_date_when_it_is_the_meeting_day() -> None:
    sessions = planned_sessions(settings(start_on=dt.date(2026, 1, 13)), set())

    assert sessions[0].starts_at == utc(2026, 1, 13, 10)


def test_bank_holiday_sessions_move_a_week_and_the_rest_follow_on() -> None:
    sessions = planned_sessions(
        settings(start_on=dt.date(2026, 3, 23), weekday=MONDAY, start_time=dt.time(14)),
        BANK_HOLIDAYS_2026,
    )

    assert [(london_wall_clock(s.starts_at).date(), s.moved_from) for s in sessions] == [
        (dt.date(2026, 3, 23), None),
        (dt.date(2026, 4, 13), dt.date(2026, 4, 6)),  # Easter Monday
        (dt.date(2026, 4, 27), None),
        (dt.date(2026, 5, 11), None),
        (dt.date(2026, 6, 1), dt.date(2026, 5, 25)),  # Spring bank holiday
        (dt.date(2026, 6, 15), None),
        (dt.date(2026, 6, 29), None),
        (dt.date(2026, 7, 13), None),
    ]
    assert sessions[1].starts_at == utc(2026, 4, 13, 13)  # 2pm BST


def test_weekly_sessions_move_onto_the_next_free_week() -> None:
    # Weekly: Early May bank holiday Monday 4 May moves to 11 May, where the next one was due.
    sessions = planned_sessions(
        settings(
            start_on=dt.date(2026, 4, 27),
            weekday=MONDAY,
            frequency_days=7,
            session_minutes=180,
            planned_hours=9,
        ),
        BANK_HOLIDAYS_2026,
    )

    assert [(london_wall_clock(s.starts_at).date(), s.moved_from) for s in sessions] == [
        (dt.date(2026, 4, 27), None),
        (dt.date(2026, 5, 11), dt.date(2026, 5, 4)),
        (dt.date(2026, 5, 18), None),
    ]


def test_a_session_moved_onto_another_bank_holiday_moves_again() -> None:
    # Christmas Day 2023 and New Year's Day 2024 were both Mondays.
    sessions = planned_sessions(
        settings(
            start_on=dt.date(2023, 12, 18),
            weekday=MONDAY,
            frequency_days=7,
            session_minutes=120,
            planned_hours=6,
        ),
        CHRISTMAS_2023,
    )

    assert [(london_wall_clock(s.starts_at).date(), s.moved_from) for s in sessions] == [
        (dt.date(2023, 12, 18), None),
        (dt.date(2024, 1, 8), dt.date(2023, 12, 25)),
        (dt.date(2024, 1, 15), None),
    ]


def test_the_bank_holidays_used_here_are_real() -> None:
    path = Path(__file__).parents[2] / "portal" / "reference" / "data" / "bank-holidays.json"
    events = json.loads(path.read_text(encoding="utf-8"))["england-and-wales"]["events"]
    published = {dt.date.fromisoformat(event["date"]) for event in events}

    assert published >= BANK_HOLIDAYS_2026 | CHRISTMAS_2023


def weekly(
    start_on: dt.date, start_time: dt.time, *, minutes: int = 60, sessions: int = 3
) -> ScheduleSettings:
    """Weekly sessions on the start date's weekday."""
    return ScheduleSettings(
        start_on=start_on,
        weekday=start_on.weekday(),
        start_time=start_time,
        session_minutes=minutes,
        frequency_days=7,
        planned_hours=sessions * minutes // 60,
    )


def test_wall_clock_times_stay_put_when_the_clocks_go_forward() -> None:
    tuesdays = planned_sessions(weekly(dt.date(2026, 3, 24), dt.time(10)), set())
    sundays = planned_sessions(weekly(dt.date(2026, 3, 22), dt.time(10)), set())

    assert starts(tuesdays) == [utc(2026, 3, 24, 10), utc(2026, 3, 31, 9), utc(2026, 4, 7, 9)]
    # The change Sunday itself: by 10am the clocks have changed.
    assert starts(sundays) == [utc(2026, 3, 22, 10), utc(2026, 3, 29, 9), utc(2026, 4, 5, 9)]
    for session in tuesdays + sundays:
        assert london_wall_clock(session.starts_at).time() == dt.time(10)


def test_wall_clock_times_stay_put_when_the_clocks_go_back() -> None:
    tuesdays = planned_sessions(weekly(dt.date(2026, 10, 20), dt.time(10)), set())
    sundays = planned_sessions(weekly(dt.date(2026, 10, 18), dt.time(10)), set())

    assert starts(tuesdays) == [utc(2026, 10, 20, 9), utc(2026, 10, 27, 10), utc(2026, 11, 3, 10)]
    assert starts(sundays) == [utc(2026, 10, 18, 9), utc(2026, 10, 25, 10), utc(2026, 11, 1, 10)]
    for session in tuesdays + sundays:
        assert london_wall_clock(session.starts_at).time() == dt.time(10)


def test_a_time_the_clocks_skip_moves_forward_to_when_they_restart() -> None:
    # 01:30 on 29 March 2026 never happens: at 01:00 GMT the clocks go to 02:00 BST.
    sessions = planned_sessions(weekly(dt.date(2026, 3, 22), dt.time(1, 30)), set())

    assert starts(sessions) == [
        utc(2026, 3, 22, 1, 30),  # 01:30 GMT
        utc(2026, 3, 29, 1, 0),  # 02:00 BST, the first time that exists
        utc(2026, 4, 5, 0, 30),  # 01:30 BST
    ]
    assert sessions[1].ends_at == utc(2026, 3, 29, 2, 0)  # still an hour long
    change_day = london_wall_clock(sessions[1].starts_at)
    assert (change_day.date(), change_day.time()) == (dt.date(2026, 3, 29), dt.time(2))


def test_a_time_that_happens_twice_is_the_first_one() -> None:
    # 01:30 on 25 October 2026 happens in BST and again in GMT: the BST one is used.
    sessions = planned_sessions(weekly(dt.date(2026, 10, 18), dt.time(1, 30)), set())

    assert starts(sessions) == [
        utc(2026, 10, 18, 0, 30),  # 01:30 BST
        utc(2026, 10, 25, 0, 30),  # 01:30 BST, the first of the two
        utc(2026, 11, 1, 1, 30),  # 01:30 GMT
    ]
    change_day = london_wall_clock(sessions[1].starts_at)
    assert change_day.time() == dt.time(1, 30)
    assert change_day.tzname() == "BST"


def test_a_session_across_the_change_lasts_its_length_not_its_clock_times() -> None:
    spring = planned_sessions(weekly(dt.date(2026, 3, 29), dt.time(0, 30), minutes=120), set())
    autumn = planned_sessions(weekly(dt.date(2026, 10, 25), dt.time(0, 30), minutes=120), set())

    assert (spring[0].starts_at, spring[0].ends_at) == (
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 2, 30),
    )
    assert london_wall_clock(spring[0].ends_at).time() == dt.time(3, 30)  # BST
    assert (autumn[0].starts_at, autumn[0].ends_at) == (
        utc(2026, 10, 24, 23, 30),
        utc(2026, 10, 25, 1, 30),
    )
    assert london_wall_clock(autumn[0].ends_at).time() == dt.time(1, 30)  # GMT


@pytest.mark.parametrize(
    ("local_date", "local_time", "expected"),
    [
        (dt.date(2026, 1, 13), dt.time(10), utc(2026, 1, 13, 10)),
        (dt.date(2026, 7, 14), dt.time(10), utc(2026, 7, 14, 9)),
        (dt.date(2026, 7, 14), dt.time(0, 30), utc(2026, 7, 13, 23, 30)),
        # Spring forward: 01:00 to 01:59:59 local do not exist.
        (dt.date(2026, 3, 29), dt.time(0, 59, 59), utc(2026, 3, 29, 0, 59, 59)),
        (dt.date(2026, 3, 29), dt.time(1, 0), utc(2026, 3, 29, 1, 0)),
        (dt.date(2026, 3, 29), dt.time(1, 30), utc(2026, 3, 29, 1, 0)),
        (dt.date(2026, 3, 29), dt.time(1, 59, 59, 999999), utc(2026, 3, 29, 1, 0)),
        (dt.date(2026, 3, 29), dt.time(2, 0), utc(2026, 3, 29, 1, 0)),
        (dt.date(2026, 3, 29), dt.time(2, 30), utc(2026, 3, 29, 1, 30)),
        # Fall back: 01:00 to 01:59:59 local happen twice; the first (BST) is used.
        (dt.date(2026, 10, 25), dt.time(0, 59), utc(2026, 10, 24, 23, 59)),
        (dt.date(2026, 10, 25), dt.time(1, 0), utc(2026, 10, 25, 0, 0)),
        (dt.date(2026, 10, 25), dt.time(1, 30), utc(2026, 10, 25, 0, 30)),
        (dt.date(2026, 10, 25), dt.time(2, 0), utc(2026, 10, 25, 2, 0)),
    ],
)
def test_to_utc(local_date: dt.date, local_time: dt.time, expected: dt.datetime) -> None:
    converted = to_utc(local_date, local_time)

    assert converted == expected
    assert converted.tzinfo is dt.UTC


def test_to_utc_wants_a_wall_clock_time() -> None:
    with pytest.raises(ValueError, match="without a zone"):
        to_utc(dt.date(2026, 1, 13), dt.time(10, tzinfo=dt.UTC))


def test_london_wall_clock() -> None:
    summer = london_wall_clock(utc(2026, 7, 14, 9))
    winter = london_wall_clock(utc(2026, 1, 13, 10))

    assert (summer.date(), summer.time(), summer.tzname()) == (
        dt.date(2026, 7, 14),
        dt.time(10),
        "BST",
    )
    assert (winter.date(), winter.time(), winter.tzname()) == (
        dt.date(2026, 1, 13),
        dt.time(10),
        "GMT",
    )
    assert london_wall_clock(summer) == summer  # any aware datetime is an instant
    with pytest.raises(ValueError, match="naive"):
        london_wall_clock(dt.datetime(2026, 7, 14, 9))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("part", "expected"),
    [("morning", dt.time(9, 30)), ("afternoon", dt.time(13, 30)), ("evening", dt.time(18))],
)
def test_part_of_day_start(part: str, expected: dt.time) -> None:
    assert part_of_day_start(part) == expected


def test_every_part_of_day_a_cohort_can_choose_has_a_start() -> None:
    assert [part_of_day_start(part) for part in PartOfDay] == [
        dt.time(9, 30),
        dt.time(13, 30),
        dt.time(18),
    ]
    with pytest.raises(ValueError, match="Unknown part of the day 'night'"):
        part_of_day_start("night")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"session_minutes": 29}, "from 30 to 480 minutes"),
        ({"session_minutes": 481}, "from 30 to 480 minutes"),
        ({"session_minutes": 150.0}, "from 30 to 480 minutes"),
        ({"frequency_days": 6}, "from 7 to 28 days"),
        ({"frequency_days": 29}, "from 7 to 28 days"),
        ({"frequency_days": 10}, "whole number of weeks"),
        ({"planned_hours": 0}, "from 1 to 100"),
        ({"planned_hours": 101}, "from 1 to 100"),
        ({"planned_hours": True}, "from 1 to 100"),
        ({"weekday": -1}, "0 \\(Monday\\) to 6 \\(Sunday\\)"),
        ({"weekday": 7}, "0 \\(Monday\\) to 6 \\(Sunday\\)"),
        ({"start_on": dt.datetime(2026, 1, 8, tzinfo=dt.UTC)}, "must be a date"),
        ({"start_on": "2026-01-08"}, "must be a date"),
        ({"start_time": "10:00"}, "must be a time"),
        ({"start_time": dt.time(10, tzinfo=dt.UTC)}, "without a zone"),
    ],
)
def test_invalid_settings_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        settings(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"session_minutes": 30},
        {"session_minutes": 480},
        {"frequency_days": 7},
        {"frequency_days": 28},
        {"planned_hours": 1},
        {"planned_hours": 100},
        {"weekday": 0},
        {"weekday": 6},
    ],
)
def test_limits_are_allowed(changes: dict[str, object]) -> None:
    assert planned_sessions(settings(**changes), set())


# Properties: any valid settings, bank holidays often on the meeting day.

valid_settings = st.builds(
    ScheduleSettings,
    start_on=st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)),
    weekday=st.integers(0, 6),
    start_time=st.times(),
    session_minutes=st.integers(30, 480),
    frequency_days=st.sampled_from([7, 14, 21, 28]),
    planned_hours=st.integers(1, 100),
)


@st.composite
def settings_and_bank_holidays(draw: st.DrawFn) -> tuple[ScheduleSettings, set[dt.date]]:
    chosen = draw(valid_settings)
    first = chosen.start_on + dt.timedelta(days=(chosen.weekday - chosen.start_on.weekday()) % 7)
    weeks = draw(st.sets(st.integers(0, 300), max_size=40))
    others = draw(st.sets(st.dates(dt.date(2020, 1, 1), dt.date(2040, 12, 31)), max_size=10))
    return chosen, {first + dt.timedelta(weeks=week) for week in weeks} | others


@given(settings_and_bank_holidays())
def test_schedule_properties(case: tuple[ScheduleSettings, set[dt.date]]) -> None:
    chosen, bank_holidays = case
    sessions = planned_sessions(chosen, bank_holidays)
    length = dt.timedelta(minutes=chosen.session_minutes)
    planned = dt.timedelta(hours=chosen.planned_hours)

    assert [session.number for session in sessions] == list(range(1, len(sessions) + 1))
    # The total reaches the planned hours, with less than one session over.
    assert len(sessions) * length >= planned > (len(sessions) - 1) * length
    for session in sessions:
        local = london_wall_clock(session.starts_at)
        assert session.starts_at.utcoffset() == dt.timedelta(0)
        assert session.ends_at - session.starts_at == length
        assert local.weekday() == chosen.weekday
        assert local.date() >= chosen.start_on
        assert local.date() not in bank_holidays
        if local.time() != chosen.start_time:  # only a time the clocks skip in March
            assert dt.time(1) <= chosen.start_time < dt.time(2)
            assert (local.month, local.time(), local.tzname()) == (3, dt.time(2), "BST")
        if session.moved_from is not None:
            assert session.moved_from in bank_holidays
            assert (local.date() - session.moved_from).days % 7 == 0
            assert local.date() > session.moved_from
    for earlier, later in itertools.pairwise(sessions):
        assert earlier.ends_at <= later.starts_at  # in order and never overlapping
        gap = (
            london_wall_clock(later.starts_at).date() - london_wall_clock(earlier.starts_at).date()
        )
        assert gap.days >= chosen.frequency_days
        assert (gap.days - chosen.frequency_days) % 7 == 0
