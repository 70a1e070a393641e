"""Answering an offer twice at the same moment, on PostgreSQL (portal.state_changes).

Two "Accept" clicks, or "Accept" and "Decline" sent together, or the lapsing job running
as the person answers: exactly one answer counts, the application gets one history row and
one audit event for it, and what each request told the person is what is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.cohorts import offers
from portal.cohorts.models import Cohort, CohortBasis, CohortDelivery, CohortStatus, Place
from portal.cohorts.models import PlaceStatus as P
from portal.db_base import utcnow
from portal.registration.models import (
    Application,
    ApplicationStatus,
    PartOfDay,
    StatusChange,
)
from portal.rounds.models import RoundStatus
from tests.fixtures.app import reload
from tests.fixtures.races import in_own_session, postgres_only, race

pytestmark = postgres_only

ACCEPTED = "You have accepted your place"
DECLINED = "You have declined the place"
ALREADY_ACCEPTED = "You have already accepted this place"
WAS_DECLINED = "This place has been declined"


@dataclass
class Offer:
    token: str
    place_id: int
    application_id: int

    @property
    def path(self) -> str:
        return f"/offers/{self.token}"


@pytest.fixture
def offer(session, make_round, make_application) -> Offer:
    """A place offered in a confirmed cohort, as confirming the cohort leaves it."""
    programme_round = make_round(name="Round 3", status=RoundStatus.OPEN)
    application = make_application(programme_round)
    cohort = Cohort(
        round_id=programme_round.id,
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
    token = "offer-token-for-the-race"
    now = utcnow()
    place = Place(
        cohort_id=cohort.id,
        application_id=application.id,
        person_id=application.person_id,
        status=P.OFFERED,
        offered_at=now,
        reply_by=(now + dt.timedelta(days=7)).date(),
        offer_token_hash=offers.token_hash(token),
    )
    session.add(place)
    application.status = ApplicationStatus.OFFERED
    application.history.append(StatusChange(status=ApplicationStatus.OFFERED, changed_at=now))
    session.commit()
    return Offer(token, place.id, application.id)


def answer(app, offer: Offer, choice: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    token = client.csrf_token_from(offer.path)

    def post() -> tuple[int, str]:
        response = client.post(offer.path, data={"csrf_token": token, "answer": choice})
        return response.status_code, response.get_data(as_text=True)

    return post


def history(session, offer: Offer, status: ApplicationStatus) -> int:
    session.rollback()
    count = session.scalar(
        select(func.count())
        .select_from(StatusChange)
        .where(StatusChange.application_id == offer.application_id, StatusChange.status == status)
    )
    session.commit()
    return int(count or 0)


def audit_events(session, action: str, entity_id: int) -> int:
    session.rollback()
    count = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.entity_id == str(entity_id))
    )
    session.commit()
    return int(count or 0)


def test_two_accepts_at_once_place_the_person_once(app, session, offer):
    results = race(app, [answer(app, offer, "accept"), answer(app, offer, "accept")])

    assert sorted(code for code, _ in results) == [200, 409]
    told = sorted(
        ACCEPTED if ACCEPTED in page else ALREADY_ACCEPTED if ALREADY_ACCEPTED in page else page
        for _, page in results
    )
    assert told == [ACCEPTED, ALREADY_ACCEPTED]
    assert reload(session, Place, offer.place_id).status == P.ACCEPTED
    assert reload(session, Application, offer.application_id).status == ApplicationStatus.PLACED
    assert history(session, offer, ApplicationStatus.PLACED) == 1
    assert audit_events(session, "application.placed", offer.application_id) == 1
    assert audit_events(session, "cohort_place.accepted", offer.place_id) == 1


def test_accept_and_decline_at_once_end_as_the_person_was_told(app, session, offer):
    (accept_code, accept_page), (decline_code, decline_page) = race(
        app, [answer(app, offer, "accept"), answer(app, offer, "decline")]
    )

    assert sorted([accept_code, decline_code]) == [200, 409]
    place = reload(session, Place, offer.place_id)
    application = reload(session, Application, offer.application_id)
    if accept_code == 200:
        assert ACCEPTED in accept_page
        assert ALREADY_ACCEPTED in decline_page
        assert (place.status, application.status) == (P.ACCEPTED, ApplicationStatus.PLACED)
        assert history(session, offer, ApplicationStatus.PLACED) == 1
        assert history(session, offer, ApplicationStatus.ELIGIBLE) == 1  # from screening only
    else:
        assert DECLINED in decline_page
        assert WAS_DECLINED in accept_page
        assert (place.status, application.status) == (P.DECLINED, ApplicationStatus.WITHDRAWN)
        assert history(session, offer, ApplicationStatus.PLACED) == 0
        assert history(session, offer, ApplicationStatus.WITHDRAWN) == 1
    assert (
        audit_events(session, "cohort_place.accepted", offer.place_id)
        + audit_events(session, "cohort_place.declined", offer.place_id)
        == 1
    )


def test_the_lapsing_job_and_an_accept_at_once_end_as_the_person_was_told(app, session, offer):
    def lapse(job_session):  # type: ignore[no-untyped-def]
        return offers.lapse_overdue_offers(job_session, utcnow() + dt.timedelta(days=8))

    (code, page), message = race(app, [answer(app, offer, "accept"), in_own_session(app, lapse)])

    place = reload(session, Place, offer.place_id)
    if code == 200:
        assert ACCEPTED in page
        assert message == "0 offers lapsed"
        assert place.status == P.ACCEPTED
        assert history(session, offer, ApplicationStatus.PLACED) == 1
    else:
        assert "The date to reply to this offer has passed" in page
        assert message == "1 offer lapsed"
        assert place.status == P.LAPSED
        assert history(session, offer, ApplicationStatus.PLACED) == 0
    assert (
        audit_events(session, "cohort_place.accepted", offer.place_id)
        + audit_events(session, "cohort_place.lapsed", offer.place_id)
        == 1
    )


# Refilling a place: two declines, or a decline and the lapsing job, at the same moment.


def decline(app, path: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    token = client.csrf_token_from(path)

    def post() -> int:
        return client.post(path, data={"csrf_token": token, "answer": "decline"}).status_code

    return post


def offer_path(outbox, session, place: Place) -> str:
    from portal.auth.models import User

    person = session.get(User, place.person_id)
    link = next(link for link in outbox.links(outbox.last(person.email)) if "/offers/" in link)
    return link.split("peernetworks.example.org.uk", 1)[1].split("?", 1)[0]


@pytest.fixture
def one_waiting(session, make_offers, make_application):  # type: ignore[no-untyped-def]
    """A cohort of three just offered places, and one person waiting who fits it."""
    made = make_offers(members=3)
    application = make_application(made.programme_round, business_name="Waiting Ltd")
    application.status = ApplicationStatus.WAITLISTED
    session.commit()
    return made, application.id


def refills(session, made, application_id: int) -> list[P]:
    session.rollback()
    found = list(
        session.scalars(
            select(Place.status).where(
                Place.cohort_id == made.cohort.id, Place.application_id == application_id
            )
        )
    )
    session.commit()
    return found


def test_two_declines_at_once_offer_the_place_to_the_person_waiting_once(
    app, session, one_waiting, outbox
):
    made, waiting_id = one_waiting
    first, second = (offer_path(outbox, session, place) for place in made.places[:2])

    codes = race(app, [decline(app, first), decline(app, second)])

    assert codes == [200, 200]
    for place in made.places[:2]:
        assert reload(session, Place, place.id).status == P.DECLINED
    assert refills(session, made, waiting_id) == [P.OFFERED]
    assert reload(session, Application, waiting_id).status == ApplicationStatus.OFFERED
    assert history(session, Offer("", 0, waiting_id), ApplicationStatus.OFFERED) == 1
    waiting_person = reload(session, Application, waiting_id).person_id
    from portal.auth.models import User

    email = session.get(User, waiting_person).email
    offered = [m for m in outbox.messages(email) if "offered a place" in m.subject]
    assert len(offered) == 1


def test_a_decline_and_the_lapsing_job_at_once_refill_only_once(app, session, one_waiting, outbox):
    made, waiting_id = one_waiting
    declining = offer_path(outbox, session, made.places[0])

    # The others' offers are overdue for the job (it runs as if a week and a day later).
    def lapse(job_session):  # type: ignore[no-untyped-def]
        return offers.lapse_overdue_offers(job_session, utcnow() + dt.timedelta(days=8))

    code, message = race(app, [decline(app, declining), in_own_session(app, lapse)])

    statuses = [reload(session, Place, place.id).status for place in made.places]
    if code == 200:
        assert statuses[0] == P.DECLINED
        assert message == "2 offers lapsed"
    else:  # the job lapsed all three first; the person is told the date passed
        assert statuses[0] == P.LAPSED
        assert message == "3 offers lapsed"
    assert refills(session, made, waiting_id) == [P.OFFERED]
    assert history(session, Offer("", 0, waiting_id), ApplicationStatus.OFFERED) == 1
