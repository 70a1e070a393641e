"""iCalendar files: what calendar programs read from our emails, downloads and feeds."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event, Timezone

from portal.calendar import CalendarEvent, calendar_file, event_uid, london_timezone

LONDON = ZoneInfo("Europe/London")
STAMP = dt.datetime(2026, 3, 1, 8, 15, tzinfo=dt.UTC)


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)  # type: ignore[misc]


def session_event(**changes: object) -> CalendarEvent:
    values: dict[str, object] = {
        "uid": "cohort-session-42@peernetworks.example.org.uk",
        "sequence": 0,
        "starts_at": utc(2026, 4, 7, 9),  # 10am BST
        "ends_at": utc(2026, 4, 7, 11, 30),
        "summary": "Peer network session 3",
        "description": "Bring one issue you want the group's help with.",
        "location": "Boost, Preston Business Centre",
        "url": "https://peernetworks.example.org.uk/cohorts/7/sessions/42",
        "organizer_email": "facilitator@contractor.example.org",
        "organizer_name": "Sam Facilitator",
        "attendees": (
            ("ann@bakery.example.com", "Ann Baker"),
            ("raj@print.example.com", "Raj Printer"),
        ),
    }
    values.update(changes)
    return CalendarEvent(**values)  # type: ignore[arg-type]


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def only_event(calendar: Calendar) -> Event:
    (event,) = calendar.walk("VEVENT")
    return event


def raw_lines(data: bytes) -> list[str]:
    """Content lines as written, unfolded."""
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_an_invitation_has_every_property_calendar_programs_need() -> None:
    data = calendar_file([session_event()], method="REQUEST", stamped_at=STAMP)
    calendar = parse(data)
    event = only_event(calendar)

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Boost Peer Networks//EN"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(event["UID"]) == "cohort-session-42@peernetworks.example.org.uk"
    assert event["SEQUENCE"] == 0
    assert event["DTSTAMP"].dt == STAMP
    assert str(event["SUMMARY"]) == "Peer network session 3"
    assert str(event["DESCRIPTION"]) == "Bring one issue you want the group's help with."
    assert str(event["LOCATION"]) == "Boost, Preston Business Centre"
    assert str(event["URL"]) == "https://peernetworks.example.org.uk/cohorts/7/sessions/42"
    assert str(event["STATUS"]) == "CONFIRMED"

    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:facilitator@contractor.example.org"
    assert organizer.params["CN"] == "Sam Facilitator"
    attendees = event["ATTENDEE"]
    assert [str(attendee) for attendee in attendees] == [
        "mailto:ann@bakery.example.com",
        "mailto:raj@print.example.com",
    ]
    for attendee, name in zip(attendees, ["Ann Baker", "Raj Printer"], strict=True):
        assert dict(attendee.params) == {
            "CN": name,
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "FALSE",
        }
    assert "DTSTAMP:20260301T081500Z" in raw_lines(data)


def test_start_and_end_are_london_wall_clock_times_with_the_zone() -> None:
    summer = calendar_file([session_event()], method="REQUEST", stamped_at=STAMP)
    winter = calendar_file(
        [session_event(starts_at=utc(2026, 1, 13, 10), ends_at=utc(2026, 1, 13, 12, 30))],
        method="REQUEST",
        stamped_at=STAMP,
    )

    assert "DTSTART;TZID=Europe/London:20260407T100000" in raw_lines(summer)
    assert "DTEND;TZID=Europe/London:20260407T123000" in raw_lines(summer)
    assert "DTSTART;TZID=Europe/London:20260113T100000" in raw_lines(winter)
    event = only_event(parse(summer))
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTSTART"].dt.utcoffset() == dt.timedelta(hours=1)
    assert event["DTSTART"].dt == utc(2026, 4, 7, 9)
    assert event["DTEND"].dt == utc(2026, 4, 7, 11, 30)


def offsets(component: Timezone) -> list[tuple[str, dt.datetime, dt.timedelta, dt.timedelta, str]]:
    return [
        (
            observance.name,
            observance["DTSTART"].dt,
            observance["TZOFFSETFROM"].td,
            observance["TZOFFSETTO"].td,
            str(observance["TZNAME"]),
        )
        for observance in component.subcomponents
    ]


HOUR = dt.timedelta(hours=1)
ZERO = dt.timedelta(0)


def test_the_london_timezone_block_has_both_offsets_and_the_2026_changes() -> None:
    data = calendar_file([session_event()], method="REQUEST", stamped_at=STAMP)
    (timezone,) = parse(data).walk("VTIMEZONE")

    assert str(timezone["TZID"]) == "Europe/London"
    assert offsets(timezone) == [
        # in force on 1 January 2026: GMT since the clocks went back on 26 October 2025
        ("STANDARD", dt.datetime(2025, 10, 26, 2, 0), HOUR, ZERO, "GMT"),  # noqa: DTZ001
        ("DAYLIGHT", dt.datetime(2026, 3, 29, 1, 0), ZERO, HOUR, "BST"),  # noqa: DTZ001
        ("STANDARD", dt.datetime(2026, 10, 25, 2, 0), HOUR, ZERO, "GMT"),  # noqa: DTZ001
    ]
    lines = raw_lines(data)
    assert {"TZOFFSETTO:+0000", "TZOFFSETTO:+0100", "TZOFFSETFROM:+0000"} <= set(lines)
    assert "DTSTART:20260329T010000" in lines
    assert "DTSTART:20261025T020000" in lines


def test_each_change_in_the_timezone_block_happens_when_the_clocks_change() -> None:
    # RFC 5545 3.6.5: the onset is DTSTART read with TZOFFSETFROM. Both 2026 changes are at
    # 01:00 UTC; zoneinfo agrees.
    (timezone,) = parse(calendar_file([session_event()], method="REQUEST", stamped_at=STAMP)).walk(
        "VTIMEZONE"
    )
    for observance in timezone.subcomponents:
        onset = observance["DTSTART"].dt.replace(tzinfo=dt.UTC) - observance["TZOFFSETFROM"].td
        before = (onset - dt.timedelta(seconds=1)).astimezone(LONDON)
        after = onset.astimezone(LONDON)
        assert before.utcoffset() == observance["TZOFFSETFROM"].td
        assert after.utcoffset() == observance["TZOFFSETTO"].td
        assert onset.time() == dt.time(1)


def test_the_timezone_block_covers_every_year_the_events_touch() -> None:
    new_year = session_event(
        starts_at=utc(2026, 12, 31, 23), ends_at=utc(2027, 1, 1, 1, 30), uid="a@example.org"
    )
    spring = session_event(starts_at=utc(2028, 4, 4, 9), ends_at=utc(2028, 4, 4, 11), uid="b@x.y")
    (timezone,) = parse(calendar_file([spring, new_year], method="PUBLISH", stamped_at=STAMP)).walk(
        "VTIMEZONE"
    )

    assert [(name, start) for name, start, *_ in offsets(timezone)] == [
        ("STANDARD", dt.datetime(2025, 10, 26, 2)),  # noqa: DTZ001
        ("DAYLIGHT", dt.datetime(2026, 3, 29, 1)),  # noqa: DTZ001
        ("STANDARD", dt.datetime(2026, 10, 25, 2)),  # noqa: DTZ001
        ("DAYLIGHT", dt.datetime(2027, 3, 28, 1)),  # noqa: DTZ001
        ("STANDARD", dt.datetime(2027, 10, 31, 2)),  # noqa: DTZ001
        ("DAYLIGHT", dt.datetime(2028, 3, 26, 1)),  # noqa: DTZ001
        ("STANDARD", dt.datetime(2028, 10, 29, 2)),  # noqa: DTZ001
    ]


def test_london_timezone_refuses_years_in_the_wrong_order() -> None:
    with pytest.raises(ValueError, match="before the first"):
        london_timezone(2027, 2026)


def test_a_cancellation_keeps_the_uid_and_its_raised_sequence() -> None:
    data = calendar_file([session_event(sequence=3)], method="CANCEL", stamped_at=STAMP)
    calendar = parse(data)
    event = only_event(calendar)

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 3
    assert str(event["UID"]) == "cohort-session-42@peernetworks.example.org.uk"
    assert "SEQUENCE:3" in raw_lines(data)


def test_an_update_carries_its_sequence() -> None:
    moved = session_event(sequence=2, starts_at=utc(2026, 4, 14, 9), ends_at=utc(2026, 4, 14, 11))
    event = only_event(parse(calendar_file([moved], method="REQUEST", stamped_at=STAMP)))

    assert (event["SEQUENCE"], str(event["STATUS"])) == (2, "CONFIRMED")
    assert event["DTSTART"].dt == utc(2026, 4, 14, 9)


AWKWARD = 'Peer network: Preston, Chorley; session 1\nBring notes — café ☕, "quotes" \\ too'


def test_text_with_commas_semicolons_newlines_and_unicode_is_escaped() -> None:
    data = calendar_file(
        [session_event(summary=AWKWARD, description=AWKWARD, location="Room 1; Floor 2, HQ")],
        method="REQUEST",
        stamped_at=STAMP,
    )
    event = only_event(parse(data))

    assert str(event["SUMMARY"]) == AWKWARD
    assert str(event["DESCRIPTION"]) == AWKWARD
    assert str(event["LOCATION"]) == "Room 1; Floor 2, HQ"
    summary = next(line for line in raw_lines(data) if line.startswith("SUMMARY:"))
    assert summary == (
        "SUMMARY:Peer network: Preston\\, Chorley\\; session 1\\nBring notes — café ☕\\, "
        '"quotes" \\\\ too'
    )
    assert "LOCATION:Room 1\\; Floor 2\\, HQ" in raw_lines(data)


def test_names_with_quotes_and_commas_survive_in_parameters() -> None:
    data = calendar_file(
        [
            session_event(
                organizer_name='Sam "the facilitator" O\'Neil, Boost',
                attendees=(("ann@bakery.example.com", "Baker, Ann; Ltd"),),
            )
        ],
        method="REQUEST",
        stamped_at=STAMP,
    )
    event = only_event(parse(data))

    assert event["ORGANIZER"].params["CN"] == 'Sam "the facilitator" O\'Neil, Boost'
    assert event["ATTENDEE"].params["CN"] == "Baker, Ann; Ltd"
    assert str(event["ATTENDEE"]) == "mailto:ann@bakery.example.com"


def test_lines_are_folded_at_75_octets_and_end_with_crlf() -> None:
    long_text = "Peer network session about exporting, supply chains and staffing — ünïcødé. " * 8
    data = calendar_file(
        [
            session_event(
                summary=long_text,
                description=long_text,
                url="https://peernetworks.example.org.uk/" + "long-path/" * 20,
            )
        ],
        method="REQUEST",
        stamped_at=STAMP,
    )

    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # something was folded
    for line in lines:
        line.decode("utf-8")  # never split inside a character
    assert str(only_event(parse(data))["SUMMARY"]) == long_text


def test_a_feed_is_named_and_asks_to_be_refreshed_every_12_hours() -> None:
    events = [
        session_event(uid=f"cohort-session-{number}@peernetworks.example.org.uk")
        for number in (1, 2)
    ]
    data = calendar_file(
        events, method="PUBLISH", calendar_name="Peer Networks, my sessions", stamped_at=STAMP
    )
    calendar = parse(data)
    lines = raw_lines(data)

    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Peer Networks, my sessions"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in lines
    assert "X-PUBLISHED-TTL:PT12H" in lines
    assert len(calendar.walk("VEVENT")) == 2
    assert {str(event["STATUS"]) for event in calendar.walk("VEVENT")} == {"CONFIRMED"}


def test_a_download_is_not_a_feed() -> None:
    data = calendar_file([session_event()], method="PUBLISH", stamped_at=STAMP)

    assert not any(
        line.startswith(("X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"))
        for line in raw_lines(data)
    )


def test_an_empty_feed_is_still_a_valid_calendar() -> None:
    calendar = parse(calendar_file([], method="PUBLISH", calendar_name="Nothing yet"))

    assert calendar.walk("VEVENT") == []
    (timezone,) = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/London"


def test_optional_text_is_left_out_when_empty() -> None:
    event = only_event(
        parse(
            calendar_file(
                [session_event(description="", location="", url="")],
                method="REQUEST",
                stamped_at=STAMP,
            )
        )
    )

    assert not {"DESCRIPTION", "LOCATION", "URL"} & set(event)


def test_the_same_event_gives_the_same_file() -> None:
    first = calendar_file([session_event()], method="REQUEST", stamped_at=STAMP)
    again = calendar_file([session_event()], method="REQUEST", stamped_at=STAMP)

    assert first == again


def test_the_stamp_defaults_to_now_in_utc() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    event = only_event(parse(calendar_file([session_event()], method="REQUEST")))
    after = dt.datetime.now(dt.UTC)

    assert before <= event["DTSTAMP"].dt <= after
    assert event["DTSTAMP"].dt.utcoffset() == ZERO


@pytest.mark.parametrize(
    ("events", "options", "message"),
    [
        ([session_event(), session_event(uid="x@y.z")], {"method": "REQUEST"}, "exactly one"),
        ([], {"method": "CANCEL"}, "exactly one"),
        ([session_event(attendees=())], {"method": "REQUEST"}, "name its attendees"),
        ([session_event()], {"method": "REQUEST", "calendar_name": "Mine"}, "Only a PUBLISH"),
        ([session_event(), session_event()], {"method": "PUBLISH"}, "its own UID"),
        ([session_event()], {"method": "REPLY"}, "Unknown method"),
        (
            [session_event()],
            {"method": "REQUEST", "stamped_at": dt.datetime(2026, 1, 1)},  # noqa: DTZ001
            "stamped_at must be a timezone-aware",
        ),
    ],
)
def test_files_calendar_programs_would_reject_are_refused(
    events: list[CalendarEvent], options: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        calendar_file(events, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_at": dt.datetime(2026, 4, 7, 9)}, "timezone-aware"),  # noqa: DTZ001
        ({"starts_at": dt.datetime(2026, 4, 7, 10, tzinfo=LONDON)}, "must be in UTC"),
        ({"ends_at": utc(2026, 4, 7, 9)}, "end after it starts"),
        ({"sequence": -1}, "cannot be negative"),
        ({"sequence": True}, "whole number"),
        ({"uid": ""}, "UID"),
        ({"uid": "a@b\r\nX-EVIL:1"}, "UID"),
        ({"organizer_email": "facilitator@example.org\r\nATTENDEE:x"}, "Not an email"),
        ({"attendees": (("not an email", "Ann"),)}, "Not an email"),
        ({"url": "https://example.org/\nX-EVIL:1"}, "URL"),
    ],
)
def test_invalid_events_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        session_event(**changes)


def test_event_uid() -> None:
    assert (
        event_uid("cohort-session", 42, "peernetworks.example.org.uk")
        == "cohort-session-42@peernetworks.example.org.uk"
    )


@pytest.mark.parametrize(
    ("kind", "record_id", "domain"),
    [
        ("", 1, "example.org"),
        ("cohort session", 1, "example.org"),
        ("cohort@session", 1, "example.org"),
        ("cohort-session", -1, "example.org"),
        ("cohort-session", True, "example.org"),
        ("cohort-session", 1, ""),
        ("cohort-session", 1, "https://example.org"),
        ("cohort-session", 1, "example.org\r\n"),
    ],
)
def test_event_uid_refuses_what_would_not_be_stable(kind: str, record_id: int, domain: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (each case has its own message)
        event_uid(kind, record_id, domain)
