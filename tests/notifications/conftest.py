"""Helpers for the outbox tests: an email template of their own, queueing and sending."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy.orm import Session

from portal import db
from portal.auth.models import User
from portal.db_base import utcnow
from portal.notifications.models import OutboxMessage
from portal.notifications.sender import SendReport, send_due_messages
from portal.notifications.services import queue_email

# A message as a feature would write one: both layouts extended, links passed in absolute.
TEST_TEMPLATES = {
    "email/test_notice.txt": (
        '{% extends "email/_base.txt" %}{% block content %}\n'
        "Hello {{ name }},\n\n"
        "Your place on {{ cohort }} is confirmed.\n\n"
        "See your sessions: {{ link }}.\n"
        "{% endblock %}"
    ),
    "email/test_notice.html": (
        '{% extends "email/_base.html" %}{% block content %}\n'
        "<p>Hello {{ name }},</p>\n"
        "<p>Your place on {{ cohort }} is confirmed.</p>\n"
        '<p><a href="{{ link }}">See your sessions</a>.</p>\n'
        "{% endblock %}"
    ),
}
LINK = "https://peernetworks.example.org.uk/cohorts/7"


@pytest.fixture(autouse=True)
def _test_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([DictLoader(TEST_TEMPLATES), app.jinja_loader])


@pytest.fixture
def queue(app: Flask, session: Session) -> Callable[..., OutboxMessage | None]:
    """``queue(to, **overrides)``: queue the test notice and commit, as a request would."""

    def queue_and_commit(to: User | str = "owner@example.com", **overrides: Any) -> Any:
        arguments: dict[str, Any] = {
            "subject": "Your Peer Networks place",
            "template": "test_notice",
            "context": {"name": "Sam", "cohort": "Preston cohort 3", "link": LINK},
        }
        arguments.update(overrides)
        with app.app_context():
            message = queue_email(session, to=to, **arguments)
        session.commit()
        return message

    return queue_and_commit


@pytest.fixture
def writing_session(app: Flask) -> Iterator[Session]:
    """A sender's own session, as the worker or a job would have."""
    own = db.database(app).session(writing=True)
    yield own
    own.close()


@pytest.fixture
def send(app: Flask, writing_session: Session) -> Callable[..., SendReport]:
    """``send(now)``: one run of the sender at ``now`` (default: a second from now)."""

    def run(now: dt.datetime | None = None, **kwargs: Any) -> SendReport:
        with app.app_context():
            return send_due_messages(
                writing_session, now=now or utcnow() + dt.timedelta(seconds=1), **kwargs
            )

    return run
