"""Dates and times as people read them: Europe/London, GOV.UK style."""

import datetime as dt

import pytest

from portal.timefmt import govuk_date, govuk_datetime, govuk_time


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        (dt.datetime(2023, 3, 14, 14, 0, tzinfo=dt.UTC), "Tuesday 14 March 2023, 2pm"),
        (dt.datetime(2023, 7, 4, 13, 30, tzinfo=dt.UTC), "Tuesday 4 July 2023, 2:30pm"),
        (dt.datetime(2023, 7, 4, 11, 0, tzinfo=dt.UTC), "Tuesday 4 July 2023, midday"),
        (dt.datetime(2023, 7, 3, 23, 0, tzinfo=dt.UTC), "Tuesday 4 July 2023, midnight"),
        (dt.datetime(2023, 1, 9, 9, 5, tzinfo=dt.UTC), "Monday 9 January 2023, 9:05am"),
    ],
)
def test_datetimes_are_shown_in_london_time_in_govuk_style(utc, expected):
    assert govuk_datetime(utc) == expected


def test_clock_changes_are_respected():
    # 01:30 UTC on the last Sunday of March is 2:30am BST; in October it is 1:30am GMT.
    assert govuk_time(dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)) == "2:30am"
    assert govuk_time(dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)) == "1:30am"
    assert govuk_time(dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)) == "1:30am"


def test_dates_without_and_with_weekday():
    assert govuk_date(dt.date(2022, 2, 10)) == "10 February 2022"
    assert govuk_date(dt.date(2022, 2, 10), weekday=True) == "Thursday 10 February 2022"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        govuk_datetime(dt.datetime(2026, 1, 1, 12))  # noqa: DTZ001
