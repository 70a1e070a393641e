"""A person can see and download everything the portal holds about them, and nobody else's."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.account import personal_data
from portal.auth.models import Role
from portal.models import Base
from portal.notifications.models import OutboxMessage
from tests.fixtures.pages import check_page


def test_every_table_keyed_by_a_person_is_covered_or_holds_only_secrets():
    personal = {
        name
        for name, table in Base.metadata.tables.items()
        if {"person_id", "participant_id", "user_id"} & set(table.c.keys())
    }
    covered = personal_data.tables_covered() | personal_data.SECRETS_ONLY
    assert personal - covered == set()
    assert personal_data.tables_covered() <= set(Base.metadata.tables)


def test_a_participant_sees_their_answers_and_emails_but_no_secrets(
    client, session, make_round, make_application, signed_in_as
):
    programme_round = make_round()
    person = signed_in_as(Role.PARTICIPANT, name="Priya Shah", email="priya@example.org")
    application = make_application(
        programme_round, person=person, business_name="Shah <Bakery> Ltd", issues=["staffing"]
    )
    someone_else = make_application(programme_round, business_name="Other Business Ltd")
    emails = session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == person.id)).all()
    assert emails, "submitting a registration emails the person"

    page = client.get("/account/your-data")
    soup = check_page(page)
    assert soup.h1.get_text(strip=True) == "Everything we hold about you"
    text = page.get_data(as_text=True)
    assert "Shah &lt;Bakery&gt; Ltd" in text  # shown, escaped
    assert application.reference in text
    assert someone_else.reference not in text
    assert "Other Business Ltd" not in text

    download = client.get("/account/your-data.json")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store"
    data = json.loads(download.get_data(as_text=True))
    sections = data["sections"]
    [account] = sections["account"]
    assert account["email"] == "priya@example.org"
    assert "password_hash" not in account
    assert "totp_secret" not in account
    assert [row["reference"] for row in sections["applications"]] == [application.reference]
    assert [row["issue_code"] for row in sections["issues"]] == ["staffing"]
    assert {row["subject"] for row in sections["emails"]} == {m.subject for m in emails}
    assert sections["places"] == []
    assert sections["bookings"] == []
    assert "Other Business Ltd" not in download.get_data(as_text=True)


def test_signed_out_people_are_asked_to_sign_in(client):
    for url in ("/account/your-data", "/account/your-data.json"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]
