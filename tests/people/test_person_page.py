"""The officers' person page: everything about one person across rounds, in a fixed number of
statements; contractor leads see only their own contractors' people, and only their places."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from portal import db
from portal.audit.services import record
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.notifications.models import OutboxStatus
from portal.surveys.models import SurveyTiming
from tests.fixtures.factories import (
    delivered_booking,
    hold_session,
    make_message,
    submitted_case_study,
    survey_invitation,
)
from tests.fixtures.pages import check_page, table_rows


def summary(page):
    return {
        " ".join(row.select_one("dt").get_text().split()): " ".join(
            row.select_one("dd").get_text().split()
        )
        for row in page.select(".govuk-summary-list__row")
    }


@pytest.fixture
def member(session, make_group, make_user):
    """A member of a running group who attended one held session of two, had an hour of
    coaching, was invited to the baseline survey, has a case study and was emailed."""
    group = make_group(members=2)
    place, person = group.places[0], group.people[0]
    hold_session(session, group, attended=[place])
    hold_session(session, group, attended=[group.places[1]])
    coach = make_user(Role.COACH, contractors=[group.contractor], name="Colin Coach")
    delivered_booking(session, place, coach, utcnow() - dt.timedelta(days=1), minutes=90)
    survey_invitation(session, place, SurveyTiming.BASELINE)
    submitted_case_study(session, place, "How a mill found its apprentices")
    make_message(
        session,
        user_id=person.id,
        to_address=person.email,
        subject="Your place in Makers group 1",
        status=OutboxStatus.SENT,
    )
    return group


def test_an_officer_sees_everything_about_a_person(client, signed_in_as, member, session):
    person = member.people[0]
    signed_in_as(Role.OFFICER)
    page = check_page(client.get(f"/people/{person.id}"))
    assert page.h1.get_text(strip=True) == person.name
    contents = [link.get_text(strip=True) for link in page.select("nav.app-contents a")]
    assert contents == [
        "Contact details",
        "Applications",
        "Places and cohorts",
        "Attendance",
        "One-to-one support",
        "Surveys",
        "Case studies",
        "Emails sent",
        "Messages to groups",
        "Contact notes",
        "Audit trail",
    ]
    details = summary(page)
    assert details["Email address"] == person.email
    assert details["Phone number"] == "01632 960 001"
    assert details["Businesses"] == "Mill 1-1 Ltd"

    (application,) = table_rows(page, "Applications in every round")
    assert application[0] == "Round 3"
    assert application[3] == "Placed"
    history = table_rows(page, f"Status history of {application[1]}")
    assert [row[1] for row in history][:2] == ["Not sent yet", "Submitted"]

    (place,) = table_rows(page, "Places in cohorts")
    assert place[1] == "Makers group 1 (running)"
    assert place[2:] == [place[2], place[3], "2.5", "1.5"]
    attendance = table_rows(page, "Sessions of Makers group 1")
    assert [row[2] for row in attendance] == ["Present for the whole session", "Not recorded"]
    assert [row[3] for row in attendance] == ["2.5", ""]

    (booking,) = table_rows(page, "One-to-one bookings and support")
    assert booking[1:] == ["Colin Coach", "Coaching", "Delivered", "90"]
    (survey,) = table_rows(page, "Survey invitations")
    assert (survey[0], survey[-1]) == ("Baseline", "No")
    (story,) = table_rows(page, "Case studies")
    assert story[0] == "How a mill found its apprentices"
    emails = table_rows(page, "Emails to this person, newest first")
    assert emails[0][1:] == ["Your place in Makers group 1", "Sent"]
    events = table_rows(page, "Latest recorded events, newest first")
    assert any(row[1] == "Registration sent" for row in events)


def test_the_number_of_statements_does_not_grow_with_the_record(
    app, client, signed_in_as, member, session, make_user
):
    signed_in_as(Role.OFFICER)
    person = member.people[0]

    def statements() -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        engine = db.engine_for(app)
        event.listen(engine, "before_cursor_execute", count)
        check_page(client.get(f"/people/{person.id}"))
        event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    before = statements()
    coach = make_user(Role.COACH, contractors=[member.contractor], name="Cara Coach")
    for days in (3, 5, 7):
        hold_session(session, member, attended=[member.places[0]])
        delivered_booking(session, member.places[0], coach, utcnow() - dt.timedelta(days=days))
    survey_invitation(session, member.places[0], SurveyTiming.EXIT)
    with app.app_context():
        record(
            session,
            actor=coach,
            action="user.email_changed",
            entity_type="user",
            entity_id=person.id,
        )
    session.commit()
    assert statements() == before


def test_a_contractor_lead_sees_only_their_own_contractors_people(
    client, signed_in_as, member, make_group, make_contractor
):
    signed_in_as(Role.CONTRACTOR_LEAD, contractors=[member.contractor])
    person = member.people[0]
    page = check_page(client.get(f"/people/{person.id}"))
    contents = [link.get_text(strip=True) for link in page.select("nav.app-contents a")]
    assert "Emails sent" not in contents
    assert "Messages to groups" not in contents
    assert "Audit trail" not in contents
    assert "Applications in every round" not in page.get_text()
    assert summary(page)["Phone number"] == "01632 960 001"
    assert table_rows(page, "Places in cohorts")[0][1] == "Makers group 1 (running)"

    elsewhere = make_group(members=1, contractor=make_contractor("Pennine Peer Learning CIC"))
    assert client.get(f"/people/{elsewhere.people[0].id}").status_code == 404


def test_unknown_people_are_not_found(client, signed_in_as):
    signed_in_as(Role.OFFICER)
    assert client.get("/people/999999").status_code == 404
