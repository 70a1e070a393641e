"""Staff homes, where officers and contractor leads land after signing in: officers see what
needs them (each count links to its list); contractor leads see their contractors' delivery."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal import db
from portal.auth.access import current_person, officers_and_leads
from portal.auth.models import Role
from portal.cohorts.hours import hours_text
from portal.db_base import utcnow
from portal.home.queue import LAPSING_DAYS, lead_home, officer_queue
from portal.rounds.services import current_round, rounds_by_start
from portal.timefmt import today_in_london

bp = Blueprint("home", __name__, url_prefix="/home")


@bp.get("/")
@officers_and_leads
def index() -> str:
    me = current_person()
    today = today_in_london()
    if me.has_role(Role.OFFICER):
        rounds = rounds_by_start(db.session)
        # The round the applicant list opens on: the current one, or else the latest.
        programme_round = current_round(db.session, today) or (rounds[-1] if rounds else None)
        return render_template(
            "home/officer.html",
            queue=officer_queue(
                db.session,
                round_id=programme_round.id if programme_round else None,
                now=utcnow(),
                today=today,
            ),
            programme_round=programme_round,
            lapsing_days=LAPSING_DAYS,
            sees_outbox=me.has_role(Role.ADMIN),
        )
    return render_template(
        "home/lead.html",
        home=lead_home(db.session, me.contractor_ids, now=utcnow()),
        contractors=me.contractors,
        hours=hours_text,
    )
