"""Dates and times as people read them: Europe/London, in GOV.UK style.

Stored datetimes are UTC (portal.db_base.UTCDateTime); these functions are the one place they
are turned into local wording, e.g. "Tuesday 14 March 2023, 2pm".
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def to_london(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("A naive datetime has no meaning here; store and pass UTC.")
    return value.astimezone(LONDON)


def govuk_time(value: dt.datetime | dt.time) -> str:
    """'2pm', '2:30pm', 'midday', 'midnight' (a datetime is shown in London time)."""
    moment = to_london(value).timetz() if isinstance(value, dt.datetime) else value
    if moment.minute == 0 and moment.hour == 0:
        return "midnight"
    if moment.minute == 0 and moment.hour == 12:
        return "midday"
    suffix = "am" if moment.hour < 12 else "pm"
    hour = moment.hour % 12 or 12
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def govuk_date(value: dt.date | dt.datetime, *, weekday: bool = False) -> str:
    """'14 March 2023', or 'Tuesday 14 March 2023' with ``weekday``."""
    day = to_london(value).date() if isinstance(value, dt.datetime) else value
    text = f"{day.day} {day:%B %Y}"
    return f"{day:%A} {text}" if weekday else text


def govuk_datetime(value: dt.datetime) -> str:
    """'Tuesday 14 March 2023, 2pm' in London time."""
    return f"{govuk_date(value, weekday=True)}, {govuk_time(value)}"


def today_in_london() -> dt.date:
    """Today's date where the service runs (not UTC: after 11pm in summer they differ)."""
    return dt.datetime.now(LONDON).date()


def duration(value: dt.timedelta) -> str:
    """A time taken in words: "less than a second", "12 seconds", "2 minutes 5 seconds"."""
    seconds = int(value.total_seconds())
    if seconds < 1:
        return "less than a second"
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{count} {unit}{'' if count == 1 else 's'}"
        for count, unit in ((hours, "hour"), (minutes, "minute"), (seconds, "second"))
        if count
    ]
    return " ".join(parts)
