"""Offers people can decide on, and places refilled at once.

The offer email (through a real SMTP server) and the offer page say the dates, format,
place, facilitator, hours and one-to-one support; a decline may say why (reported with the
service measures); a decline or a lapse offers the place to the best-suited person waiting
in the same transaction, and officers see the chain of offers on the cohort page.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.auth.models import Role, User
from portal.cohorts import offers
from portal.cohorts.models import (
    Cohort,
    Place,
    PlaceStatus,
)
from portal.db_base import utcnow
from portal.notifications.sender import send_due_messages
from portal.registration.models import Application, ApplicationStatus
from tests.fixtures.app import reload
from tests.fixtures.pages import check_page, error_messages


@pytest.fixture
def app_config(smtp_server):
    return smtp_server.mail_config()


def delivered(app, smtp_server, address: str):
    """Send the outbox through the real SMTP server; the last message to ``address``."""
    from portal import db

    with app.app_context():
        send_due_messages(db.database(app).session(writing=True), now=utcnow() + dt.timedelta(1))
    found = [m for m in smtp_server.messages if m["X-Envelope-To"] == address]
    assert found, f"nothing was delivered to {address}"
    return found[-1]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def offer_link(outbox, session, place: Place, answer: str = "accept") -> str:
    person = session.get(User, place.person_id)
    link = next(link for link in outbox.links(outbox.last(person.email)) if f"={answer}" in link)
    return link.split("peernetworks.example.org.uk", 1)[1]


def waiting(make_application, programme_round, session, **answers) -> Application:
    application = make_application(programme_round, **answers)
    application.status = ApplicationStatus.WAITLISTED
    session.commit()
    return application


def test_the_offer_email_says_every_session_and_what_taking_part_asks(
    app, session, make_offers, smtp_server
):
    made = make_offers(sessions=8)
    person = session.get(User, made.places[0].person_id)

    body = text_of(delivered(app, smtp_server, person.email))

    assert "Makers of Preston" in body
    assert "Tuesday mornings, every 2 weeks, starting Tuesday 5 January 2027" in body
    assert "Tuesday 5 January 2027, 9:30am to midday" in body
    assert "Tuesday 13 April 2027, 10:30am to 1pm" in body  # summer time: London hours
    assert body.count(" to ") >= 8
    assert "In person at Preston Business Centre" in body
    assert "Fran Okafor, from Red Rose Business Growth Ltd" in body
    assert "18 hours of group sessions in all: 8 sessions of about 2 hours 30 minutes" in body
    assert "up to 3 hours of one-to-one support" in body


def test_before_a_schedule_exists_the_offer_says_when_the_dates_come(
    app, client, session, make_offers, smtp_server, outbox
):
    made = make_offers(sessions=0)
    person = session.get(User, made.places[0].person_id)

    body = text_of(delivered(app, smtp_server, person.email))
    assert "Your facilitator has not set the dates yet. We will email you the date and time" in body

    page = check_page(client.get(offer_link(outbox, session, made.places[0])))
    text = page.get_text(" ", strip=True)
    assert "Your facilitator has not set the dates yet" in text
    assert "Fran Okafor, from Red Rose Business Growth Ltd" in text
    assert "18 hours of group sessions in all" in text


def test_the_offer_page_lists_the_sessions_and_accepting_links_to_the_group(
    client, session, make_offers, outbox
):
    made = make_offers(sessions=8)
    path = offer_link(outbox, session, made.places[0])

    page = check_page(client.get(path))
    assert [li.get_text(strip=True) for li in page.select("main ol li")][:2] == [
        "Tuesday 5 January 2027, 9:30am to midday",
        "Tuesday 19 January 2027, 9:30am to midday",
    ]
    assert len(page.select("main ol li")) == 8

    answered = check_page(client.submit_form(path, {"answer": "accept"}))
    link = answered.find("a", string="Sign in to see your group")
    assert link is not None
    assert link["href"] == "/my-cohort/"


def test_a_decline_with_a_reason_offers_the_place_on_at_once_and_officers_see_the_chain(
    app, client, session, make_offers, outbox, make_application, signed_in_as
):
    made = make_offers(sessions=8)
    fits = waiting(make_application, made.programme_round, session, name="Wendy Waiting")
    waiting(make_application, made.programme_round, session, slots=[(4, "evening")])
    decliner = made.places[0]
    path = offer_link(outbox, session, decliner, "decline")

    visitor = app.test_client()
    answered = visitor.submit_form(path, {"answer": "decline", "decline_reason": "dates"})
    assert "You have declined the place" in check_page(answered).get_text()

    assert reload(session, Place, decliner.id).end_reason == "dates"
    assert reload(session, Application, decliner.application_id).status == (
        ApplicationStatus.WITHDRAWN
    )
    [refill] = session.scalars(
        select(Place).where(Place.cohort_id == made.cohort.id, Place.application_id == fits.id)
    ).all()
    assert refill.status == PlaceStatus.OFFERED
    assert refill.offered_at == reload(session, Place, decliner.id).ended_at  # one transaction
    assert "Makers of Preston" in outbox.last(session.get(User, fits.person_id).email).body_text

    signed_in_as(Role.OFFICER)
    page = check_page(client.get(f"/cohorts/{made.cohort.id}"))
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in next(
            t for t in page.select("table") if "Offers made in" in t.caption.get_text()
        ).select("tbody tr")
    ]
    declined_name = session.get(User, decliner.person_id).name
    assert rows[0][1:] == [
        declined_name,
        "When the cohort was confirmed",
        "Declined: The days or times do not suit me",
    ]
    assert rows[-1][1:3] == ["Wendy Waiting", f"In place of {declined_name} (declined)"]

    measures = check_page(client.get("/service-measures/")).get_text(" ", strip=True)
    assert "The days or times do not suit me 1" in measures
    assert "All declined offers 1" in measures


def test_a_decline_reason_not_in_the_list_is_refused_and_nothing_changes(
    client, session, make_offers, outbox
):
    made = make_offers()
    path = offer_link(outbox, session, made.places[0], "decline")

    response = client.submit_form(path, {"answer": "decline", "decline_reason": "nonsense"})

    assert error_messages(check_page(response, status=400)) == [
        "Select a reason from the list, or none"
    ]
    assert reload(session, Place, made.places[0].id).status == PlaceStatus.OFFERED


def test_a_lapsed_offer_is_offered_on_and_the_person_waits_for_another_cohort(
    app, session, make_offers, make_application
):
    made = make_offers(members=2)
    fits = waiting(make_application, made.programme_round, session)
    stays = made.places[1]
    with app.app_context():
        offers.respond_to_offer(
            session, reload(session, Place, stays.id), accept=True, now=utcnow()
        )
        session.commit()

    with app.app_context():
        message = offers.lapse_overdue_offers(session, utcnow() + dt.timedelta(days=8))
        session.commit()

    assert message == "1 offer lapsed"
    lapsed = reload(session, Place, made.places[0].id)
    assert lapsed.status == PlaceStatus.LAPSED
    assert reload(session, Application, lapsed.application_id).status == (
        ApplicationStatus.WAITLISTED
    )
    places = {p.application_id: p.status for p in reload(session, Cohort, made.cohort.id).places}
    assert places == {
        lapsed.application_id: PlaceStatus.LAPSED,
        stays.application_id: PlaceStatus.ACCEPTED,
        fits.id: PlaceStatus.OFFERED,
    }
