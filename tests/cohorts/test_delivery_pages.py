"""The facilitator's pages and the participant's "Your cohort": every page checked the same
way, scope answered with 404, and the calendar feed reached without signing in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import icalendar
import pytest
from sqlalchemy import select

from portal.cohorts.models import (
    Attendance,
    AttendanceStatus,
    CohortSession,
    CohortStatus,
    Place,
    PlaceStatus,
    SessionStatus,
)
from portal.db_base import utcnow
from tests.fixtures.app import PAGE_STATEMENTS, reload
from tests.fixtures.factories import Group, add_sessions, confirmed_group_factory
from tests.fixtures.pages import check_page, error_messages
from tests.fixtures.users import sign_in

UTC = dt.UTC


def hour_now() -> dt.datetime:
    return utcnow().replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def make_group(session, make_round, make_application, make_user, make_contractor):
    return confirmed_group_factory(
        session, make_round, make_application, make_user, make_contractor
    )


@pytest.fixture
def group(make_group) -> Group:
    return make_group(members=3, sharing=(True, True, False))


@pytest.fixture
def started(session, group) -> CohortSession:
    """A session that began three hours ago (and so has ended)."""
    (made,) = add_sessions(session, group.cohort, hour_now() - dt.timedelta(hours=3))
    return made


@pytest.fixture
def upcoming(session, group) -> CohortSession:
    (made,) = add_sessions(session, group.cohort, hour_now() + dt.timedelta(days=10))
    return made


# The facilitator's pages


def test_a_facilitator_sees_only_their_own_cohorts(client, session, make_group, group, started):
    other = make_group(members=1, programme_round=group.round, name="Pennine bakers")
    (elsewhere,) = add_sessions(session, other.cohort, hour_now() - dt.timedelta(days=1))
    sign_in(client, group.facilitator)

    page = check_page(client.get("/facilitation/"))
    assert group.cohort.name in page.get_text()
    assert "Pennine bakers" not in page.get_text()
    check_page(client.get(f"/facilitation/cohorts/{group.cohort.id}"))

    for path in [
        f"/facilitation/cohorts/{other.cohort.id}",
        f"/facilitation/cohorts/{other.cohort.id}/settings",
        f"/facilitation/cohorts/{other.cohort.id}/schedule",
        f"/facilitation/cohorts/{other.cohort.id}/sessions/add",
        f"/facilitation/sessions/{elsewhere.id}",
        f"/facilitation/sessions/{elsewhere.id}/move",
        f"/facilitation/sessions/{elsewhere.id}/cancel",
    ]:
        assert client.get(path).status_code == 404, path


def test_the_cohort_page_lists_sessions_and_members(client, session, group, started, upcoming):
    sign_in(client, group.facilitator)
    page = check_page(client.get(f"/facilitation/cohorts/{group.cohort.id}"))
    tables = page.select("table")
    sessions, members = tables
    rows = sessions.select("tbody tr")
    assert len(rows) == 2
    assert "Register needed" in rows[0].get_text()
    assert "Not taken yet" in rows[0].get_text()
    assert "Planned" in rows[1].get_text()
    assert len(members.select("tbody tr")) == 3
    assert "Mill 1 Ltd" in members.get_text()
    assert "New members can still join" in page.get_text()


def test_an_hour_long_session_says_1_hour(client, session, group):
    (short,) = add_sessions(session, group.cohort, hour_now() - dt.timedelta(hours=2), minutes=60)
    sign_in(client, group.facilitator)
    page = check_page(client.get(f"/facilitation/sessions/{short.id}"))
    text = " ".join(page.get_text().split())
    assert "Length 1 hour " in text
    assert "The session was 1 hour long." in text
    assert "1 hours" not in text


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (Decimal(1), "1 hour"),
        (Decimal("1.00"), "1 hour"),
        (Decimal("2.50"), "2.5 hours"),
        (0, "0 hours"),
    ],
)
def test_hours_in_words(hours, words):
    from portal.cohorts.hours import hours_in_words

    assert hours_in_words(hours) == words


def test_a_facilitator_takes_the_register_with_themes_and_notes(client, session, group, started):
    sign_in(client, group.facilitator)
    one, two, three = group.places
    path = f"/facilitation/sessions/{started.id}"
    page = check_page(client.get(path))
    legends = [" ".join(legend.get_text().split()) for legend in page.select("legend")]
    assert legends[0] == "Who did not attend the whole session?"
    labels = [label.get_text(strip=True) for label in page.select("input[name=missed] + label")]
    assert labels == [
        *sorted(person.name for person in group.people),
        "Everyone attended the whole session",
    ]
    assert page.select_one("input[value=everyone]")["data-behaviour"] == "exclusive"
    assert "Only you can see these notes" in page.get_text()

    # Step 1: who missed some or all of it, with the themes and notes.
    response = client.submit_form(
        path,
        {
            "missed": [str(two.id), str(three.id)],
            "themes": ["exporting", "staffing"],
            "notes": "Good energy; follow up on recruitment.",
        },
    )
    assert response.status_code == 302
    exceptions = response.headers["Location"]
    assert exceptions.startswith(f"/facilitation/sessions/{started.id}/register?")
    assert reload(session, CohortSession, started.id).status == SessionStatus.PLANNED

    # Step 2: only those members are asked about; everyone else was present.
    page = check_page(client.get(exceptions))
    legends = [" ".join(legend.get_text().split()) for legend in page.select("legend")]
    names = {
        place.id: person.name for place, person in zip(group.places, group.people, strict=True)
    }
    assert sorted(legends) == sorted(f"Did {names[p.id]} attend?" for p in (two, three))
    assert names[one.id] in page.select_one("main ul").get_text()
    response = client.submit_form(
        exceptions,
        {
            f"attendance_{two.id}": "partial",
            f"hours_{two.id}": "1.5",
            f"attendance_{three.id}": "apologies",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/facilitation/cohorts/{group.cohort.id}"
    held = reload(session, CohortSession, started.id)
    assert held.status == SessionStatus.HELD
    assert {a.place_id: a.hours for a in held.attendance} == {
        one.id: Decimal("2.50"),
        two.id: Decimal("1.50"),
        three.id: Decimal("0.00"),
    }
    assert sorted(t.issue_code for t in held.themes) == ["exporting", "staffing"]
    assert held.facilitator_notes == "Good energy; follow up on recruitment."
    assert held.cohort.status == CohortStatus.RUNNING

    # Coming back shows what was recorded, on both pages.
    page = check_page(client.get(path))
    checked = {i["value"] for i in page.select("input[name=missed][checked]")}
    assert checked == {str(two.id), str(three.id)}
    assert page.select_one("input[name=themes][value=exporting]").has_attr("checked")
    page = check_page(client.get(exceptions))
    assert page.select_one(f"input[name=attendance_{two.id}][value=partial]").has_attr("checked")
    assert page.select_one(f"#hours_{two.id}")["value"] == "1.5"


def test_everyone_attended_records_the_whole_register_at_once(client, session, group, started):
    sign_in(client, group.facilitator)
    response = client.submit_form(f"/facilitation/sessions/{started.id}", {"missed": ["everyone"]})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/facilitation/cohorts/{group.cohort.id}"
    held = reload(session, CohortSession, started.id)
    assert held.status == SessionStatus.HELD
    assert {a.place_id: (a.status, a.hours) for a in held.attendance} == {
        place.id: (AttendanceStatus.PRESENT, Decimal("2.50")) for place in group.places
    }


def test_the_exceptions_page_asks_only_about_members(client, session, group, started, upcoming):
    sign_in(client, group.facilitator)
    one = group.places[0]
    # Nobody named (or only places that are not members): back to the first page.
    for query in ("", "?place=999999", "?place=abc"):
        response = client.get(f"/facilitation/sessions/{started.id}/register{query}")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/facilitation/sessions/{started.id}"
    # No register before the session starts.
    assert (
        client.get(f"/facilitation/sessions/{upcoming.id}/register?place={one.id}").status_code
        == 404
    )


def test_register_answers_are_checked(client, session, group, started):
    sign_in(client, group.facilitator)
    one, two, three = group.places
    names = [person.name for person in group.people]
    path = f"/facilitation/sessions/{started.id}"
    page = check_page(client.submit_form(path, {"notes": "Kept"}), status=400)
    assert error_messages(page) == [
        "Select who did not attend the whole session, or select that everyone attended"
    ]
    assert page.select_one("#notes").get_text() == "Kept"
    page = check_page(client.submit_form(path, {"missed": [str(one.id), "everyone"]}), status=400)
    assert error_messages(page) == [
        "Select who did not attend the whole session, or select that everyone attended, not both"
    ]
    assert page.select_one(f"input[name=missed][value='{one.id}']").has_attr("checked")
    page = check_page(client.submit_form(path, {"missed": ["999999"]}), status=400)
    assert error_messages(page) == ["Select members of the group from the list"]

    exceptions = f"{path}/register?place={one.id}&place={two.id}&place={three.id}"
    response = client.submit_form(
        exceptions,
        {
            f"attendance_{one.id}": "partial",
            f"hours_{one.id}": "an hour",
            f"attendance_{two.id}": "absent",
        },
    )
    page = check_page(response, status=400)
    assert error_messages(page) == [
        f"Hours {names[0]} attended must be a number, like 1.5, with up to 2 decimal places",
        f"Select whether {names[2]} attended",
    ]
    links = [a["href"] for a in page.select(".govuk-error-summary__list a")]
    assert links == [f"#hours_{one.id}", f"#attendance_{three.id}"]
    assert page.select_one(f"#hours_{one.id}")["value"] == "an hour"

    response = client.submit_form(
        exceptions,
        {
            f"attendance_{one.id}": "absent",
            f"attendance_{two.id}": "apologies",
            f"hours_{two.id}": "2",
            f"attendance_{three.id}": "absent",
        },
    )
    assert error_messages(check_page(response, status=400)) == [
        f"You entered hours for {names[1]}: select present for part of the session, "
        "or delete the hours"
    ]
    # Present for the whole session is not an exception: it is not offered here.
    response = client.submit_form(
        exceptions,
        {
            f"attendance_{one.id}": "present",
            f"attendance_{two.id}": "absent",
            f"attendance_{three.id}": "absent",
        },
    )
    assert error_messages(check_page(response, status=400)) == [
        f"Select whether {names[0]} attended"
    ]

    response = client.submit_form(
        exceptions,
        {
            f"attendance_{one.id}": "partial",
            f"hours_{one.id}": "4",
            f"attendance_{two.id}": "absent",
            f"attendance_{three.id}": "absent",
        },
    )
    page = check_page(response, status=400)
    assert error_messages(page) == [
        f"Hours {names[0]} attended must be less than the session’s length of 2.5 hours. "
        "If they were there for all of it, go back and do not select their name"
    ]
    session.rollback()
    assert session.scalars(select(Attendance)).all() == []


def test_there_is_no_register_before_a_session_starts(client, session, group, upcoming):
    sign_in(client, group.facilitator)
    page = check_page(client.get(f"/facilitation/sessions/{upcoming.id}"))
    assert page.find("main").find("form") is None
    assert "once the session has started" in page.get_text()
    assert page.find("a", string="Move this session") is not None


def test_the_delivery_settings_page(client, session, group):
    sign_in(client, group.facilitator)
    path = f"/facilitation/cohorts/{group.cohort.id}/settings"
    page = check_page(client.get(path))
    assert page.select_one("#start_time")["value"] == "9:30am"
    assert page.select_one("input[name=session_frequency_days][value='14']").has_attr("checked")
    answers = {
        "start_on": ["11", "1", "2027"],
        "start_time": "2pm",
        "session_length_minutes": "180",
        "session_frequency_days": "14",
        "planned_hours": "18",
        "venue": "Lancaster Castle",
    }
    response = client.submit_form(path, {**answers, "start_time": "25:00"})
    assert error_messages(check_page(response, status=400)) == [
        "Start time must be a real time, like 9:30am or 2pm"
    ]
    response = client.submit_form(path, answers)
    assert response.headers["Location"] == f"/facilitation/cohorts/{group.cohort.id}/schedule"
    cohort = reload(session, type(group.cohort), group.cohort.id)
    assert (cohort.start_on, cohort.start_time, cohort.session_length_minutes) == (
        dt.date(2027, 1, 11),
        "14:00",
        180,
    )
    assert cohort.venue == "Lancaster Castle"


def test_the_schedule_page_shows_bank_holidays_skipped_then_creates_the_sessions(
    client, session, group, outbox
):
    sign_in(client, group.facilitator)
    path = f"/facilitation/cohorts/{group.cohort.id}/schedule"
    page = check_page(client.get(path))
    assert "Boxing Day, Monday 28 December 2026" in page.get_text()
    assert len(page.select("tbody tr")) == 8
    # 18 planned hours in sessions of 2 hours 30 minutes: 8 sessions make 20 hours.
    warning = page.select_one(".govuk-warning-text__text").get_text(" ", strip=True)
    assert "These 8 sessions add up to 20 hours, 2 hours more than the planned 18 hours" in (
        warning
    )
    response = client.submit_form(path, {})
    assert response.headers["Location"] == f"/facilitation/cohorts/{group.cohort.id}"
    session.rollback()
    assert len(session.scalars(select(CohortSession)).all()) == 8
    assert outbox.last(group.people[0].email).attachments


def test_the_schedule_email_of_a_cohort_named_in_the_plural(client, make_group, outbox):
    named = make_group(members=1, name="Friday afternoons")
    sign_in(client, named.facilitator)
    client.submit_form(f"/facilitation/cohorts/{named.cohort.id}/schedule", {})
    assert outbox.last(named.people[0].email).subject == (
        "The dates of Friday afternoons' sessions"
    )


def test_a_schedule_that_would_start_in_the_past_is_not_made(client, session, group, outbox):
    group.cohort.start_on = (utcnow() - dt.timedelta(days=15)).date()
    session.commit()
    sign_in(client, group.facilitator)
    path = f"/facilitation/cohorts/{group.cohort.id}/schedule"
    before = len(outbox.messages(group.people[0].email))
    page = check_page(client.get(path))
    text = " ".join(page.select_one("main").get_text().split())
    assert "which has passed. Change the date of the first session in the delivery settings" in (
        text
    )
    assert not page.select("main form"), "nothing to create"

    client.submit_form(path, {}, from_page=f"/facilitation/cohorts/{group.cohort.id}")
    session.rollback()
    assert session.scalars(select(CohortSession)).all() == []
    assert len(outbox.messages(group.people[0].email)) == before, "nobody is emailed"


def test_the_cohort_page_sets_the_schedule_against_the_planned_hours(
    client, session, group, outbox
):
    sign_in(client, group.facilitator)
    cohort_page = f"/facilitation/cohorts/{group.cohort.id}"
    page = check_page(client.get(cohort_page))
    assert not page.select(".govuk-warning-text"), "no schedule yet, nothing to set against"

    client.submit_form(f"/facilitation/cohorts/{group.cohort.id}/schedule", {})
    page = check_page(client.get(cohort_page))
    warning = page.select_one(".govuk-warning-text__text").get_text(" ", strip=True)
    assert warning.startswith(
        "Warning The 8 sessions in the schedule add up to 20 hours, 2 hours more than the "
        "planned 18 hours."
    )

    # Cancelling one makes 7 sessions, 17 hours 30 minutes: now short of the plan.
    session.rollback()
    (first, *_) = sorted(group.cohort.sessions, key=lambda s: s.starts_at)
    response = client.submit_form(
        f"/facilitation/sessions/{first.id}/cancel", {"reason": "The room is flooded"}
    )
    assert response.status_code == 302
    page = check_page(client.get(cohort_page))
    warning = page.select_one(".govuk-warning-text__text").get_text(" ", strip=True)
    assert "The 7 sessions in the schedule add up to 17 hours 30 minutes, 30 minutes less " in (
        warning
    )

    # 7 sessions of 2 hours 30 minutes and a plan of 17.5 hours cannot match (whole hours);
    # 20 hours in 8 sessions can: after the schedule is made again there is nothing to warn.
    session.rollback()
    group.cohort.planned_hours = 20
    session.commit()
    client.submit_form(f"/facilitation/cohorts/{group.cohort.id}/schedule", {})
    page = check_page(client.get(cohort_page))
    assert not page.select(".govuk-warning-text")
    assert "The 8 sessions in the schedule add up to 20 hours, the planned 20 hours." in (
        " ".join(page.get_text().split())
    )


def working_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5 or (day.month == 12 and day.day in (25, 26, 28)):
        day += dt.timedelta(days=1)
    return day


def moving_to(day: dt.date, reason: str) -> dict[str, object]:
    """The move form's answers: ``day`` at 10am."""
    return {
        "starts_on": [str(day.day), str(day.month), str(day.year)],
        "start_time": "10am",
        "reason": reason,
    }


def test_moving_cancelling_and_adding_sessions_through_the_pages(
    client, session, group, upcoming, outbox
):
    sign_in(client, group.facilitator)
    move = f"/facilitation/sessions/{upcoming.id}/move"
    check_page(client.get(move))
    response = client.submit_form(move, {"starts_on": ["", "", ""], "start_time": "10am"})
    assert error_messages(check_page(response, status=400)) == [
        "Enter the date",
        "Enter why the session is moving",
    ]
    new_day = working_day((upcoming.starts_at + dt.timedelta(days=1)).date())
    response = client.submit_form(move, moving_to(new_day, "The room is booked"))
    assert response.status_code == 302
    message = outbox.last(group.people[0].email)
    assert "has moved" in message.subject

    cancel = f"/facilitation/sessions/{upcoming.id}/cancel"
    check_page(client.get(cancel))
    response = client.submit_form(cancel, {"reason": "The facilitator is ill"})
    assert response.status_code == 302
    assert reload(session, CohortSession, upcoming.id).status == SessionStatus.CANCELLED
    assert "is cancelled" in outbox.last(group.people[0].email).subject
    assert client.get(cancel).status_code == 404

    add = f"/facilitation/cohorts/{group.cohort.id}/sessions/add"
    page = check_page(client.get(add))
    assert page.select_one("#length_minutes")["value"] == "150"
    response = client.submit_form(
        add,
        {
            "starts_on": [str(new_day.day), str(new_day.month), str(new_day.year)],
            "start_time": "6pm",
            "length_minutes": "120",
            "reason": "To make up the cancelled session",
        },
    )
    assert response.status_code == 302
    assert "new session" in outbox.last(group.people[0].email).subject


def test_a_session_cannot_be_moved_into_the_past_and_the_first_session_follows_a_move(
    client, session, group, upcoming, outbox
):
    sign_in(client, group.facilitator)
    move = f"/facilitation/sessions/{upcoming.id}/move"
    before = len(outbox.messages(group.people[0].email))
    past = (utcnow() - dt.timedelta(days=2)).date()
    response = client.submit_form(move, moving_to(past, "Typed the wrong year"))
    assert error_messages(check_page(response, status=400)) == [
        "The new date and time must be in the future"
    ]
    assert len(outbox.messages(group.people[0].email)) == before, "nobody is emailed"

    sooner = working_day((utcnow() + dt.timedelta(days=3)).date())
    response = client.submit_form(move, moving_to(sooner, "The room is free sooner"))
    assert response.status_code == 302
    page = check_page(client.get(f"/facilitation/cohorts/{group.cohort.id}"))
    row = next(
        r for r in page.select(".govuk-summary-list__row") if "First session" in r.get_text()
    )
    value = row.select_one(".govuk-summary-list__value").get_text(strip=True)
    assert value == f"{sooner:%A} {sooner.day} {sooner:%B %Y}, 10am"


# The participant's pages


def test_someone_without_a_group_is_told_so(client, signed_in_as):
    from portal.auth.models import Role

    signed_in_as(Role.PARTICIPANT)
    page = check_page(client.get("/my-cohort/"))
    assert page.h1.get_text(strip=True) == "You are not in a group yet"
    assert client.get("/my-cohort/leave").status_code == 302
    assert client.get("/my-cohort/calendar").status_code == 302


def test_a_participant_sees_their_group_and_hours(client, session, group, started, upcoming):
    from portal.cohorts import registers

    with client.application.app_context():
        registers.record_register(
            session,
            started,
            [
                (group.places[0].id, "partial", Decimal("2.25")),
                (group.places[1].id, "present", None),
                (group.places[2].id, "absent", None),
            ],
            actor=group.facilitator,
            now=utcnow(),
        )
    session.commit()
    sign_in(client, group.people[0])
    page = check_page(client.get("/my-cohort/"))
    text = " ".join(page.get_text().split())
    assert page.h1.get_text(strip=True) == group.cohort.name
    assert "You have attended 2.25 hours of group sessions" in text
    assert "You complete the programme when you reach 12 hours" in text
    assert group.facilitator.name in text
    assert page.select_one(f"a[href='mailto:{group.facilitator.email}']") is not None
    # Member 2 shares their name and business; member 3 chose not to.
    assert f"{group.people[1].name}, Mill 2 Ltd" in text
    assert group.people[2].name not in text
    assert "1 other member chose not to share their name" in text
    rows = page.select(".govuk-summary-list__row")
    sessions = [" ".join(row.get_text().split()) for row in rows if "Session " in row.dt.text]
    assert sessions[0].startswith("Session 1 ")
    assert "You attended 2.25 hours" in sessions[0]
    assert "Coming up" in sessions[1]
    assert sessions[1].endswith(f"Add to calendar (session on {upcoming.starts_at:%-d %B %Y})")

    download = client.get(f"/my-cohort/sessions/{upcoming.id}.ics")
    assert download.status_code == 200
    assert download.mimetype == "text/calendar"
    assert "attachment" in download.headers["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(download.data)
    (event,) = calendar.walk("VEVENT")
    assert event["UID"] == f"cohort-session-{upcoming.id}@peernetworks.example.org.uk"


def test_the_cohort_page_sends_few_statements_however_many_sessions_and_members(
    client, session, make_group, statements_of
):
    """Issue 16: the participant's cohort page reads the registers once (the hours come from
    them too), and the members with their businesses in one query."""
    from portal.cohorts import registers

    small = make_group(members=2, sharing=(True, False))
    add_sessions(session, small.cohort, hour_now() + dt.timedelta(days=1))
    sign_in(client, small.people[0])
    before = statements_of(lambda: client.get("/my-cohort/"))
    assert len(before) <= PAGE_STATEMENTS, before

    bigger = make_group(members=6, sharing=(True, True, False, True, False, True))
    held = add_sessions(
        session, bigger.cohort, *(hour_now() - dt.timedelta(days=days) for days in (15, 8, 1))
    )
    add_sessions(session, bigger.cohort, hour_now() + dt.timedelta(days=12))
    with client.application.app_context():
        for made in held:
            registers.record_register(
                session,
                made,
                [(place.id, "present", None) for place in bigger.places],
                actor=bigger.facilitator,
                now=utcnow(),
            )
    session.commit()
    sign_in(client, bigger.people[0])
    after = statements_of(lambda: client.get("/my-cohort/"))
    assert len(after) <= PAGE_STATEMENTS, after
    assert len(after) == len(before)
    text = " ".join(check_page(client.get("/my-cohort/")).get_text().split())
    assert "You have attended 7.5 hours of group sessions" in text


def test_a_participant_cannot_download_another_groups_session(
    client, session, make_group, group, upcoming
):
    other = make_group(members=1, programme_round=group.round, name="Pennine bakers")
    (elsewhere,) = add_sessions(session, other.cohort, hour_now() + dt.timedelta(days=3))
    sign_in(client, group.people[0])
    assert client.get(f"/my-cohort/sessions/{elsewhere.id}.ics").status_code == 404
    assert client.get(f"/my-cohort/sessions/{upcoming.id}.ics").status_code == 200


def test_the_calendar_feed_works_without_signing_in_until_the_link_is_replaced(
    app, client, session, group, upcoming
):
    sign_in(client, group.people[0])
    page = check_page(client.get("/my-cohort/calendar"))
    assert page.select_one("#calendar-link") is None
    response = client.submit_form("/my-cohort/calendar", {})
    assert response.headers["Location"] == "/my-cohort/calendar"
    page = check_page(client.get("/my-cohort/calendar"))
    link = page.select_one("#calendar-link")["value"]
    assert link.startswith("https://peernetworks.example.org.uk/my-cohort/calendar/")
    path = link.removeprefix("https://peernetworks.example.org.uk")
    # Shown once: the page no longer has it.
    page = check_page(client.get("/my-cohort/calendar"))
    assert page.select_one("#calendar-link") is None
    assert "Make a new link" in page.get_text()

    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(feed.data)
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [
        f"cohort-session-{upcoming.id}@peernetworks.example.org.uk"
    ]

    client.submit_form("/my-cohort/calendar", {})
    assert anonymous.get(path).status_code == 404
    assert anonymous.get("/my-cohort/calendar/not-a-real-token.ics").status_code == 404
    place = reload(session, Place, group.places[0].id)
    assert place.feed_token_hash is not None
    assert place.feed_token_hash not in link


def test_a_participant_leaves_saying_why(client, session, group, upcoming):
    sign_in(client, group.people[0])
    page = check_page(client.get("/my-cohort/leave"))
    assert page.h1.get_text(strip=True) == "Leave your group"
    response = client.submit_form("/my-cohort/leave", {"reason": ""})
    assert error_messages(check_page(response, status=400)) == [
        "Enter why you are leaving the group"
    ]
    response = client.submit_form("/my-cohort/leave", {"reason": "I have sold the business"})
    assert response.headers["Location"] == "/my-cohort/"
    place = reload(session, Place, group.places[0].id)
    assert place.status == PlaceStatus.LEFT
    assert place.end_reason == "I have sold the business"
    page = check_page(client.get("/my-cohort/"))
    assert "You have left" in page.get_text()
    assert client.get(f"/my-cohort/sessions/{upcoming.id}.ics").status_code == 404
