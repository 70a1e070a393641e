"""The one guarded mechanism for status changes (portal.state_changes), on both databases.

A change happens only if the record is still in the state this session loaded: here a
record is loaded, changed behind the session's back (another connection, committed), and
then acted on. It is refused with the state that won, and nothing is written. The races
themselves, with real concurrent requests, are in each feature's ``test_races`` modules
(PostgreSQL).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, inspect, select, update

from portal import db
from portal.audit.models import AuditEvent
from portal.auth.models import Role, User
from portal.casestudies import journey
from portal.casestudies import services as case_studies
from portal.casestudies.models import CaseStudy, CaseStudyStatus
from portal.coaching import services as bookings
from portal.coaching.models import Booking, BookingStatus
from portal.cohorts import offers
from portal.cohorts.models import Place, PlaceStatus
from portal.db_base import utcnow
from portal.registration import services as registration
from portal.registration.models import Application, ApplicationStatus, StatusChange
from portal.rounds.models import RoundStatus
from portal.state_changes import Audit, StatusConflict, change_status
from tests.fixtures.factories import next_slot_start


@pytest.fixture
def application(app, make_round, make_application) -> Application:
    return make_application(make_round(name="Round 3", status=RoundStatus.OPEN))


def behind_its_back(app, model, record_id: int, **values) -> None:  # type: ignore[no-untyped-def]
    """Another request's committed change, which the test's session does not see."""
    with db.engine_for(app).begin() as connection:
        connection.execute(update(model).where(model.id == record_id).values(**values))


def rows(session, model, *where) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def change_to_waitlisted(session, application: Application, now: dt.datetime) -> None:
    change_status(
        session,
        application,
        ApplicationStatus.WAITLISTED,
        now=now,
        history=StatusChange(status=ApplicationStatus.WAITLISTED, changed_at=now),
        audit=Audit(None, "application.waitlisted", "application", reason="No group yet"),
    )


def test_a_change_writes_one_history_row_and_one_audit_event_and_the_session_sees_it(
    app, session, application
):
    now = utcnow()
    with app.app_context():
        change_to_waitlisted(session, application, now)
        assert application.status == ApplicationStatus.WAITLISTED
        assert application.status_changed_at == now
        assert not inspect(application).modified  # as stored: nothing left to flush
        assert [c.status for c in application.history][-1] == ApplicationStatus.WAITLISTED
        session.commit()
    session.expire_all()
    assert session.get(Application, application.id).status == ApplicationStatus.WAITLISTED
    assert rows(session, StatusChange, StatusChange.status == ApplicationStatus.WAITLISTED) == 1
    assert rows(session, AuditEvent, AuditEvent.action == "application.waitlisted") == 1
    session.commit()


def test_a_change_to_a_record_changed_behind_its_back_is_refused_and_writes_nothing(
    app, session, application
):
    behind_its_back(app, Application, application.id, status=ApplicationStatus.WITHDRAWN)
    assert application.status == ApplicationStatus.ELIGIBLE  # what this session saw
    with app.app_context():
        with pytest.raises(StatusConflict) as refused:
            change_to_waitlisted(session, application, utcnow())
        assert refused.value.current == ApplicationStatus.WITHDRAWN  # the state that won
        assert application.status == ApplicationStatus.WITHDRAWN  # the session sees it now
        session.commit()
    assert rows(session, StatusChange, StatusChange.status == ApplicationStatus.WAITLISTED) == 0
    assert rows(session, AuditEvent, AuditEvent.action == "application.waitlisted") == 0
    session.commit()


def test_a_change_from_a_state_it_is_not_allowed_from_is_refused_before_writing(
    app, session, application
):
    with app.app_context():
        with pytest.raises(StatusConflict) as refused:
            change_status(
                session,
                application,
                ApplicationStatus.PLACED,
                allowed_from={ApplicationStatus.OFFERED},
                now=utcnow(),
                audit=Audit(None, "application.placed", "application"),
            )
        assert refused.value.current == ApplicationStatus.ELIGIBLE
        session.commit()
    assert rows(session, AuditEvent, AuditEvent.action == "application.placed") == 0
    session.commit()


def test_a_status_set_by_hand_first_is_a_mistake_the_mechanism_refuses(app, session, application):
    application.status = ApplicationStatus.WAITLISTED
    with app.app_context(), pytest.raises(RuntimeError, match="only through claim"):
        change_to_waitlisted(session, application, utcnow())
    session.rollback()


# Each state machine refuses to act on a state changed behind its back


def test_an_offer_answered_elsewhere_is_not_answered_again(app, session, application):
    place = _offered_place(session, application)
    behind_its_back(app, Place, place.id, status=PlaceStatus.DECLINED)
    with app.app_context():
        with pytest.raises(offers.OfferClosed) as closed:
            offers.respond_to_offer(session, place, accept=True, now=utcnow())
        assert closed.value.status == PlaceStatus.DECLINED
        session.rollback()
    assert rows(session, StatusChange, StatusChange.status == ApplicationStatus.PLACED) == 0
    session.commit()


def _offered_place(session, application: Application) -> Place:  # type: ignore[no-untyped-def]
    from portal.cohorts.models import Cohort, CohortBasis, CohortDelivery, CohortStatus
    from portal.registration.models import PartOfDay

    cohort = Cohort(
        round_id=application.round_id,
        name="Makers of Preston",
        basis=CohortBasis.SECTOR,
        delivery=CohortDelivery.ONLINE,
        meeting_weekday=1,
        meeting_part_of_day=PartOfDay.MORNING,
        status=CohortStatus.CONFIRMED,
        planned_hours=18,
        session_length_minutes=150,
        session_frequency_days=14,
    )
    session.add(cohort)
    session.flush()
    place = Place(
        cohort_id=cohort.id,
        application_id=application.id,
        person_id=application.person_id,
        status=PlaceStatus.OFFERED,
        offer_token_hash=offers.token_hash("stale-offer"),
    )
    session.add(place)
    application.status = ApplicationStatus.OFFERED
    session.commit()
    return place


def test_a_story_published_elsewhere_is_not_published_again(app, session, make_member, make_user):
    member = make_member()
    officer = make_user(Role.OFFICER)
    now = utcnow()
    with app.app_context():
        story = case_studies.start(session, member.place, actor=member.person, now=now)
        story.title = "How a Preston bakery found its bakers"
        story.challenge = story.group_help = story.actions = story.outcomes = "Words."
        story.named, story.uses, story.consent_years = True, ["website"], 5
        story.answered_steps = [step.slug for step in journey.STEPS]
        case_studies.submit(session, story, actor=member.person, now=now)
        case_studies.start_review(session, story, actor=officer, now=now)
        case_studies.decide(session, story, "approve", comment="", actor=officer, now=now)
        session.commit()
        behind_its_back(app, CaseStudy, story.id, status=CaseStudyStatus.PUBLISHED)
        with pytest.raises(case_studies.CaseStudyChanged, match="already been published"):
            case_studies.publish(session, story, actor=officer, now=now, anonymity_checked=False)
        session.rollback()
    assert rows(session, AuditEvent, AuditEvent.action == "case_study.published") == 0
    session.commit()


def test_a_booking_cancelled_elsewhere_is_not_cancelled_again(app, session, coaching):
    world = coaching(people=1)
    with app.app_context():
        made = bookings.book(
            session,
            participant=world.people[0],
            coach_id=world.coach.id,
            starts_at=next_slot_start(utcnow()),
            minutes=60,
            support_type="coaching",
            topic="Apprentices",
            now=utcnow(),
            notify=False,
        )
        session.commit()
        behind_its_back(app, Booking, made.id, status=BookingStatus.CANCELLED)
        with pytest.raises(bookings.BookingChanged, match="already been cancelled"):
            bookings.cancel_by_participant(
                session, made, participant=world.people[0], reason="", now=utcnow()
            )
        session.rollback()
    assert rows(session, AuditEvent, AuditEvent.action.like("coaching.cancelled%")) == 0
    session.commit()


def test_a_registration_withdrawn_elsewhere_is_withdrawn_once(app, session, application):
    behind_its_back(app, Application, application.id, status=ApplicationStatus.WITHDRAWN)
    person = session.get(User, application.person_id)
    with app.app_context():
        registration.withdraw(session, application, actor=person, reason="Busy", now=utcnow())
        session.commit()
    assert rows(session, StatusChange, StatusChange.status == ApplicationStatus.WITHDRAWN) == 0
    session.commit()


def test_a_conflict_no_view_shows_a_page_for_gets_the_409_page_and_keeps_nothing(app, application):
    with app.test_request_context("/", method="POST"):
        response = app.handle_user_exception(
            StatusConflict(
                application, current=ApplicationStatus.WITHDRAWN, wanted=ApplicationStatus.PLACED
            )
        )
        page = response.get_data(as_text=True)
    assert response.status_code == 409  # at 400 or more the request's changes roll back
    assert "This was changed while you were looking at it" in page
    assert "we have not saved what you sent" in page
