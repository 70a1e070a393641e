"""Surveys: baseline, exit and follow-up, as versioned data; invitations, reminders,
the runner, officers' response rates and keyed-in responses.

``init_app`` connects the receivers that queue an invitation the moment its trigger
happens (``portal.surveys.due``) and registers the job that creates any still missing and
sends reminders (``portal.surveys.invitations``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from portal.surveys import due, invitations

    due.init_app(app)
    invitations.init_app(app)
