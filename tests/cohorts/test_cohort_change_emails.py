"""The emails of a cohort change, delivered through a real SMTP server: a moved member gets
their new group's sessions as a calendar file and cancellations of the old group's."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from portal.auth.models import Role
from portal.cohorts import member_changes
from portal.db_base import utcnow
from portal.notifications.sender import send_due_messages
from tests.fixtures.factories import add_sessions, confirmed_group_factory

FUTURE = dt.datetime(2030, 1, 8, 9, 30, tzinfo=dt.UTC)  # a Tuesday


@pytest.fixture
def app_config(smtp_server):
    return smtp_server.mail_config()


def test_a_moved_member_receives_the_new_dates_and_the_old_ones_cancelled(
    app, session, smtp_server, make_round, make_application, make_user, make_contractor
):
    factory = confirmed_group_factory(
        session, make_round, make_application, make_user, make_contractor
    )
    here, there = (
        factory(members=2, name="Makers of Preston"),
        factory(members=2, name="Growers of Preston"),
    )
    for group in (here, there):
        group.cohort.meeting_weekday = 1
    session.commit()
    add_sessions(session, here.cohort, FUTURE, FUTURE + dt.timedelta(days=14))
    add_sessions(session, there.cohort, *(FUTURE + dt.timedelta(days=7 + 14 * n) for n in range(3)))
    person = here.people[0]
    with app.app_context():
        member_changes.move_member(
            session,
            here.places[0],
            there.cohort,
            actor=make_user(Role.OFFICER),
            reason="Closer to their work",
            now=utcnow(),
        )
        session.commit()
        send_due_messages(session, now=utcnow() + dt.timedelta(minutes=1))
        session.commit()

    (delivered,) = [
        m
        for m in smtp_server.messages
        if m["X-Envelope-To"] == person.email and m["Subject"].startswith("You have moved")
    ]
    text = delivered.get_body(("plain",)).get_content()
    assert "You have moved from Makers of Preston to another Peer Networks group" in text
    assert "Tuesday 15 January 2030, 9:30am to midday" in text
    files = {
        part.get_filename(): icalendar.Calendar.from_ical(part.get_payload(decode=True))
        for part in delivered.iter_attachments()
    }
    assert set(files) == {"sessions.ics", "cancelled-session-1.ics", "cancelled-session-2.ics"}
    assert len(files["sessions.ics"].walk("VEVENT")) == 3
    assert files["cancelled-session-1.ics"]["METHOD"] == "CANCEL"
