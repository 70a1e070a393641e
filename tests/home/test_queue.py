"""The staff homes' counts, against records made by hand: each count takes what it should and
leaves out what it should not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from portal.auth.models import Role
from portal.casestudies.models import CaseStudyStatus
from portal.cohorts.models import CohortStatus, PlaceStatus, SessionStatus
from portal.db_base import utcnow
from portal.home.queue import LeadCohort, OfficerQueue, StaffMember, lead_home, officer_queue
from portal.notifications.models import OutboxStatus
from portal.registration.models import ApplicationStatus
from portal.surveys.models import SurveyTiming
from portal.tasks.models import BackgroundTask, TaskStatus
from portal.timefmt import today_in_london
from tests.fixtures.factories import (
    add_sessions,
    cohort_of,
    delivered_booking,
    make_message,
    submitted_case_study,
    survey_invitation,
)


def test_the_officers_queue_counts_what_needs_them(
    session, make_group, make_round, make_application, make_user
):
    today, now = today_in_london(), utcnow()
    group = make_group(members=4)
    round_3 = group.round
    # Applications needing review: one in the round, one in another round (not counted).
    make_application(round_3).status = ApplicationStatus.NEEDS_REVIEW
    round_4 = make_round(
        name="Round 4",
        year_label="2027-28",
        starts_on=dt.date(2027, 9, 1),
        ends_on=dt.date(2028, 8, 31),
    )
    make_application(round_4).status = ApplicationStatus.NEEDS_REVIEW
    make_application(round_3)  # eligible: not counted
    # Offers: one lapsing in 2 days, one in 10 days; accepted places are not offers.
    lapsing, later = group.places[0], group.places[1]
    lapsing.status, lapsing.reply_by = PlaceStatus.OFFERED, today + dt.timedelta(days=2)
    later.status, later.reply_by = PlaceStatus.OFFERED, today + dt.timedelta(days=10)
    # Confirmed cohorts: one with neither facilitator nor sessions; one with both.
    cohort_of(session, round_3, group.contractor, status=CohortStatus.CONFIRMED)
    ready = cohort_of(
        session,
        round_3,
        group.contractor,
        facilitator=group.facilitator,
        status=CohortStatus.CONFIRMED,
    )
    session.commit()
    add_sessions(session, ready, now + dt.timedelta(days=7))
    # Registers: one session ended without one; a future one and a cancelled one do not count.
    ended, _future, cancelled = add_sessions(
        session,
        group.cohort,
        now - dt.timedelta(days=1),
        now + dt.timedelta(days=1),
        now - dt.timedelta(days=2),
    )
    cancelled.status = SessionStatus.CANCELLED
    # Case studies: one submitted, one published.
    submitted_case_study(session, group.places[2], "Waiting")
    submitted_case_study(session, group.places[3], "Out").status = CaseStudyStatus.PUBLISHED
    # Surveys: one invitation not sent yet, one sent.
    survey_invitation(session, group.places[2], SurveyTiming.BASELINE).sent_at = None
    survey_invitation(session, group.places[3], SurveyTiming.BASELINE)
    make_message(session, status=OutboxStatus.FAILED)
    make_message(session, status=OutboxStatus.SENT)
    session.add_all(
        [
            BackgroundTask(kind="matching", status=TaskStatus.RUNNING, role="officer"),
            BackgroundTask(kind="import", status=TaskStatus.QUEUED, role="officer"),
            BackgroundTask(kind="matching", status=TaskStatus.SUCCEEDED, role="officer"),
        ]
    )
    session.commit()

    assert officer_queue(session, round_id=round_3.id, now=now, today=today) == OfficerQueue(
        needs_review=1,
        offers_awaiting_reply=2,
        offers_lapsing_soon=1,
        cohorts_without_facilitator=1,
        cohorts_without_schedule=1,
        registers_missing=1,
        case_studies_to_review=1,
        surveys_not_sent=1,
        emails_failed=1,
        tasks_in_progress=2,
    )
    assert ended.status == SessionStatus.PLANNED


def test_a_contractor_leads_home_shows_only_their_contractors_delivery(
    session, make_group, make_user, make_contractor
):
    now = utcnow()
    group = make_group(members=2, name="Makers of Preston")
    coach = make_user(Role.COACH, contractors=[group.contractor], name="Colin Coach")
    delivered_booking(session, group.places[0], coach, now - dt.timedelta(days=1), minutes=90)
    add_sessions(session, group.cohort, now - dt.timedelta(days=1))
    other = make_group(members=3, contractor=make_contractor("Pennine Peer Learning CIC"))
    add_sessions(session, other.cohort, now - dt.timedelta(days=1))

    home = lead_home(session, [group.contractor.id], now=now)
    assert home.cohorts == [
        LeadCohort(
            id=group.cohort.id,
            name="Makers of Preston",
            status=CohortStatus.RUNNING,
            round_name="Round 3",
            facilitator=group.facilitator.name,
            members=2,
            registers_missing=1,
            one_to_one_hours=Decimal("1.50"),
            one_to_one_entitlement=2 * group.round.one_to_one_hours_per_participant,
        )
    ]
    assert home.registers_missing == 1
    assert StaffMember("Colin Coach", ["Coach"]) in home.staff
    assert StaffMember(group.facilitator.name, ["Facilitator"]) in home.staff
    assert other.facilitator.name not in [member.name for member in home.staff]
