"""Officers change the standard emails' wording: a preview first, merge fields checked, each
save a new version (old ones listed), and the portal sends the newest version."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role, User
from portal.db_base import utcnow
from portal.notifications.models import StandardEmailVersion
from portal.notifications.wording import current_wording, save_version
from portal.surveys.invitations import invite_to_exit
from tests.fixtures.pages import check_page, error_messages, table_rows

OFFER = {
    "subject": "A place for you in {cohort}",
    "body": "Hello {first_name},\n\nThere is a place for you in {cohort}.\n\nReply by {reply_by}.",
}


def test_an_officer_previews_then_saves_a_new_offer_wording_which_is_then_sent(
    client, signed_in_as, session, make_offers, outbox
):
    officer = signed_in_as(Role.OFFICER, name="Olivia Officer")
    listing = check_page(client.get("/standard-emails/"))
    assert "Offer of a place" in listing.get_text()
    path = "/standard-emails/offer"
    page = check_page(client.get(path))
    assert page.find("input", {"name": "subject"})["value"] == (
        "You have been offered a place in a Peer Networks group"
    )

    preview = check_page(client.submit_form(path, {**OFFER, "preview": "Preview"}))
    text = " ".join(preview.get_text().split())
    assert "Subject: A place for you in Makers of Preston" in text
    assert "Hello Priya," in text
    assert "Reply by Friday 4 December 2026." in text
    assert session.scalars(select(StandardEmailVersion)).all() == []
    session.commit()  # ends the read: the next sees what the request commits

    saved = client.submit_form(path, {**OFFER, "save": "Save as a new version"})
    assert saved.status_code == 302
    page = check_page(client.get(path))
    assert "Version 1 of the offer of a place email is saved." in page.get_text()
    rows = table_rows(page, "Versions of this email, newest first")
    assert [row[0] for row in rows] == ["1 (sent now)", "As shipped"]
    assert rows[0][1].endswith("by Olivia Officer")
    assert (
        session.scalar(
            select(AuditEvent.actor_id).where(AuditEvent.action == "standard_email.saved")
        )
        == officer.id
    )

    offered = make_offers(members=1)
    person = session.get(User, offered.places[0].person_id)
    email = outbox.last(person.email)
    assert email.subject == "A place for you in Makers of Preston"
    assert email.body_text.startswith(f"Hello {person.name.split()[0]},\n\nThere is a place")
    assert "To accept the place:" in email.body_text  # the fixed parts follow


def test_wrong_merge_fields_are_explained_and_the_wording_kept(client, signed_in_as, session):
    signed_in_as(Role.OFFICER)
    path = "/standard-emails/survey_reminder"
    response = client.submit_form(
        path, {"subject": "", "body": "Dear {first_name}, {cohort} {why}", "save": "Save"}
    )
    page = check_page(response, status=400)
    assert error_messages(page) == [
        "Enter the subject",
        "Remove or correct the merge fields {cohort}, {why}: you can use {first_name} or {survey}",
    ]
    assert page.find("textarea").get_text() == "Dear {first_name}, {cohort} {why}"
    assert session.scalars(select(StandardEmailVersion)).all() == []
    assert client.get("/standard-emails/nothing").status_code == 404


def test_survey_emails_use_the_current_version_and_each_save_is_kept(
    app, session, make_group, make_user, outbox
):
    group = make_group(members=1, held=1)
    officer = make_user(Role.OFFICER)
    with app.app_context():
        save_version(
            session,
            "survey_invitation",
            subject="Tell us: {survey}",
            body="Hi {first_name},\n\n{why}\n\nThank you.",
            actor=officer,
            now=utcnow(),
        )
        save_version(
            session,
            "survey_invitation",
            subject="Two minutes? {survey}",
            body="Hi {first_name},\n\n{why}",
            actor=officer,
            now=utcnow(),
        )
        assert current_wording(session, "survey_invitation").number == 2
        invite_to_exit(session, group.places[0], now=utcnow())
    session.commit()
    person = group.people[0]
    email = outbox.last(person.email)
    assert email.subject.startswith("Two minutes? ")
    assert email.body_text.startswith(
        f"Hi {person.name.split()[0]},\n\nThank you for taking part in Peer Networks."
    )
    numbers = session.scalars(select(StandardEmailVersion.number)).all()
    assert sorted(numbers) == [1, 2]
