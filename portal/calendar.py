"""iCalendar files (RFC 5545) for emails and downloads, so calendar programs can add, move
and remove our events.

Pure code (no Flask, no database): the callers decide what an event is. Three uses:

- ``method="REQUEST"``: an invitation or an update attached to an email. One event per file
  (an iTIP message, RFC 5546, is about one calendar component). Calendar programs match
  updates by ``UID`` and keep the one with the highest ``SEQUENCE``: keep the UID and raise
  the sequence each time the event changes.
- ``method="CANCEL"``: the same UID with a higher sequence removes the event.
- ``method="PUBLISH"``: a download, or with ``calendar_name`` a subscription feed that
  calendar programs fetch again every 12 hours.

Times are written in London wall-clock time with ``TZID=Europe/London`` and a VTIMEZONE
block that defines that zone for the years the events cover, so a session at 10am stays at
10am in every calendar, summer or winter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

import icalendar

LONDON_TZID = "Europe/London"
LONDON = ZoneInfo(LONDON_TZID)
DEFAULT_PRODUCT_ID = "-//Boost Peer Networks//EN"
FEED_REFRESH_INTERVAL = dt.timedelta(hours=12)

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]
_METHODS = ("PUBLISH", "REQUEST", "CANCEL")


def _has_control_characters(text: str) -> bool:
    return any(ord(character) < 32 or ord(character) == 127 for character in text)


def _require_utc(value: object, name: str) -> None:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware UTC datetime")
    if value.utcoffset() != dt.timedelta(0):
        raise ValueError(f"{name} must be in UTC")


@dataclass(frozen=True, kw_only=True)
class CalendarEvent:
    """One event as calendar programs will see it.

    ``uid`` must stay the same for the life of the event (see ``event_uid``), and
    ``sequence`` must go up whenever it changes or is cancelled. ``starts_at`` and
    ``ends_at`` are UTC. ``attendees`` are (email, name) pairs. Invalid values raise
    ``ValueError``.
    """

    uid: str
    sequence: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    description: str
    location: str = ""
    url: str = ""
    organizer_email: str
    organizer_name: str
    attendees: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.uid or self.uid != self.uid.strip() or _has_control_characters(self.uid):
            raise ValueError("The UID must be non-empty, without spaces around it or line breaks")
        if not isinstance(self.sequence, int) or isinstance(self.sequence, bool):
            raise ValueError("The sequence must be a whole number")
        if self.sequence < 0:
            raise ValueError("The sequence cannot be negative")
        _require_utc(self.starts_at, "starts_at")
        _require_utc(self.ends_at, "ends_at")
        if self.ends_at <= self.starts_at:
            raise ValueError("An event must end after it starts")
        # Addresses and links are written as they are (not escaped): a line break would
        # end the property and let the text write its own.
        for email in (self.organizer_email, *(email for email, _ in self.attendees)):
            _check_email(email)
        if _has_control_characters(self.url):
            raise ValueError("The URL cannot contain line breaks or control characters")


def _check_email(email: str) -> None:
    if not email or "@" not in email or _has_control_characters(email) or " " in email:
        raise ValueError(f"Not an email address: {email!r}")


def event_uid(kind: str, record_id: int, domain: str) -> str:
    """A UID that stays the same for the life of a record, e.g.
    ``event_uid("cohort-session", 42, "peernetworks.example.org.uk")`` is
    ``cohort-session-42@peernetworks.example.org.uk``.

    Use the service's own domain (not one that changes between environments in a way
    that would duplicate events): calendar programs match updates and cancellations by UID.
    """
    if not kind or _has_control_characters(kind) or any(c in kind for c in " @"):
        raise ValueError("The kind must be a non-empty word without spaces or '@'")
    if isinstance(record_id, bool) or not isinstance(record_id, int) or record_id < 0:
        raise ValueError("The record id must be a whole number, 0 or more")
    if not domain or _has_control_characters(domain) or any(c in domain for c in " @/"):
        raise ValueError("The domain must be a host name such as peernetworks.example.org.uk")
    return f"{kind}-{record_id}@{domain}"


def london_timezone(first_year: int, last_year: int) -> icalendar.Timezone:
    """A VTIMEZONE for Europe/London that is correct from 1 January ``first_year`` to
    31 December ``last_year``, built from the zoneinfo (tzdata) rules.

    It has one STANDARD (GMT, +0000) or DAYLIGHT (BST, +0100) component per change of the
    clocks: the change in force on 1 January ``first_year`` and every change after it up to
    the end of ``last_year``. Each component's DTSTART is the moment of the change on the
    clocks as they read just before it, with TZOFFSETFROM, as RFC 5545 (3.6.5) says: the
    clocks go forward at 01:00 GMT in March and back at 02:00 BST in October, both 01:00
    UTC. (``icalendar.Timezone.from_tzinfo`` writes 02:00 for the March change, which with
    TZOFFSETFROM:+0000 would mean an hour late, so it is not used.)
    """
    if last_year < first_year:
        raise ValueError("The last year cannot be before the first")
    window_start = dt.datetime(first_year, 1, 1, tzinfo=dt.UTC)
    window_end = dt.datetime(last_year + 1, 1, 1, tzinfo=dt.UTC)
    # Start the search a year early to find the change in force on 1 January.
    changes = _offset_changes(window_start.replace(year=first_year - 1), window_end)
    in_force = [change for change in changes if change[0] <= window_start]
    changes = in_force[-1:] + [change for change in changes if change[0] > window_start]
    timezone = icalendar.Timezone()
    timezone.add("TZID", LONDON_TZID)
    if not changes:  # no change of the clocks for two years: one observance throughout
        offset = _london_offset(window_start)
        changes = [(window_start, offset, offset)]
    for at, offset_from, offset_to in changes:
        local = at.astimezone(LONDON)
        component = icalendar.TimezoneDaylight() if local.dst() else icalendar.TimezoneStandard()
        component.add("DTSTART", (at + offset_from).replace(tzinfo=None))
        component.add("TZOFFSETFROM", offset_from)
        component.add("TZOFFSETTO", offset_to)
        component.add("TZNAME", local.tzname())
        timezone.add_component(component)
    return timezone


def _london_offset(moment: dt.datetime) -> dt.timedelta:
    """London's offset from UTC at an aware ``moment`` (a zone always has one)."""
    offset = moment.astimezone(LONDON).utcoffset()
    assert offset is not None
    return offset


def _offset_changes(
    start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.timedelta, dt.timedelta]]:
    """(UTC instant, offset before, offset after) for each change of London's UTC offset
    between two UTC instants: a day-by-day scan, then halving to the second."""
    changes = []
    day = dt.timedelta(days=1)
    moment = start
    offset = _london_offset(moment)
    while moment < end:
        following = moment + day
        following_offset = _london_offset(following)
        if following_offset != offset:
            low, high = moment, following
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _london_offset(middle) == offset:
                    low = middle
                else:
                    high = middle
            changes.append((high.replace(microsecond=0), offset, following_offset))
        moment, offset = following, following_offset
    return changes


def _address(email: str, name: str, **parameters: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    if name:
        # RFC 6868 caret encoding keeps quotes and line breaks in names safe (icalendar).
        address.params["CN"] = name
    for key, value in parameters.items():
        address.params[key] = value
    return address


def _vevent(event: CalendarEvent, *, cancelled: bool, stamped_at: dt.datetime) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("UID", event.uid)
    vevent.add("SEQUENCE", event.sequence)
    vevent.add("DTSTAMP", stamped_at)
    vevent.add("DTSTART", event.starts_at.astimezone(LONDON))
    vevent.add("DTEND", event.ends_at.astimezone(LONDON))
    vevent.add("SUMMARY", event.summary)
    if event.description:
        vevent.add("DESCRIPTION", event.description)
    if event.location:
        vevent.add("LOCATION", event.location)
    if event.url:
        vevent.add("URL", event.url)
    vevent.add("ORGANIZER", _address(event.organizer_email, event.organizer_name))
    for email, name in event.attendees:
        vevent.add(
            "ATTENDEE",
            _address(
                email,
                name,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="FALSE",
            ),
        )
    vevent.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("TRANSP", "OPAQUE")
    return vevent


def calendar_file(
    events: Sequence[CalendarEvent],
    *,
    method: Method,
    product_id: str = DEFAULT_PRODUCT_ID,
    calendar_name: str | None = None,
    stamped_at: dt.datetime | None = None,
) -> bytes:
    """One VCALENDAR holding ``events``, as bytes with CRLF line endings and long lines
    folded at 75 octets (RFC 5545 3.1), ready to attach as ``text/calendar``.

    - ``method``: "REQUEST" (an invitation or update by email) or "CANCEL" (every event
      STATUS:CANCELLED) carry exactly one event, which must have attendees (RFC 5546);
      "PUBLISH" (download or feed) carries any number, each UID once.
    - ``calendar_name`` makes a subscription feed: X-WR-CALNAME and NAME, and a suggested
      refresh every 12 hours (REFRESH-INTERVAL and X-PUBLISHED-TTL). Only with "PUBLISH".
    - ``stamped_at`` (UTC) is DTSTAMP, when the file was made; now by default.

    Raises ``ValueError`` for a combination calendar programs would reject. No side effects.
    """
    if method not in _METHODS:
        raise ValueError(f"Unknown method {method!r}: expected one of {', '.join(_METHODS)}")
    if method != "PUBLISH":
        if len(events) != 1:
            raise ValueError(f"A {method} carries exactly one event")
        if not events[0].attendees:
            raise ValueError(f"A {method} must name its attendees")
    if calendar_name is not None and method != "PUBLISH":
        raise ValueError("Only a PUBLISH calendar (a feed) has a name")
    uids = [event.uid for event in events]
    if len(set(uids)) != len(uids):
        raise ValueError("Each event in a calendar must have its own UID")
    if stamped_at is None:
        stamped_at = dt.datetime.now(dt.UTC)
    _require_utc(stamped_at, "stamped_at")
    stamped_at = stamped_at.replace(microsecond=0)

    calendar = icalendar.Calendar()
    calendar.add("PRODID", product_id)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    if calendar_name is not None:
        calendar.add("NAME", calendar_name)  # RFC 7986
        calendar.add("X-WR-CALNAME", calendar_name)  # what Apple, Google and Outlook read
        calendar.add("REFRESH-INTERVAL", FEED_REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(FEED_REFRESH_INTERVAL))

    # An empty feed still needs a component to be valid: the zone for this year.
    moments = [moment for event in events for moment in (event.starts_at, event.ends_at)]
    local_years = [moment.astimezone(LONDON).year for moment in moments or [stamped_at]]
    calendar.add_component(london_timezone(min(local_years), max(local_years)))
    for event in events:
        calendar.add_component(_vevent(event, cancelled=method == "CANCEL", stamped_at=stamped_at))
    return calendar.to_ical()
