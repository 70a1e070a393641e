"""Officers' contact notes on a person's page: the question page checks every answer, notes
show newest first and are audited; an erased person takes none, and erasing removes them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.people.models import ContactNote
from portal.privacy.erasure import ERASED, erase_person
from portal.timefmt import today_in_london
from tests.fixtures.pages import check_page, error_messages, table_rows


def note(day: dt.date, channel: str, text: str) -> dict[str, object]:
    return {
        "contacted_on": [str(day.day), str(day.month), str(day.year)],
        "channel": channel,
        "text": text,
    }


def test_an_officer_notes_calls_and_sees_them_newest_first(
    client, signed_in_as, make_group, session
):
    person = make_group(members=1).people[0]
    officer = signed_in_as(Role.OFFICER, name="Olivia Officer")
    path = f"/people/{person.id}/contact-notes/new"
    form = check_page(client.get(path))
    assert form.h1.get_text(strip=True) == "Add a contact note"

    today = today_in_london()
    client.submit_form(path, note(today - dt.timedelta(days=3), "phone", "Asked about dates."))
    response = client.submit_form(path, note(today, "in_person", "Met at the Preston session."))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/people/{person.id}#notes")

    page = check_page(client.get(f"/people/{person.id}"))
    rows = table_rows(page, "Calls and conversations")
    assert [row[1:] for row in rows] == [
        ["In person", "Met at the Preston session.", "Olivia Officer"],
        ["Phone", "Asked about dates.", "Olivia Officer"],
    ]
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.contact_noted")
    ).all()
    assert [(event.actor_id, event.entity_id) for event in events] == [
        (officer.id, str(person.id))
    ] * 2
    assert all("Preston" not in (event.reason or "") for event in events)


def test_bad_answers_are_explained_and_kept(client, signed_in_as, make_group, session):
    person = make_group(members=1).people[0]
    signed_in_as(Role.OFFICER)
    path = f"/people/{person.id}/contact-notes/new"

    page = check_page(client.submit_form(path, {}), status=400)
    assert error_messages(page) == [
        "Enter the date of the contact",
        "Select how you were in contact",
        "Enter what was said",
    ]

    tomorrow = today_in_london() + dt.timedelta(days=1)
    page = check_page(client.submit_form(path, note(tomorrow, "email", "Kept text")), status=400)
    assert error_messages(page) == ["The date of the contact must be today or in the past"]
    assert page.select_one("textarea[name=text]").get_text() == "Kept text"

    page = check_page(
        client.submit_form(path, note(today_in_london(), "fax", "x" * 5001)), status=400
    )
    assert error_messages(page) == [
        "Select how you were in contact",
        "The note must be 5000 characters or fewer",
    ]
    assert session.scalars(select(ContactNote)).all() == []


def test_an_erased_person_takes_no_notes_and_erasing_removes_them(
    app, client, signed_in_as, make_group, session
):
    person = make_group(members=1).people[0]
    signed_in_as(Role.OFFICER)
    path = f"/people/{person.id}/contact-notes/new"
    assert client.submit_form(path, note(today_in_london(), "phone", "Called.")).status_code == 302

    with app.app_context():
        erase_person(session, person, actor=None, reason="Asked to be forgotten", now=utcnow())
    session.commit()

    assert [n.text for n in session.scalars(select(ContactNote))] == [ERASED]
    assert client.get(path).status_code == 404
    token = client.csrf_token_from("/feedback")
    again = {"csrf_token": token, **note(today_in_london(), "phone", "Again.")}
    assert client.post(path, data=again).status_code == 404
    page = check_page(client.get(f"/people/{person.id}"))
    assert "Add a contact note" not in page.get_text()


def test_unknown_people_take_no_notes(client, signed_in_as):
    signed_in_as(Role.OFFICER)
    assert client.get("/people/999999/contact-notes/new").status_code == 404
