"""Surveys' test helpers: the personal link from an invitation email. The cohorts with
members the surveys' tests use are made by ``tests/fixtures/factories.py``."""

from __future__ import annotations

from portal.auth.models import User

BASE_URL = "https://peernetworks.example.org.uk"


def survey_path(outbox, person: User) -> str:
    """The path of the survey link in the latest email to ``person``."""
    message = outbox.last(person.email)
    (link,) = [link for link in outbox.links(message) if "/survey/" in link]
    return link.removeprefix(BASE_URL)


def survey_emails(outbox, person: User) -> list:
    """The survey invitations and reminders sent to ``person``, oldest first."""
    return [m for m in outbox.messages(person.email) if "/survey/" in m.body_text]
