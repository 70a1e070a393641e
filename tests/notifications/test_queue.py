"""Queueing: an email is rendered when queued, in the caller's transaction, and respects
the person's choices."""

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup

from portal.auth.models import EmailCategory, EmailPreference
from portal.notifications.models import OutboxStatus
from portal.notifications.services import Attachment, queue_email
from tests.notifications.conftest import LINK


def test_queueing_renders_the_text_and_html_bodies_with_the_service_footer(queue, outbox):
    queue("owner@example.com", context={"name": "Sam & Co", "cohort": "Preston 3", "link": LINK})

    message = outbox.last("owner@example.com")
    assert message.status is OutboxStatus.QUEUED
    assert message.subject == "Your Peer Networks place"
    assert message.attempts == 0
    assert message.user_id is None
    assert message.category is None
    assert message.created_at.tzinfo is not None
    assert abs(message.next_attempt_at - message.created_at) < dt.timedelta(seconds=5)  # due now

    text = message.body_text
    assert text.startswith("Hello Sam & Co,\n\nYour place on Preston 3 is confirmed.\n")
    assert f"See your sessions: {LINK}." in text
    assert "This email was sent by Boost – Lancashire's Business Growth Hub" in text
    assert "Boost Peer Networks (https://peernetworks.example.org.uk)" in text
    assert "\n\n\n" not in text
    assert all(line == line.rstrip() for line in text.splitlines())
    assert outbox.links(message)[0] == LINK

    html = BeautifulSoup(message.body_html, "html.parser")
    assert html.html["lang"] == "en"
    assert html.title.get_text() == "Your Peer Networks place"
    assert "Hello Sam &amp; Co," in message.body_html  # escaped in HTML, not in text
    assert html.find("a", string="See your sessions")["href"] == LINK
    assert "Boost Peer Networks" in html.get_text()
    assert not html.find("img"), "emails carry no images"
    assert not html.find("script")


def test_each_message_gets_its_own_message_id_on_the_portals_domain(queue, outbox):
    queue("a@example.com")
    queue("b@example.com")
    ids = [message.message_id for message in outbox.messages()]
    assert len(set(ids)) == 2
    for message_id in ids:
        assert re.fullmatch(r"<[0-9a-f]{32}@peernetworks\.example\.org\.uk>", message_id)


def test_a_message_to_a_person_records_who_it_was_for(queue, outbox, make_user):
    person = make_user(email="sam@example.com")
    queue(person)
    message = outbox.last("sam@example.com")
    assert message.user_id == person.id


def test_optional_email_is_not_queued_to_someone_who_turned_it_off(
    queue, outbox, make_user, session
):
    person = make_user(email="sam@example.com")
    session.add(EmailPreference(user_id=person.id, category=EmailCategory.REMINDERS, wanted=False))
    session.add(
        EmailPreference(user_id=person.id, category=EmailCategory.PROGRAMME_NEWS, wanted=True)
    )
    session.commit()

    assert queue(person, category=EmailCategory.REMINDERS) is None
    queued = [
        queue(person, category=EmailCategory.PROGRAMME_NEWS),  # chose to keep it
        queue(person, category=EmailCategory.SURVEY_REMINDERS),  # no choice made: sent
        queue(person, category=None),  # essential: always sent
    ]
    assert all(message is not None for message in queued)
    assert [message.category for message in outbox.messages("sam@example.com")] == [
        EmailCategory.PROGRAMME_NEWS,
        EmailCategory.SURVEY_REMINDERS,
        None,
    ]


def test_a_preference_only_applies_to_people_not_to_bare_addresses(queue, outbox):
    assert queue("someone@example.com", category=EmailCategory.REMINDERS) is not None


def test_attachments_are_kept_with_the_message(queue, outbox):
    invite = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    queue(attachments=[Attachment("session.ics", "text/calendar", invite)])
    [attachment] = outbox.last("owner@example.com").attachments
    assert (attachment.filename, attachment.content_type) == ("session.ics", "text/calendar")
    assert attachment.content == invite


def test_queueing_only_flushes_so_a_rolled_back_change_sends_nothing(app, session, outbox):
    with app.app_context():
        message = queue_email(
            session,
            to="owner@example.com",
            subject="Never sent",
            template="test_notice",
            context={"name": "Sam", "cohort": "X", "link": LINK},
        )
    assert message.id is not None  # flushed: the caller can refer to it
    session.rollback()
    assert outbox.messages() == []


def test_a_subject_must_be_one_line(app, session):
    with app.app_context(), pytest.raises(ValueError, match="one line"):
        queue_email(
            session,
            to="owner@example.com",
            subject="Hello\r\nBcc: everyone@example.com",
            template="test_notice",
            context={},
        )


def test_the_outbox_fixture_reads_fresh_and_explains_a_missing_message(queue, outbox):
    assert outbox.messages() == []
    queue("a@example.com")
    queue("b@example.com")
    assert [m.to_address for m in outbox.messages()] == ["a@example.com", "b@example.com"]
    assert [m.to_address for m in outbox.messages(to="b@example.com")] == ["b@example.com"]
    with pytest.raises(AssertionError, match=r"No email was queued to 'c@example.com'.*a@"):
        outbox.last("c@example.com")
