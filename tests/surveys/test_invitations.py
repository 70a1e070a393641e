"""Invitations are created when their triggers are reached, once; reminders follow after 7
and 14 days and stop once the survey is answered; officers can send one again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.auth.models import EmailCategory, EmailPreference, Role
from portal.cohorts.models import CohortSession, CohortStatus, PlaceStatus, SessionStatus
from portal.db_base import utcnow
from portal.surveys.invitations import (
    add_months,
    create_due_invitations,
    invite_to_baseline,
    invite_to_exit,
    resend,
    run_survey_job,
    send_due_reminders,
)
from portal.surveys.models import SurveyInvitation, SurveyTiming
from tests.fixtures.factories import answer_exit, hold_session
from tests.surveys.conftest import survey_emails, survey_path

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield


def invitations(session, timing=None):
    session.commit()
    query = select(SurveyInvitation).order_by(SurveyInvitation.id)
    if timing is not None:
        query = query.where(SurveyInvitation.timing == timing)
    return list(session.scalars(query))


def test_taking_a_place_brings_one_baseline_invitation_however_often_the_job_runs(
    session, make_group, outbox, client
):
    group = make_group(members=2)
    now = utcnow()
    created = create_due_invitations(session, now)
    again = create_due_invitations(session, now + dt.timedelta(minutes=30))
    session.commit()
    assert created[SurveyTiming.BASELINE] == 2
    assert again[SurveyTiming.BASELINE] == 0
    assert invite_to_baseline(session, group.places[0], now=now).id == invitations(session)[0].id
    assert [i.timing for i in invitations(session)] == [SurveyTiming.BASELINE] * 2
    for person in group.people:
        (message,) = survey_emails(outbox, person)
        assert message.subject == "Please tell us: Your business before Peer Networks"
        assert message.category is None  # essential: an invitation, not a reminder
        assert client.get(survey_path(outbox, person)).status_code == 200


def test_places_taken_before_surveys_were_sent_are_not_surveyed_late(session, make_group):
    make_group(members=1, accepted_at=utcnow() - 90 * DAY)
    assert create_due_invitations(session, utcnow())[SurveyTiming.BASELINE] == 0


def test_the_exit_survey_follows_the_last_session_after_the_rounds_wait(session, make_group):
    group = make_group(members=3)
    group.round.exit_survey_days_after_last_session = 3
    absent = group.places[2]
    start = utcnow().replace(microsecond=0) - 40 * DAY
    # 18 planned hours of 2.5-hour sessions: 8 sessions. 7 held, the last still planned.
    for number in range(7):
        hold_session(session, group, starts_at=start + number * 5 * DAY, attended=group.places[:2])
    last_start = start + 35 * DAY
    session.add(
        CohortSession(
            cohort_id=group.cohort.id,
            starts_at=last_start,
            ends_at=last_start + dt.timedelta(minutes=150),
            status=SessionStatus.PLANNED,
        )
    )
    session.commit()
    session.refresh(group.cohort)
    now = last_start + DAY
    create_due_invitations(session, now)
    assert invitations(session, SurveyTiming.EXIT) == []

    last = session.scalars(
        select(CohortSession).where(CohortSession.status == SessionStatus.PLANNED)
    ).one()
    last.status = SessionStatus.HELD
    session.commit()
    create_due_invitations(session, last.ends_at + 2 * DAY)
    assert invitations(session, SurveyTiming.EXIT) == []  # the round waits 3 days
    create_due_invitations(session, last.ends_at + 3 * DAY)
    exits = invitations(session, SurveyTiming.EXIT)
    assert sorted(i.place_id for i in exits) == sorted(p.id for p in group.places[:2])
    assert absent.id not in {i.place_id for i in exits}  # never attended: not a participant
    assert exits[0].triggered_at == last.ends_at + 3 * DAY


def test_a_cohort_marked_completed_counts_as_finished(session, make_group):
    group = make_group(members=1, held=1)
    group.cohort.status = CohortStatus.COMPLETED
    session.commit()
    create_due_invitations(session, utcnow())
    assert len(invitations(session, SurveyTiming.EXIT)) == 1


def test_people_who_leave_after_attending_get_the_exit_survey_at_once(session, make_group):
    group = make_group(members=2)
    stayed_away, attended = group.places
    hold_session(session, group, attended=[attended])
    for place in group.places:
        place.status = PlaceStatus.LEFT
        place.ended_at = utcnow() - DAY
    session.commit()
    now = utcnow()
    assert invite_to_exit(session, stayed_away, now=now) is None
    create_due_invitations(session, now)
    (exit_invitation,) = invitations(session, SurveyTiming.EXIT)
    assert exit_invitation.place_id == attended.id
    assert exit_invitation.triggered_at == attended.ended_at


def test_the_follow_up_comes_the_rounds_months_after_the_exit(session, make_group):
    group = make_group(members=1, held=1)
    exit_at = utcnow() - DAY
    invite_to_exit(session, group.places[0], now=exit_at, triggered_at=exit_at)
    session.commit()
    due = add_months(exit_at, 6)
    create_due_invitations(session, due - DAY)
    assert invitations(session, SurveyTiming.FOLLOW_UP) == []
    create_due_invitations(session, due)
    create_due_invitations(session, due + DAY)
    (follow_up,) = invitations(session, SurveyTiming.FOLLOW_UP)
    assert follow_up.triggered_at == due


def test_add_months_keeps_the_day_or_takes_the_last_of_a_short_month():
    moment = dt.datetime(2026, 8, 31, 10, tzinfo=dt.UTC)
    assert add_months(moment, 6) == dt.datetime(2027, 2, 28, 10, tzinfo=dt.UTC)
    assert add_months(moment, 4) == dt.datetime(2026, 12, 31, 10, tzinfo=dt.UTC)


def test_reminders_come_after_7_and_14_days_and_stop_once_answered(
    app, session, make_group, outbox, client
):
    group = make_group(members=2, held=1)
    sent = utcnow()
    keen, slow = (invite_to_exit(session, place, now=sent) for place in group.places)
    session.commit()
    first_link = survey_path(outbox, group.people[1])

    assert send_due_reminders(session, sent + 6 * DAY) == 0
    assert send_due_reminders(session, sent + 7 * DAY) == 2
    assert send_due_reminders(session, sent + 8 * DAY) == 0
    session.commit()
    reminder = outbox.last(group.people[1].email)
    assert reminder.subject == "Reminder: How Peer Networks went for you"
    assert reminder.category == EmailCategory.SURVEY_REMINDERS
    new_link = survey_path(outbox, group.people[1])
    assert new_link != first_link
    assert client.get(first_link).status_code == client.get(new_link).status_code == 200

    answer_exit(session, keen, now=sent + 8 * DAY, overall="very_satisfied")
    session.commit()
    assert send_due_reminders(session, sent + 14 * DAY) == 1  # only the one who has not
    assert send_due_reminders(session, sent + 40 * DAY) == 0  # no third reminder
    session.commit()
    assert len(survey_emails(outbox, group.people[0])) == 2
    assert len(survey_emails(outbox, group.people[1])) == 3
    assert slow.reminders_sent == 2


def test_a_runner_that_was_down_sends_one_reminder_and_preferences_are_kept(
    session, make_group, outbox
):
    group = make_group(members=2, held=1)
    sent = utcnow()
    for place in group.places:
        invite_to_exit(session, place, now=sent)
    session.add(
        EmailPreference(
            user_id=group.people[1].id, category=EmailCategory.SURVEY_REMINDERS, wanted=False
        )
    )
    session.commit()
    assert send_due_reminders(session, sent + 20 * DAY) == 1
    session.commit()
    assert len(survey_emails(outbox, group.people[0])) == 2
    assert len(survey_emails(outbox, group.people[1])) == 1  # turned reminders off
    assert send_due_reminders(session, sent + 21 * DAY) == 0


def test_the_job_reports_what_it_did_and_officers_can_send_again(
    session, make_group, make_user, outbox
):
    group = make_group(members=1)
    assert run_survey_job(session, utcnow()) == "1 baseline invitation created, 0 reminders queued"
    (invitation,) = invitations(session)
    officer = make_user(Role.OFFICER)
    resend(session, invitation, actor=officer, now=utcnow())
    session.commit()
    assert len(survey_emails(outbox, group.people[0])) == 2
    assert invitation.resent_count == 1


def test_the_job_is_registered_with_the_runner(app):
    from portal import jobs

    assert "survey-invitations" in {job.name for job in jobs.registered_jobs(app)}
