"""Delivering a cohort: the rules of registers, hours, completion, joining, schedules,
changes to sessions (with their calendar emails), leaving and calendar feed links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import icalendar
import pytest
from sqlalchemy import select

from portal.cohorts import delivery, member_emails, membership, registers, sessions
from portal.cohorts.delivery import DeliveryError
from portal.cohorts.hours import hours_by_place, is_completer
from portal.cohorts.models import (
    AttendanceStatus,
    CohortStatus,
    CohortStatusChange,
    PlaceStatus,
    SessionStatus,
)
from portal.cohorts.registers import RegisterEntry
from portal.registration.models import Application, ApplicationStatus
from tests.fixtures.factories import add_sessions, confirmed_group_factory

UTC = dt.UTC
# The first session of the usual test group: Monday 14 December 2026, 9:30am (GMT).
FIRST = dt.datetime(2026, 12, 14, 9, 30, tzinfo=UTC)
BEFORE_IT_ALL = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PRESENT, PARTIAL, APOLOGIES, ABSENT = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.PARTIAL,
    AttendanceStatus.APOLOGIES,
    AttendanceStatus.ABSENT,
)


@pytest.fixture
def make_group(session, make_round, make_application, make_user, make_contractor):
    return confirmed_group_factory(
        session, make_round, make_application, make_user, make_contractor
    )


@pytest.fixture(autouse=True)
def _app_context(app) -> Iterator[None]:
    with app.app_context():
        yield


def fortnightly(count: int, first: dt.datetime = FIRST) -> list[dt.datetime]:
    return [first + dt.timedelta(days=14 * n) for n in range(count)]


def attachment_calendar(message) -> icalendar.Calendar:
    (attachment,) = message.attachments
    assert attachment.filename == "session.ics"
    assert attachment.content_type == "text/calendar"
    return icalendar.Calendar.from_ical(attachment.content)


def only_event(calendar: icalendar.Calendar) -> icalendar.Event:
    (event,) = [c for c in calendar.walk("VEVENT")]
    return event


# The register


def test_a_register_records_each_status_with_its_hours_and_starts_the_cohort(session, make_group):
    group = make_group(members=4)
    (first,) = add_sessions(session, group.cohort, FIRST)
    one, two, three, four = group.places
    registers.record_register(
        session,
        first,
        [
            RegisterEntry(one.id, PRESENT),
            RegisterEntry(two.id, PARTIAL, Decimal("1.5")),
            RegisterEntry(three.id, APOLOGIES),
            RegisterEntry(four.id, ABSENT),
        ],
        actor=group.facilitator,
        now=FIRST + dt.timedelta(hours=3),
    )
    session.commit()
    hours = {a.place_id: (a.status, a.hours) for a in first.attendance}
    assert hours == {
        one.id: (PRESENT, Decimal("2.50")),
        two.id: (PARTIAL, Decimal("1.50")),
        three.id: (APOLOGIES, Decimal("0.00")),
        four.id: (ABSENT, Decimal("0.00")),
    }
    assert first.status == SessionStatus.HELD
    assert first.register_taken_at is not None
    assert group.cohort.status == CohortStatus.RUNNING
    changes = session.scalars(
        select(CohortStatusChange).where(CohortStatusChange.cohort_id == group.cohort.id)
    ).all()
    assert [c.status for c in changes] == [CohortStatus.RUNNING]


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (Decimal("3"), "must be less than the session’s length of 2.5 hours"),
        (Decimal("2.5"), "must be less than the session’s length of 2.5 hours"),
        (Decimal("0"), "must be more than 0"),
        (None, "Enter the hours"),
        (Decimal("1.125"), "no more than 2 decimal places"),
    ],
)
def test_partial_attendance_needs_hours_within_the_sessions_length(
    session, make_group, hours, message
):
    group = make_group(members=1)
    (first,) = add_sessions(session, group.cohort, FIRST)
    place = group.places[0]
    with pytest.raises(DeliveryError) as refused:
        registers.record_register(
            session,
            first,
            [RegisterEntry(place.id, PARTIAL, hours)],
            actor=group.facilitator,
            now=FIRST + dt.timedelta(hours=3),
        )
    assert message in refused.value.message
    assert refused.value.place_id == place.id


def test_attendance_for_someone_who_was_not_a_member_is_refused(session, make_group):
    group = make_group(members=2)
    other = make_group(members=1, programme_round=group.round)
    first, second = add_sessions(session, group.cohort, *fortnightly(2))
    stayer, leaver = group.places
    # Left between the first and second sessions.
    leaver.status = PlaceStatus.LEFT
    leaver.ended_at = FIRST + dt.timedelta(days=7)
    session.commit()
    after_second = second.ends_at + dt.timedelta(hours=1)

    for outsider in (other.places[0].id, leaver.id):
        with pytest.raises(DeliveryError) as refused:
            registers.record_register(
                session,
                second,
                [RegisterEntry(stayer.id, PRESENT), RegisterEntry(outsider, PRESENT)],
                actor=group.facilitator,
                now=after_second,
            )
        assert refused.value.place_id == outsider
        assert "members of the group at this session" in refused.value.message
        session.rollback()

    # The leaver was a member at the first session, so their attendance there counts.
    registers.record_register(
        session,
        first,
        [RegisterEntry(stayer.id, PRESENT), RegisterEntry(leaver.id, PRESENT)],
        actor=group.facilitator,
        now=after_second,
    )
    assert [p.id for p in membership.session_members(second)] == [stayer.id]


def test_someone_who_accepted_after_a_session_is_not_on_its_register(session, make_group):
    group = make_group(members=2)
    first, second = add_sessions(session, group.cohort, *fortnightly(2))
    late = group.places[1]
    late.accepted_at = FIRST + dt.timedelta(days=3)
    session.commit()
    assert [p.id for p in membership.session_members(first)] == [group.places[0].id]
    assert {p.id for p in membership.session_members(second)} == {p.id for p in group.places}


def test_a_register_waits_for_the_session_and_a_cancelled_session_has_none(session, make_group):
    group = make_group(members=1)
    first, second = add_sessions(session, group.cohort, *fortnightly(2))
    entry = [RegisterEntry(group.places[0].id, PRESENT)]
    with pytest.raises(DeliveryError, match="once the session has started"):
        registers.record_register(
            session, first, entry, actor=group.facilitator, now=FIRST - dt.timedelta(minutes=1)
        )
    second.status = SessionStatus.CANCELLED
    with pytest.raises(DeliveryError, match="cancelled"):
        registers.record_register(
            session, second, entry, actor=group.facilitator, now=second.ends_at
        )


def test_taking_a_register_again_corrects_it(session, make_group):
    group = make_group(members=1)
    (first,) = add_sessions(session, group.cohort, FIRST)
    place = group.places[0]
    later = FIRST + dt.timedelta(hours=3)
    registers.record_register(
        session, first, [(place.id, PRESENT, None)], actor=group.facilitator, now=later
    )
    registers.record_register(
        session,
        first,
        [(place.id, PARTIAL, Decimal("2"))],
        actor=group.facilitator,
        now=later,
    )
    session.commit()
    assert len(first.attendance) == 1
    assert hours_of(session, place) == Decimal("2.00")


# Hours and completion


def hours_of(session, place):
    """The group hours the person attended, as their cohort's hours by place give them."""
    return hours_by_place(session, place.cohort).get(place.id, Decimal(0))


def test_hours_attended_add_up_the_registers_of_sessions_held(session, make_group):
    group = make_group(members=2)
    sessions = add_sessions(session, group.cohort, *fortnightly(4))
    one, two = group.places
    answers = [
        [(one.id, PRESENT, None), (two.id, PARTIAL, Decimal("1.25"))],
        [(one.id, PARTIAL, Decimal("2")), (two.id, APOLOGIES, None)],
        [(one.id, PRESENT, None), (two.id, PRESENT, None)],
    ]
    for held, entries in zip(sessions, answers, strict=False):
        registers.record_register(
            session, held, entries, actor=group.facilitator, now=sessions[-1].ends_at
        )
    session.commit()
    assert hours_of(session, one) == Decimal("7.00")
    assert hours_of(session, two) == Decimal("3.75")
    assert hours_by_place(session, group.cohort) == {
        one.id: Decimal("7.00"),
        two.id: Decimal("3.75"),
    }


def test_completion_is_the_rounds_threshold_of_group_hours(session, make_group, make_round):
    group = make_group(members=0)
    assert group.round.completion_threshold_hours == 12
    assert group.round.planned_hours == 18
    assert is_completer(Decimal("12"), group.round)
    assert is_completer(Decimal("18.5"), group.round)
    assert not is_completer(Decimal("11.99"), group.round)
    stricter = make_round(name="Round 4")
    stricter.completion_threshold_hours = 15
    session.commit()
    assert not is_completer(Decimal("12"), stricter)


def test_eight_sessions_of_a_member_who_came_to_five_makes_a_completer(session, make_group):
    group = make_group(members=1)
    sessions = add_sessions(session, group.cohort, *fortnightly(8))
    place = group.places[0]
    for number, held in enumerate(sessions):
        status = PRESENT if number < 5 else ABSENT
        registers.record_register(
            session, held, [(place.id, status, None)], actor=group.facilitator, now=held.ends_at
        )
    hours = hours_of(session, place)
    assert hours == Decimal("12.50")
    assert is_completer(hours, group.round)


# Joining


def test_people_can_join_until_the_third_session_starts(session, make_group):
    group = make_group(members=1)
    assert membership.can_join(group.cohort, BEFORE_IT_ALL)  # no sessions yet
    _, second, third, _ = add_sessions(session, group.cohort, *fortnightly(4))
    assert membership.can_join(group.cohort, second.ends_at)
    assert membership.can_join(group.cohort, third.starts_at - dt.timedelta(seconds=1))
    assert not membership.can_join(group.cohort, third.starts_at)

    # A cancelled session is not one of the group's sessions: the cut-off moves on.
    second.status = SessionStatus.CANCELLED
    session.commit()
    assert membership.can_join(group.cohort, third.starts_at)


def test_the_join_cut_off_is_a_round_setting(session, make_group, make_round):
    programme_round = make_round(name="Round 5")
    programme_round.join_before_session_number = 2
    session.commit()
    group = make_group(members=1, programme_round=programme_round)
    first, second = add_sessions(session, group.cohort, *fortnightly(2))
    assert membership.can_join(group.cohort, first.ends_at)
    assert not membership.can_join(group.cohort, second.starts_at)


def test_nobody_joins_a_cohort_that_is_not_being_delivered(session, make_group):
    group = make_group(members=1, status=CohortStatus.COMPLETED)
    assert not membership.can_join(group.cohort, BEFORE_IT_ALL)


# Settings and the schedule


def test_the_schedule_skips_bank_holidays(session, make_group):
    group = make_group(members=0)
    plan = sessions.generate_schedule(
        session, group.cohort, actor=group.facilitator, now=BEFORE_IT_ALL
    )
    session.commit()
    starts = [s.starts_at for s in delivery.active_sessions(group.cohort)]
    # 18 hours of 2.5-hour sessions: 8 sessions. Monday 28 December 2026 is a bank holiday
    # (Boxing Day, substitute day): that session moves a week, and the rest follow on.
    assert len(starts) == 8
    assert starts[0] == FIRST
    assert starts[1] == dt.datetime(2027, 1, 4, 9, 30, tzinfo=UTC)
    assert starts[2] == dt.datetime(2027, 1, 18, 9, 30, tzinfo=UTC)
    # Easter Monday moves the last session a week; the clocks have gone forward by then,
    # so 9:30am in London is 8:30 UTC.
    assert starts[-1] == dt.datetime(2027, 4, 5, 8, 30, tzinfo=UTC)
    assert [(d.day, d.title) for d in plan.skipped] == [
        (dt.date(2026, 12, 28), "Boxing Day"),
        (dt.date(2027, 3, 29), "Easter Monday"),
    ]
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=150) for s in group.cohort.sessions)
    assert {s.venue for s in group.cohort.sessions} == {group.cohort.venue}


def test_a_schedule_needs_a_start_date(session, make_group):
    group = make_group(members=0, start_on=None)
    with pytest.raises(DeliveryError, match="date of the first session"):
        sessions.generate_schedule(
            session, group.cohort, actor=group.facilitator, now=BEFORE_IT_ALL
        )


def test_regenerating_replaces_only_future_planned_sessions_never_held_ones(session, make_group):
    group = make_group(members=1)
    cohort = group.cohort
    sessions.generate_schedule(session, cohort, actor=group.facilitator, now=BEFORE_IT_ALL)
    first, second, third, *_ = delivery.active_sessions(cohort)
    place = group.places[0]
    for held in (first, second):
        registers.record_register(
            session, held, [(place.id, PRESENT, None)], actor=group.facilitator, now=held.ends_at
        )
    third_id, third_start = third.id, third.starts_at
    session.commit()

    # Longer sessions: 18 hours of 3-hour sessions is 6, so 4 more after the 2 held.
    sessions.update_delivery_settings(
        session,
        cohort,
        actor=group.facilitator,
        start_on=cohort.start_on,
        start_time=dt.time(10, 0),
        session_length_minutes=180,
        session_frequency_days=14,
        planned_hours=18,
    )
    now = second.ends_at + dt.timedelta(days=1)
    plan = sessions.generate_schedule(session, cohort, actor=group.facilitator, now=now)
    session.commit()

    remaining = delivery.active_sessions(cohort)
    assert len(remaining) == 6
    assert remaining[:2] == [first, second]
    assert [s.status for s in remaining[:2]] == [SessionStatus.HELD, SessionStatus.HELD]
    assert first.ends_at - first.starts_at == dt.timedelta(minutes=150)
    assert hours_of(session, place) == Decimal("5.00")
    assert [s.starts_at for s in remaining[2:]] == [
        dt.datetime(2027, 1, 18, 10, 0, tzinfo=UTC) + dt.timedelta(days=14 * n) for n in range(4)
    ]
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=180) for s in remaining[2:])
    # The record of the old third session was reused, and its calendar sequence raised.
    assert remaining[2].id == third_id
    assert remaining[2].starts_at != third_start
    assert remaining[2].calendar_sequence == 1
    assert len(plan.kept) == 2
    assert len(plan.replaced) == 6


def test_delivery_settings_that_make_no_schedule_are_refused(session, make_group):
    group = make_group(members=0)
    with pytest.raises(DeliveryError, match="whole number of weeks"):
        sessions.update_delivery_settings(
            session,
            group.cohort,
            actor=group.facilitator,
            start_on=dt.date(2026, 12, 14),
            start_time=dt.time(9, 30),
            session_length_minutes=150,
            session_frequency_days=10,
            planned_hours=18,
        )


# Moving, cancelling and adding sessions: members are emailed a calendar file


def test_moving_a_session_emails_members_a_calendar_update(session, make_group, outbox):
    group = make_group(members=2)
    _, second = add_sessions(session, group.cohort, *fortnightly(2))
    sessions.move_session(
        session,
        second,
        on=dt.date(2026, 12, 30),
        at=dt.time(14, 0),
        actor=group.facilitator,
        reason="The venue is closed that Monday",
        now=BEFORE_IT_ALL,
    )
    session.commit()
    assert second.starts_at == dt.datetime(2026, 12, 30, 14, 0, tzinfo=UTC)
    assert second.ends_at - second.starts_at == dt.timedelta(minutes=150)
    for person in group.people:
        message = outbox.last(person.email)
        assert message.subject == f"A session of {group.cohort.name} has moved"
        assert "The venue is closed that Monday" in message.body_text
        assert "Wednesday 30 December 2026, 2pm to 4:30pm" in message.body_text
        calendar = attachment_calendar(message)
        assert calendar["METHOD"] == "REQUEST"
        event = only_event(calendar)
        assert event["UID"] == f"cohort-session-{second.id}@peernetworks.example.org.uk"
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART").astimezone(UTC) == second.starts_at
        assert str(event["ATTENDEE"]) == f"mailto:{person.email}"
        assert str(event["ORGANIZER"]) == f"mailto:{group.facilitator.email}"


def test_cancelling_a_session_emails_members_a_calendar_cancellation(session, make_group, outbox):
    group = make_group(members=1)
    (first,) = add_sessions(session, group.cohort, FIRST)
    sessions.cancel_session(
        session, first, actor=group.facilitator, reason="Snow", now=BEFORE_IT_ALL
    )
    session.commit()
    assert first.status == SessionStatus.CANCELLED
    message = outbox.last(group.people[0].email)
    assert message.subject == f"A session of {group.cohort.name} is cancelled"
    calendar = attachment_calendar(message)
    assert calendar["METHOD"] == "CANCEL"
    event = only_event(calendar)
    assert event["UID"] == f"cohort-session-{first.id}@peernetworks.example.org.uk"
    assert event["SEQUENCE"] == 1
    assert event["STATUS"] == "CANCELLED"
    with pytest.raises(DeliveryError, match="cancelled"):
        sessions.cancel_session(
            session, first, actor=group.facilitator, reason="Again", now=BEFORE_IT_ALL
        )


def test_adding_a_session_invites_members(session, make_group, outbox):
    group = make_group(members=1)
    add_sessions(session, group.cohort, FIRST)
    added = sessions.add_session(
        session,
        group.cohort,
        on=dt.date(2027, 1, 6),
        at=dt.time(18, 0),
        length_minutes=120,
        actor=group.facilitator,
        reason="To make up for the snow day",
        now=BEFORE_IT_ALL,
    )
    session.commit()
    assert added.ends_at - added.starts_at == dt.timedelta(hours=2)
    calendar = attachment_calendar(outbox.last(group.people[0].email))
    assert calendar["METHOD"] == "REQUEST"
    event = only_event(calendar)
    assert event["UID"] == f"cohort-session-{added.id}@peernetworks.example.org.uk"
    assert event["SEQUENCE"] == 0
    assert delivery.session_numbers(group.cohort)[added.id] == 2


def test_a_session_cannot_go_on_a_bank_holiday_or_over_another(session, make_group):
    group = make_group(members=0)
    _, second = add_sessions(session, group.cohort, *fortnightly(2))
    with pytest.raises(DeliveryError, match=r"bank holiday \(Christmas Day\)"):
        sessions.add_session(
            session,
            group.cohort,
            on=dt.date(2026, 12, 25),
            at=dt.time(10, 0),
            length_minutes=120,
            actor=group.facilitator,
            reason="Extra",
            now=BEFORE_IT_ALL,
        )
    with pytest.raises(DeliveryError, match="already has a session"):
        sessions.move_session(
            session,
            second,
            on=dt.date(2026, 12, 14),
            at=dt.time(11, 0),
            actor=group.facilitator,
            reason="Clash",
            now=BEFORE_IT_ALL,
        )


def test_a_held_session_cannot_be_moved_or_cancelled(session, make_group):
    group = make_group(members=1)
    (first,) = add_sessions(session, group.cohort, FIRST)
    registers.record_register(
        session,
        first,
        [(group.places[0].id, PRESENT, None)],
        actor=group.facilitator,
        now=first.ends_at,
    )
    with pytest.raises(DeliveryError, match="held"):
        sessions.cancel_session(
            session, first, actor=group.facilitator, reason="x", now=first.ends_at
        )


def test_generating_the_schedule_emails_members_the_dates(session, make_group, outbox):
    group = make_group(members=1)
    sessions.generate_schedule(session, group.cohort, actor=group.facilitator, now=BEFORE_IT_ALL)
    session.commit()
    message = outbox.last(group.people[0].email)
    assert "Monday 14 December 2026, 9:30am to midday" in message.body_text
    (attachment,) = message.attachments
    calendar = icalendar.Calendar.from_ical(attachment.content)
    assert calendar["METHOD"] == "PUBLISH"
    assert len(list(calendar.walk("VEVENT"))) == 8


# Themes and notes


def test_themes_come_from_the_issues_list(session, make_group):
    group = make_group(members=0)
    (first,) = add_sessions(session, group.cohort, FIRST)
    later = first.ends_at
    registers.record_themes(
        session, first, ["exporting", "staffing"], actor=group.facilitator, now=later
    )
    session.commit()
    assert sorted(t.issue_code for t in first.themes) == ["exporting", "staffing"]
    registers.record_themes(session, first, ["staffing"], actor=group.facilitator, now=later)
    assert [t.issue_code for t in first.themes] == ["staffing"]
    with pytest.raises(DeliveryError, match="Select issues from the list"):
        registers.record_themes(
            session, first, ["not-an-issue"], actor=group.facilitator, now=later
        )


def test_notes_are_kept_on_the_session(session, make_group):
    group = make_group(members=0)
    (first,) = add_sessions(session, group.cohort, FIRST)
    registers.save_notes(
        session, first, "  Trust is building.  ", actor=group.facilitator, now=first.ends_at
    )
    assert first.facilitator_notes == "Trust is building."


# Leaving and calendar feed links


def test_leaving_ends_the_place_and_withdraws_the_application(session, make_group):
    group = make_group(members=2)
    (first,) = add_sessions(session, group.cohort, FIRST)
    place = group.places[0]
    registers.record_register(
        session,
        first,
        [(p.id, PRESENT, None) for p in group.places],
        actor=group.facilitator,
        now=first.ends_at,
    )
    membership.new_feed_token(session, place)
    left_at = first.ends_at + dt.timedelta(days=2)
    membership.leave_cohort(session, place, reason="Too busy with a new contract", now=left_at)
    session.commit()
    assert place.status == PlaceStatus.LEFT
    assert place.ended_at == left_at
    assert place.end_reason == "Too busy with a new contract"
    assert place.feed_token_hash is None
    application = session.get(Application, place.application_id)
    assert application.status == ApplicationStatus.WITHDRAWN
    # Their hours stay: they are a participant who withdrew (figures.md).
    assert hours_of(session, place) == Decimal("2.50")
    assert membership.current_place(session, group.people[0]) is None
    with pytest.raises(DeliveryError):
        membership.leave_cohort(session, place, reason="Again", now=left_at)


def test_a_feed_link_is_stored_as_a_hash_and_a_new_one_revokes_the_old(session, make_group):
    group = make_group(members=1)
    place = group.places[0]
    first = membership.new_feed_token(session, place)
    assert place.feed_token_hash != first
    assert len(place.feed_token_hash) == 64
    assert membership.place_for_feed_token(session, first) is place
    second = membership.new_feed_token(session, place)
    assert membership.place_for_feed_token(session, first) is None
    assert membership.place_for_feed_token(session, second) is place
    assert membership.place_for_feed_token(session, "") is None


def test_the_feed_has_every_session_not_cancelled_and_names_nobody(session, make_group):
    group = make_group(members=2)
    first, second, third = add_sessions(session, group.cohort, *fortnightly(3))
    second.status = SessionStatus.CANCELLED
    session.commit()
    calendar = icalendar.Calendar.from_ical(member_emails.feed_calendar(session, group.cohort))
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == f"Peer Networks: {group.cohort.name}"
    events = list(calendar.walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == [
        f"cohort-session-{s.id}@peernetworks.example.org.uk" for s in (first, third)
    ]
    assert all("ATTENDEE" not in e for e in events)
    assert "Preston Business Centre" in str(events[0]["LOCATION"])


# Demo data


def test_the_demo_schedules_confirmed_cohorts_and_takes_past_registers(session, make_group, outbox):
    from portal import demo_dates
    from portal.cohorts import delivery_demo
    from portal.db_base import utcnow

    assert delivery_demo.load(session) == 0  # no cohorts: nothing to do
    group = make_group(members=3, start_on=None)
    for place in group.places:  # as the cohorts' demo does: before the first session
        place.accepted_at = demo_dates.offers_answered_at(utcnow())
    session.commit()
    emails_before = len(outbox.messages())
    made = delivery_demo.load(session)
    session.commit()
    assert made == 8
    held = [s for s in group.cohort.sessions if s.status == SessionStatus.HELD]
    assert 2 <= len(held) <= 3
    assert all(s.attendance and s.themes for s in held)
    assert group.cohort.status == CohortStatus.RUNNING
    assert delivery_demo.load(session) == 0  # again: nothing twice
    assert len(outbox.messages()) == emails_before  # the demo emails nobody
