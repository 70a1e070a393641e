"""Email through a transactional outbox: queued with the change that caused it, sent after.

Nothing talks to a mail server inside a request. ``queue_email`` renders a message and adds
it to the request's transaction; the ``send-mail`` job (and ``portal send-mail``,
``portal worker``) sends what is due, retrying with backoff while the server is down.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy.orm import Session


def init_app(app: Flask) -> None:
    """Register the mail sender with the job runner (after ``jobs.init_app``)."""
    from portal import jobs

    jobs.register(app, jobs.Job("send-mail", dt.timedelta(minutes=1), _send_mail_job))


def _send_mail_job(session: Session, now: dt.datetime) -> str:
    from portal.notifications.sender import send_due_messages

    return send_due_messages(session, now=now).summary()
