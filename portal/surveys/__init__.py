"""Surveys: baseline, exit and follow-up, as versioned data; invitations, reminders,
the runner, officers' response rates and keyed-in responses.

``init_app`` registers the job that creates invitations when their triggers are reached
and sends reminders (see ``portal.surveys.invitations``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from portal.surveys import invitations

    invitations.init_app(app)
