"""``/service-measures``: how well the online service works, for officers and administrators."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request

from portal import db
from portal.auth.access import officers_and_admins
from portal.db_base import utcnow
from portal.measures import figures

bp = Blueprint("measures", __name__, url_prefix="/service-measures")

PERIODS = {"30": "Last 30 days", "90": "Last 90 days", "365": "Last 12 months"}


@bp.get("/")
@officers_and_admins
def index() -> str:
    chosen = request.args.get("period", "30")
    if chosen not in PERIODS:
        chosen = "30"
    now = utcnow()
    since = now - dt.timedelta(days=int(chosen))
    return render_template(
        "measures/index.html",
        periods=PERIODS,
        chosen=chosen,
        registration=figures.registration(db.session, since, now),
        feedback=figures.feedback(db.session, since, now),
        declines=figures.declines(db.session, since, now),
    )
