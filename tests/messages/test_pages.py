"""The pages of writing to a group, as officers and facilitators use them: write, preview a
real message, send a test, send once; errors explained with answers kept; other people's
cohorts and drafts answer 404; a real SMTP server gets one message per person."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal import db
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.messages.models import GroupMessage, MessageStatus
from portal.notifications.sender import send_due_messages
from tests.fixtures.pages import check_page, error_messages, table_rows
from tests.fixtures.users import sign_in

WORDS = {
    "subject": "Your group meets on Monday",
    "body": "Dear {first_name},\n\n{cohort} meets on {next_session}.",
    "kind": "essential",
}


def write_path(cohort_id: int) -> str:
    return f"/messages/new?audience=cohort&cohort={cohort_id}"


def test_an_officer_writes_previews_tests_and_sends_to_a_cohort(
    client, signed_in_as, make_group, session, outbox
):
    group = make_group(members=2, name="Makers of Preston")
    officer = signed_in_as(Role.OFFICER, name="Olivia Officer", email="olivia@example.com")
    page = check_page(client.get(write_path(group.cohort.id)))
    assert "Members of Makers of Preston" in page.get_text()
    hint = page.find(id="body-hint").get_text()
    assert "{first_name}" in hint
    assert "{cohort}" in hint
    assert "{next_session}" in hint

    response = client.submit_form(write_path(group.cohort.id), WORDS)
    assert response.status_code == 302
    preview_path = response.headers["Location"]
    preview = check_page(client.get(preview_path))
    first = sorted(group.people, key=lambda p: (p.name, p.id))[0]
    text = " ".join(preview.get_text().split())
    assert f"To: {first.email}" in text
    assert f"Dear {first.name.split()[0]}," in text
    assert "Makers of Preston meets on to be arranged." in text
    rows = {
        row.find("dt").get_text(strip=True): row.find("dd").get_text(strip=True)
        for row in preview.select(".govuk-summary-list__row")
    }
    assert rows["People it goes to"] == "2"
    assert rows["People left out"] == "0"

    message = session.scalars(select(GroupMessage)).one()
    test = client.submit_form(f"/messages/{message.id}/test", {}, from_page=preview_path)
    assert test.status_code == 302
    trial = outbox.last("olivia@example.com")
    assert trial.subject == "[Test] Your group meets on Monday"
    assert f"the one {first.name} will get" in trial.body_text
    assert all(outbox.messages(p.email)[-1].subject != WORDS["subject"] for p in group.people)

    send_path = f"/messages/{message.id}/send"
    confirm = check_page(client.get(send_path))
    assert confirm.select_one("main form button").get_text(strip=True) == "Send to 2 people"
    sent = client.submit_form(send_path, {})
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/messages/{message.id}")
    record = check_page(client.get(sent.headers["Location"]))
    assert "Your message is being sent to 2 people." in record.get_text()
    assert {p.email for p in group.people} == {
        m.to_address for m in outbox.messages() if m.subject == WORDS["subject"]
    }

    # Pressed again (a second tab, the back button): nothing more is sent.
    again = client.submit_form(send_path, {}, from_page="/feedback")
    assert again.status_code == 302
    assert len([m for m in outbox.messages() if m.subject == WORDS["subject"]]) == 2

    person = check_page(client.get(f"/people/{first.id}"))
    assert table_rows(person, "Messages to groups this person was sent, newest first")[0][1:] == [
        WORDS["subject"],
        "Members of Makers of Preston",
        "Olivia Officer",
    ]
    listing = check_page(client.get("/messages/"))
    assert WORDS["subject"] in listing.get_text()
    assert officer.id == session.get(GroupMessage, message.id).created_by_id


def test_mistakes_are_explained_and_the_answers_kept(client, signed_in_as, make_group):
    group = make_group(members=1)
    signed_in_as(Role.OFFICER)
    path = write_path(group.cohort.id)
    response = client.submit_form(
        path, {"subject": "", "body": "Hello {firstname}\n\nBye", "kind": "sometimes"}
    )
    page = check_page(response, status=400)
    assert page.title.get_text().startswith("Error: ")
    assert error_messages(page) == [
        "Enter a subject",
        "Remove or correct the merge field {firstname}: you can use {first_name}, {cohort} "
        "or {next_session}",
        "Select what the message is about",
    ]
    assert page.find("textarea").get_text() == "Hello {firstname}\n\nBye"
    response = client.submit_form(path, {**WORDS, "body": "Hello {firstname}\n\nBye"})
    page = check_page(response, status=400)
    assert error_messages(page) == [
        "Remove or correct the merge field {firstname}: you can use {first_name}, {cohort} "
        "or {next_session}"
    ]
    assert page.find("input", {"name": "subject"})["value"] == WORDS["subject"]


def test_a_facilitator_writes_to_their_cohort_and_not_to_anyone_elses(
    app, client, make_group, session, outbox
):
    mine, theirs = make_group(members=1), make_group(members=1)
    sign_in(client, mine.facilitator)
    assert client.get(write_path(mine.cohort.id)).status_code == 200
    assert client.get(write_path(theirs.cohort.id)).status_code == 404
    assert (
        client.get(f"/messages/new?audience=waiting_list&round={mine.round.id}").status_code == 404
    )
    response = client.submit_form(write_path(mine.cohort.id), WORDS)
    assert response.status_code == 302
    message = session.scalars(select(GroupMessage)).one()

    # Another facilitator cannot open the draft, and nobody can post without a token.
    other = app.test_client()
    sign_in(other, theirs.facilitator)
    for path in ("preview", "edit", "send"):
        assert other.get(f"/messages/{message.id}/{path}").status_code == 404
    assert client.post(f"/messages/{message.id}/send", data={}).status_code == 400
    session.expire_all()
    assert session.get(GroupMessage, message.id).status is MessageStatus.DRAFT


@pytest.mark.parametrize(
    "query",
    ["audience=cohort&cohort=x", "audience=cohort&cohort=99999999999", "audience=nobody", ""],
)
def test_a_made_up_audience_is_not_found(client, signed_in_as, query):
    signed_in_as(Role.OFFICER)
    assert client.get(f"/messages/new?{query}").status_code == 404


def test_each_person_gets_their_own_email_through_a_real_smtp_server(
    app, client, signed_in_as, make_group, session, smtp_server
):
    group = make_group(members=3, name="Makers of Preston")
    signed_in_as(Role.OFFICER)
    response = client.submit_form(write_path(group.cohort.id), WORDS)
    message_id = int(response.headers["Location"].split("/")[-2])
    client.get(f"/messages/{message_id}/preview")
    client.submit_form(f"/messages/{message_id}/send", {})
    app.config.update(smtp_server.mail_config())
    sender = db.database(app).session(writing=True)
    with app.app_context():
        report = send_due_messages(sender, now=utcnow() + dt.timedelta(seconds=1), limit=500)
    sender.close()
    assert report.failed == 0
    assert report.retrying == 0
    arrived = [m for m in smtp_server.messages if m["Subject"] == WORDS["subject"]]
    assert sorted(m["To"] for m in arrived) == sorted(p.email for p in group.people)
    for email in arrived:
        # One person on the envelope and the headers: nobody sees anyone else.
        assert email["X-Envelope-To"] == email["To"]
        assert email["Cc"] is None
        assert email["Bcc"] is None
        person = next(p for p in group.people if p.email == email["To"])
        body = email.get_body(("plain",)).get_content()
        assert f"Dear {person.name.split()[0]}," in body
        assert "Makers of Preston meets on" in body
