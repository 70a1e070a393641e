"""Mail leaves through a real SMTP conversation (aiosmtpd on 127.0.0.1) and is read back."""

import pytest
from flask_mail import Message

from portal.extensions import mail


@pytest.fixture
def app_config(smtp_server):
    return smtp_server.mail_config()


def test_a_message_is_delivered_over_smtp_and_read_back(app, smtp_server):
    with app.app_context():
        mail.send(
            Message(
                subject="Your Peer Networks place",
                recipients=["owner@example.com"],
                body="You have a place.",
                html="<p>You have a place.</p>",
            )
        )
    [received] = smtp_server.messages
    assert received["Subject"] == "Your Peer Networks place"
    assert received["X-Envelope-To"] == "owner@example.com"
    assert received["From"] == "Boost Peer Networks <no-reply@example.org.uk>"
    assert received.get_body(("plain",)).get_content().strip() == "You have a place."


def test_tests_cannot_reach_a_real_smtp_server(app):
    import smtplib

    with pytest.raises(AssertionError, match="real SMTP server"):
        smtplib.SMTP("smtp.example.org", 25)
