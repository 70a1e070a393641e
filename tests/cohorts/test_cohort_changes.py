"""Officers changing confirmed or running cohorts: moving and withdrawing members, adding
someone from the waiting list by fit, changing a cohort's details and cancelling it. Each
change re-checks the hard rules, is audited, and emails the people it affects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import icalendar
import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role, User
from portal.cohorts import cohort_changes, member_changes, registers
from portal.cohorts.cohort_changes import CohortDetails
from portal.cohorts.models import (
    AttendanceStatus,
    CohortDelivery,
    CohortStatus,
    CohortStatusChange,
    Place,
    PlaceStatus,
    SessionStatus,
)
from portal.cohorts.registers import RegisterEntry
from portal.cohorts.services import CohortError
from portal.outcomes import figures
from portal.registration.models import Application, ApplicationStatus, ConflictKind, PartOfDay
from tests.fixtures.factories import add_sessions, confirmed_group_factory

UTC = dt.UTC
FIRST = dt.datetime(2026, 12, 14, 9, 30, tzinfo=UTC)  # a Monday
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def make_group(session, make_round, make_application, make_user, make_contractor):
    return confirmed_group_factory(
        session, make_round, make_application, make_user, make_contractor
    )


@pytest.fixture(autouse=True)
def _app_context(app) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, name="Olu Officer")


def tuesday_group(session, make_group, **fields):
    """A group meeting on Tuesday mornings, which the factory's applicants can all make."""
    group = make_group(**fields)
    group.cohort.meeting_weekday = 1
    group.cohort.start_on = dt.date(2026, 12, 15)
    session.commit()
    return group


def fortnightly(count: int, first: dt.datetime) -> list[dt.datetime]:
    return [first + dt.timedelta(days=14 * n) for n in range(count)]


def calendars(message) -> dict[str, icalendar.Calendar]:
    return {a.filename: icalendar.Calendar.from_ical(a.content) for a in message.attachments}


def waiting(make_application, programme_round, session, **answers) -> Application:
    application = make_application(programme_round, **answers)
    application.status = ApplicationStatus.WAITLISTED
    session.commit()
    return application


# Moving a member


def test_a_member_moves_to_another_cohort_with_the_new_dates_and_their_old_ones_cancelled(
    session, make_group, officer, outbox
):
    here = tuesday_group(session, make_group, members=3, name="Makers of Preston")
    there = tuesday_group(session, make_group, members=2, name="Growers of Preston")
    add_sessions(session, here.cohort, *fortnightly(3, FIRST + dt.timedelta(days=1)))
    add_sessions(session, there.cohort, *fortnightly(4, FIRST + dt.timedelta(days=8)))
    place, person = here.places[0], here.people[0]

    moved = member_changes.move_member(
        session, place, there.cohort, actor=officer, reason="Closer to their work", now=NOW
    )
    session.commit()

    assert place.status == PlaceStatus.MOVED
    assert place.end_reason == "Moved to Growers of Preston: Closer to their work"
    assert moved.status == PlaceStatus.ACCEPTED
    assert moved.cohort_id == there.cohort.id
    assert session.get(Application, place.application_id).status == ApplicationStatus.PLACED
    message = outbox.last(person.email)
    assert message.subject == "You have moved to Growers of Preston"
    assert "Why: Closer to their work" in message.body_text
    assert "Tuesday 22 December 2026, 9:30am to midday" in message.body_text
    files = calendars(message)
    assert len(files["sessions.ics"].walk("VEVENT")) == 4
    cancelled = [name for name in files if name.startswith("cancelled-session-")]
    assert len(cancelled) == 3
    assert all(files[name]["METHOD"] == "CANCEL" for name in cancelled)
    assert outbox.last(here.facilitator.email).subject == "Changes to Makers of Preston"
    assert f"{person.name} has joined from Makers of Preston." in (
        outbox.last(there.facilitator.email).body_text
    )
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"cohort_place.moved", "cohort_place.moved_in"} <= actions


def test_a_move_is_refused_with_every_rule_it_breaks(
    session, make_group, make_application, officer
):
    here = tuesday_group(session, make_group, members=2)
    there = tuesday_group(session, make_group, members=2)
    there.round.cohort_size_min, there.round.cohort_size_max = 2, 2
    mover = make_application(
        here.round,
        business_name="Preston Pies Ltd",
        slots=[(3, "afternoon")],
        conflicts=[("Mill 1 Ltd", ConflictKind.COMPETITOR)],
    )
    mover.status = ApplicationStatus.PLACED
    place = Place(
        cohort_id=here.cohort.id,
        application_id=mover.id,
        person_id=mover.person_id,
        status=PlaceStatus.ACCEPTED,
        accepted_at=NOW,
    )
    session.add(place)
    session.commit()

    with pytest.raises(CohortError) as refused:
        member_changes.move_member(
            session, place, there.cohort, actor=officer, reason="Asked", now=NOW
        )

    problems = " | ".join(refused.value.problems)
    assert "would have 3 members; the most is 2" in problems
    assert "cannot make Tuesday mornings" in problems
    assert "Preston Pies Ltd declared Mill 1 Ltd as a competitor" in problems
    session.refresh(place)
    assert place.status == PlaceStatus.ACCEPTED


def test_nobody_moves_into_a_cohort_past_its_joining_cut_off(session, make_group, officer):
    here = tuesday_group(session, make_group, members=2)
    there = tuesday_group(session, make_group, members=2)
    add_sessions(session, there.cohort, *fortnightly(3, NOW - dt.timedelta(days=30)))

    problems = member_changes.move_problems(session, here.places[0], there.cohort, NOW)

    assert problems == [f"People can only join {there.cohort.name} before its session 3"]


# Withdrawing a member


def test_a_member_withdrawn_after_a_session_counts_as_withdrawn_and_still_a_participant(
    session, make_group, officer, outbox
):
    group = tuesday_group(session, make_group, members=3)
    first, _later = add_sessions(
        session, group.cohort, NOW - dt.timedelta(days=7), NOW + dt.timedelta(days=7)
    )
    registers.record_register(
        session,
        first,
        [RegisterEntry(p.id, AttendanceStatus.PRESENT) for p in group.places],
        actor=group.facilitator,
        now=NOW - dt.timedelta(days=6),
    )
    session.commit()
    place, person = group.places[0], group.people[0]

    member_changes.withdraw_member(
        session, place, actor=officer, reason="Sold the business", now=NOW
    )
    session.commit()

    assert place.status == PlaceStatus.LEFT
    assert session.get(Application, place.application_id).status == ApplicationStatus.WITHDRAWN
    later = NOW + dt.timedelta(days=1)
    assert figures.withdrawn_ids(session, group.round.id, later) == {person.id}
    assert person.id in figures.participant_ids(session, group.round.id, later)
    message = outbox.last(person.email)
    assert message.subject == f"Your place in {group.cohort.name} has ended"
    assert "Why: Sold the business" in message.body_text
    assert [a.filename for a in message.attachments] == ["cancelled-session-1.ics"]
    assert "has been withdrawn: Sold the business" in outbox.last(group.facilitator.email).body_text
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "cohort_place.left"))
    assert event.actor_id == officer.id


def test_a_moved_member_is_not_counted_as_withdrawn(session, make_group, officer):
    here = tuesday_group(session, make_group, members=2)
    there = tuesday_group(session, make_group, members=2)
    (held,) = add_sessions(session, here.cohort, NOW - dt.timedelta(days=7))
    registers.record_register(
        session,
        held,
        [RegisterEntry(p.id, AttendanceStatus.PRESENT) for p in here.places],
        actor=here.facilitator,
        now=NOW - dt.timedelta(days=6),
    )
    session.commit()

    member_changes.move_member(
        session, here.places[0], there.cohort, actor=officer, reason="Asked", now=NOW
    )
    session.commit()

    later = NOW + dt.timedelta(days=1)
    assert figures.withdrawn_ids(session, here.round.id, later) == set()
    assert here.people[0].id in figures.participant_ids(session, here.round.id, later)


# The waiting list by fit


def test_the_waiting_list_puts_those_the_rules_allow_first_and_says_what_the_others_break(
    session, make_group, make_application
):
    group = tuesday_group(session, make_group, members=3)
    rival = waiting(
        make_application,
        group.round,
        session,
        name="Rita Rival",
        business_name="Rival Mills Ltd",
        conflicts=[("Mill 2 Ltd", ConflictKind.COMPETITOR)],
    )
    evenings = waiting(
        make_application, group.round, session, name="Eve Evening", slots=[(2, "evening")]
    )
    fits = waiting(make_application, group.round, session, name="Fay Fits")

    ranked = member_changes.waiting_by_fit(session, group.cohort)

    assert next(c.application.id for c in ranked) == fits.id
    assert ranked[0].allowed
    by_id = {c.application.id: c for c in ranked}
    assert "Rival Mills Ltd declared Mill 2 Ltd as a competitor" in by_id[rival.id].problems
    assert any("cannot make Tuesday mornings" in p for p in by_id[evenings.id].problems)


# Changing the details


def test_a_new_meeting_day_moves_future_sessions_and_emails_members_the_new_dates(
    session, make_group, officer, outbox
):
    group = tuesday_group(session, make_group, members=2)
    add_sessions(session, group.cohort, *fortnightly(8, FIRST + dt.timedelta(days=1)))
    details = CohortDetails.of(group.cohort)
    new = CohortDetails(
        **{
            **details.__dict__,
            "weekday": 3,
            "part_of_day": PartOfDay.AFTERNOON,
            "start_time": dt.time(14, 0),
            "name": "Makers of Lancashire",
        }
    )

    lines = cohort_changes.change_details(
        session, group.cohort, new, actor=officer, reason="The room is booked", now=NOW
    )
    session.commit()

    assert "It now meets on Thursday afternoons, starting at 2pm." in lines
    assert "Its name is now Makers of Lancashire" in lines[0]
    starts = sorted(s.starts_at for s in group.cohort.sessions)
    assert starts[0] == dt.datetime(2026, 12, 17, 14, 0, tzinfo=UTC)
    assert all(s.weekday() == 3 for s in starts)
    message = outbox.last(group.people[0].email)
    assert message.subject == "Changes to your Peer Networks group, Makers of Lancashire"
    assert "Thursday 17 December 2026, 2pm to 4:30pm" in message.body_text
    assert "Why: The room is booked" in message.body_text
    (event, *_rest) = calendars(message)["sessions.ics"].walk("VEVENT")
    assert event["SEQUENCE"] >= 1
    audit = session.scalar(select(AuditEvent).where(AuditEvent.action == "cohort.details_changed"))
    assert "meeting_weekday" in audit.fields
    assert audit.reason == "The room is booked"


def test_a_day_some_members_cannot_make_is_refused(session, make_group, officer):
    group = tuesday_group(session, make_group, members=2)
    details = CohortDetails.of(group.cohort)
    new = CohortDetails(**{**details.__dict__, "weekday": 4})

    with pytest.raises(CohortError) as refused:
        cohort_changes.change_details(
            session, group.cohort, new, actor=officer, reason="Why not", now=NOW
        )

    assert len([p for p in refused.value.problems if "cannot make Friday mornings" in p]) == 2
    session.refresh(group.cohort)
    assert group.cohort.meeting_weekday == 1


def test_going_online_emails_members_the_link(session, make_group, officer, outbox):
    group = tuesday_group(session, make_group, members=2)
    details = CohortDetails.of(group.cohort)
    new = CohortDetails(
        **{
            **details.__dict__,
            "delivery": CohortDelivery.ONLINE,
            "online_link": "https://meet.example.com/makers",
        }
    )

    cohort_changes.change_details(
        session, group.cohort, new, actor=officer, reason="The venue closed", now=NOW
    )
    session.commit()

    body = outbox.last(group.people[0].email).body_text
    assert "It now meets online." in body
    assert "The link to the online meeting is now https://meet.example.com/makers." in body


# Cancelling


def test_cancelling_offers_members_places_elsewhere_or_the_waiting_list(
    session, make_group, officer, outbox
):
    group = tuesday_group(session, make_group, members=2, name="Makers of Preston")
    other = tuesday_group(session, make_group, members=2, name="Growers of Preston")
    add_sessions(session, group.cohort, *fortnightly(2, FIRST + dt.timedelta(days=1)))
    to_other, to_list = group.places

    cohort_changes.cancel_cohort(
        session,
        group.cohort,
        {to_other.id: other.cohort, to_list.id: None},
        actor=officer,
        reason="The facilitator is ill",
        now=NOW,
    )
    session.commit()

    assert group.cohort.status == CohortStatus.CANCELLED
    assert {s.status for s in group.cohort.sessions} == {SessionStatus.CANCELLED}
    assert {to_other.status, to_list.status} == {PlaceStatus.REMOVED}
    offered = session.scalar(
        select(Place).where(
            Place.cohort_id == other.cohort.id, Place.application_id == to_other.application_id
        )
    )
    assert offered.status == PlaceStatus.OFFERED
    assert session.get(Application, to_list.application_id).status == (ApplicationStatus.WAITLISTED)
    first, second = group.people
    subjects = [m.subject for m in outbox.messages(first.email)]
    assert "Makers of Preston is cancelled" in subjects
    assert "You have been offered a place in a Peer Networks group" in subjects
    cancelled = outbox.last(second.email)
    assert "You are on our waiting list." in cancelled.body_text
    assert len(cancelled.attachments) == 2
    history = session.scalar(
        select(CohortStatusChange).where(CohortStatusChange.cohort_id == group.cohort.id)
    )
    assert history.reason == "The facilitator is ill"


def test_cancelling_is_refused_without_a_choice_for_every_member(session, make_group, officer):
    group = tuesday_group(session, make_group, members=2)

    with pytest.raises(CohortError) as refused:
        cohort_changes.cancel_cohort(
            session,
            group.cohort,
            {group.places[0].id: None},
            actor=officer,
            reason="No",
            now=NOW,
        )

    assert refused.value.problems == ["Choose where each member goes"]
    assert group.cohort.status == CohortStatus.CONFIRMED


def test_a_cancelled_cohort_cannot_be_changed(session, make_group, officer):
    group = tuesday_group(session, make_group, members=1)
    cohort_changes.cancel_cohort(
        session, group.cohort, {group.places[0].id: None}, actor=officer, reason="No", now=NOW
    )

    with pytest.raises(CohortError):
        cohort_changes.cancel_cohort(session, group.cohort, {}, actor=officer, reason="No", now=NOW)
    assert session.get(User, officer.id) is not None
