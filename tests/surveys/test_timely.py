"""Survey invitations on time: queued in the same transaction as the event that causes them
(a place accepted, the last register recorded, a member leaving), never sent twice by the
job that stays as a safety net, and sent now by officers when due (issue 21, section 4)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.auth.models import Role, User
from portal.cohorts.membership import leave_cohort
from portal.cohorts.models import AttendanceStatus, CohortSession, Place, SessionStatus
from portal.cohorts.registers import record_register
from portal.db_base import utcnow
from portal.surveys.due import AlreadySent, NotDue, due_not_sent, send_now
from portal.surveys.invitations import invite_to_baseline, run_survey_job
from portal.surveys.models import SurveyInvitation, SurveyTiming
from tests.fixtures.factories import hold_session
from tests.fixtures.pages import check_page
from tests.surveys.conftest import survey_emails, survey_path

DAY = dt.timedelta(days=1)


def invitations(session, timing=None) -> list[SurveyInvitation]:
    session.commit()
    query = select(SurveyInvitation).order_by(SurveyInvitation.id)
    if timing is not None:
        query = query.where(SurveyInvitation.timing == timing)
    return list(session.scalars(query))


def offer_link(outbox, person: User) -> str:
    link = next(link for link in outbox.links(outbox.last(person.email)) if "=accept" in link)
    return link.split("peernetworks.example.org.uk", 1)[1]


def test_accepting_a_place_emails_the_baseline_survey_in_the_same_transaction(
    app, session, make_offers, surveys_loaded, outbox
):
    made = make_offers(sessions=8)
    person = session.get(User, made.places[0].person_id)
    path = offer_link(outbox, person)
    visitor = app.test_client()

    check_page(visitor.submit_form(path, {"answer": "accept"}))

    (baseline,) = invitations(session, SurveyTiming.BASELINE)
    place = session.get(Place, made.places[0].id, populate_existing=True)
    assert baseline.place_id == place.id
    assert baseline.sent_at == baseline.triggered_at == place.accepted_at  # one transaction
    (message,) = survey_emails(outbox, person)
    assert message.subject == "Please tell us: Your business before Peer Networks"
    assert visitor.get(survey_path(outbox, person)).status_code == 200
    # The job, half an hour later, is only a safety net: nothing is made or sent twice.
    with app.app_context():
        later = run_survey_job(session, utcnow() + dt.timedelta(minutes=30))
    assert later == "no invitations created, 0 reminders queued"
    assert len(invitations(session)) == 1
    assert len(survey_emails(outbox, person)) == 1


def test_declining_sends_no_survey(app, session, make_offers, surveys_loaded, outbox):
    made = make_offers(sessions=8)
    person = session.get(User, made.places[0].person_id)
    path = offer_link(outbox, person).replace("=accept", "=decline")

    app.test_client().submit_form(path, {"answer": "decline"})

    assert invitations(session) == []
    assert survey_emails(outbox, person) == []


@pytest.fixture
def finishing(app, session, make_group):
    """A group of three that has held 7 of its 8 sessions (two people came), the last of
    which has just ended and waits for its register."""
    group = make_group(members=3)
    start = utcnow().replace(microsecond=0) - 40 * DAY
    for number in range(7):
        hold_session(session, group, starts_at=start + number * 5 * DAY, attended=group.places[:2])
    last_start = utcnow().replace(microsecond=0) - dt.timedelta(hours=3)
    last = CohortSession(
        cohort_id=group.cohort.id,
        starts_at=last_start,
        ends_at=last_start + dt.timedelta(minutes=150),
        status=SessionStatus.PLANNED,
    )
    session.add(last)
    session.commit()
    session.refresh(group.cohort)
    return group, last


def take_last_register(app, session, group, last) -> dt.datetime:
    now = utcnow()
    with app.app_context():
        record_register(
            session,
            last,
            [(place.id, AttendanceStatus.PRESENT, None) for place in group.places[:2]]
            + [(group.places[2].id, AttendanceStatus.ABSENT, None)],
            actor=group.facilitator,
            now=now,
        )
    session.commit()
    return now


def test_the_last_register_emails_the_exit_survey_to_those_who_took_part(
    app, session, finishing, outbox
):
    group, last = finishing

    take_last_register(app, session, group, last)

    exits = invitations(session, SurveyTiming.EXIT)
    assert sorted(i.place_id for i in exits) == sorted(p.id for p in group.places[:2])
    assert {i.triggered_at for i in exits} == {last.ends_at}
    for person in group.people[:2]:
        assert [m.subject for m in survey_emails(outbox, person)] == [
            "Please tell us: How Peer Networks went for you"
        ]
    assert survey_emails(outbox, group.people[2]) == []  # never came: not a participant
    with app.app_context():
        assert run_survey_job(session, utcnow()).startswith("3 baseline invitations created")
    assert len(invitations(session, SurveyTiming.EXIT)) == 2  # the job sent no exit again


def test_when_the_round_waits_after_the_last_session_the_job_sends_the_exit_survey(
    app, session, finishing
):
    group, last = finishing
    group.round.exit_survey_days_after_last_session = 3
    session.commit()

    take_last_register(app, session, group, last)

    assert invitations(session, SurveyTiming.EXIT) == []
    with app.app_context():
        run_survey_job(session, last.ends_at + 3 * DAY)
    assert len(invitations(session, SurveyTiming.EXIT)) == 2


def test_leaving_after_attending_emails_the_exit_survey_at_once(app, session, make_group, outbox):
    group = make_group(members=2, held=1)

    with app.app_context():
        leave_cohort(session, group.places[0], reason="Too busy", now=utcnow())
    session.commit()

    (exit_invitation,) = invitations(session, SurveyTiming.EXIT)
    assert exit_invitation.place_id == group.places[0].id
    assert len(survey_emails(outbox, group.people[0])) == 1
    assert survey_emails(outbox, group.people[1]) == []


# Sending now


def test_officers_see_what_is_due_and_not_sent_and_can_send_it_once(
    app, session, make_group, make_user, outbox
):
    group = make_group(members=2)  # places taken a day ago, with no invitation made yet
    with app.app_context():  # as the demo does: made without an email
        unsent = invite_to_baseline(session, group.places[1], now=utcnow(), notify=False)
    session.commit()
    officer = make_user(Role.OFFICER)
    now = utcnow()

    with app.app_context():
        due = due_not_sent(session, group.cohort, now)
        assert [(d.place.id, d.timing, d.invitation) for d in due] == sorted(
            [
                (group.places[0].id, SurveyTiming.BASELINE, None),
                (group.places[1].id, SurveyTiming.BASELINE, unsent),
            ],
            key=lambda row: session.get(User, session.get(Place, row[0]).person_id).name,
        )
        for place in group.places:
            send_now(session, group.cohort, place.id, SurveyTiming.BASELINE, actor=officer, now=now)
        with pytest.raises(AlreadySent):
            send_now(
                session,
                group.cohort,
                group.places[0].id,
                SurveyTiming.BASELINE,
                actor=officer,
                now=now,
            )
        with pytest.raises(NotDue):  # the group has not finished
            send_now(
                session, group.cohort, group.places[0].id, SurveyTiming.EXIT, actor=officer, now=now
            )
        assert due_not_sent(session, group.cohort, now) == []
    session.commit()

    for person in group.people:
        assert len(survey_emails(outbox, person)) == 1
    assert {i.sent_at for i in invitations(session)} == {now}
    with app.app_context():  # the job sends nothing more
        assert run_survey_job(session, now + DAY).startswith("no invitations created")
    for person in group.people:
        assert len(survey_emails(outbox, person)) == 1


def test_no_survey_is_due_for_people_whose_processing_is_restricted(app, session, make_group):
    group = make_group(members=2)
    group.people[0].restricted_at = utcnow()
    session.commit()
    with app.app_context():
        due = due_not_sent(session, group.cohort, utcnow())
    assert [d.person.id for d in due] == [group.people[1].id]


def test_someone_moved_to_another_cohort_is_not_asked_the_baseline_again(
    app, session, make_round, make_application, make_user, make_contractor, surveys_loaded, outbox
):
    from portal.cohorts.member_changes import move_member
    from tests.fixtures.factories import confirmed_group_factory

    factory = confirmed_group_factory(
        session, make_round, make_application, make_user, make_contractor
    )
    here, there = factory(members=2), factory(members=1, name="Growers")
    for group in (here, there):  # a day and start the factory's applicants can all make
        group.cohort.meeting_weekday = 1
        group.cohort.start_on = dt.date(2026, 12, 15)
    session.commit()
    now = utcnow()
    with app.app_context():
        invite_to_baseline(session, here.places[0], now=now)
        session.commit()
        moved = move_member(
            session,
            here.places[0],
            there.cohort,
            actor=make_user(Role.OFFICER),
            reason="Closer to work",
            now=now,
        )
        session.commit()
        assert invite_to_baseline(session, moved, now=now).place_id == here.places[0].id
        assert moved.id not in {d.place.id for d in due_not_sent(session, there.cohort, now)}
        run_survey_job(session, now + dt.timedelta(minutes=30))
    person = here.people[0]
    assert [i.place_id for i in invitations(session) if i.person_id == person.id] == [
        here.places[0].id
    ]
    assert len(survey_emails(outbox, person)) == 1
