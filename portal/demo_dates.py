"""When things happened in the demo, so every feature's demo data tells one story in order.

Each feature's demo step dates what it does from here and passes that moment as ``now`` to
the services it calls, so a status's date and the audit event recording it agree (officers
judge the product by the demo): people applied over the month before the cohorts were
formed, were offered places and replied before the first session, and the registers were
taken as each session ended.
"""

from __future__ import annotations

import datetime as dt

from portal.db_base import UTC
from portal.timefmt import LONDON, to_london

# The demo cohorts started this long ago, so a few sessions are past, with registers.
STARTED_WEEKS_AGO = 5
# The cohorts were formed and confirmed this long before their first session.
FORMED_DAYS_BEFORE_START = 21
# Members replied to their offers this long after the cohorts were confirmed.
REPLIED_DAYS_AFTER_FORMING = 3
# People applied over this many days before the cohorts were formed.
APPLYING_DAYS = 30


def first_session_day(now: dt.datetime) -> dt.date:
    """The day the demo cohorts started (a date in Europe/London)."""
    return to_london(now).date() - dt.timedelta(weeks=STARTED_WEEKS_AGO)


def cohorts_formed_at(now: dt.datetime) -> dt.datetime:
    """When matching ran and the demo cohorts were confirmed: 10am, three weeks before."""
    day = first_session_day(now) - dt.timedelta(days=FORMED_DAYS_BEFORE_START)
    return dt.datetime.combine(day, dt.time(10), tzinfo=LONDON).astimezone(UTC)


def offers_answered_at(now: dt.datetime) -> dt.datetime:
    """When the demo members replied to their offers."""
    return cohorts_formed_at(now) + dt.timedelta(days=REPLIED_DAYS_AFTER_FORMING)


def applied_at(now: dt.datetime, index: int, count: int) -> dt.datetime:
    """When the ``index``-th of ``count`` demo applicants applied: spread over the month
    before the cohorts were formed, at different times of day."""
    start = cohorts_formed_at(now) - dt.timedelta(days=APPLYING_DAYS)
    spread = dt.timedelta(days=APPLYING_DAYS) * index / count
    return start + spread + dt.timedelta(hours=index % 7)
