"""What a view does when the rules refuse a change it asked a service for."""

from __future__ import annotations

from flask import flash, redirect
from werkzeug.wrappers import Response

from portal import db


def refuse(message: str, to: str) -> Response:
    """The change was refused (a rule, or someone else changing the record first): nothing
    this request did is kept, and the person is sent to ``to`` and told why.

    Side effects: marks the request's unit of work failed (it rolls back although the
    response is a redirect) and flashes ``message`` as information.
    """
    db.mark_failed()
    flash(message, "info")
    return redirect(to)
