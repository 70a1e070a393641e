"""The business pages (officers, and contractor leads for businesses whose people hold places
in their own contractors' cohorts): a business across rounds."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal import db
from portal.auth.access import current_person, officers_and_leads
from portal.cohorts.hours import hours_text
from portal.people.business_record import business_record
from portal.people.scope import business_for, viewer_of

bp = Blueprint("businesses", __name__, url_prefix="/businesses")


@bp.get("/<int:business_id>")
@officers_and_leads
def show_business(business_id: int) -> str:
    viewer = viewer_of(current_person())
    business = business_for(db.session, viewer, business_id)
    return render_template(
        "businesses/business.html",
        record=business_record(db.session, business, viewer),
        officer=viewer.is_officer,
        hours=hours_text,
    )
